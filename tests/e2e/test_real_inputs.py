"""The scripts that fetch and build the real inputs (corpora/fetch-debian-kernel,
fetch-cloud-vmlinux, fetch-pahole-master, encode-pahole-master) and what they cached:
usage errors exit early with a message, a cached kernel is found again without apt, the 6.12
module sample holds kfunc modules and every module they depend on, and pahole master has the
features btfcheck's comparisons need. Tests of cached inputs skip, naming the resource, when
that input has not been fetched."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from real_inputs import debian_modules_dir, debian_vmlinux, require_cloud_612, require_input, require_or_skip

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = ["corpora/fetch-debian-kernel", "corpora/fetch-cloud-vmlinux",
           "corpora/fetch-pahole-master", "corpora/encode-pahole-master"]
FEATURES = {"layout", "distilled_base", "attributes", "true_signature"}


def run(args, env_extra=None, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                          timeout=600, **kw)


def section_names(elf: Path) -> set[str]:
    out = run(["readelf", "-SW", elf]).stdout
    return {line.split("]", 1)[1].split()[0] for line in out.splitlines() if "] ." in line}


@pytest.mark.parametrize("rel", SCRIPTS)
def test_script_has_valid_bash_and_a_help_text(rel):
    p = REPO / rel
    assert os.access(p, os.X_OK), f"{rel} is not executable"
    assert run(["bash", "-n", p]).returncode == 0
    if rel != "corpora/fetch-cloud-vmlinux":   # the wrapper keeps its argument-less interface
        r = run([p, "--help"])
        assert r.returncode == 0 and rel.split("/")[1] in r.stdout, r.stdout + r.stderr


def test_fetch_debian_kernel_rejects_bad_usage(tmp_path):
    env = {"BTFCHECK_CACHE": str(tmp_path)}
    r = run([REPO / "corpora/fetch-debian-kernel", "--bogus"], env)
    assert r.returncode == 2 and "unknown argument --bogus" in r.stderr
    r = run([REPO / "corpora/fetch-debian-kernel", "--release", "5.10"], env)
    assert r.returncode == 1 and "known releases are 6.1 and 6.12" in r.stderr
    r = run([REPO / "corpora/fetch-debian-kernel", "--modules"], env)
    assert r.returncode == 1 and "--modules needs a value" in r.stderr
    assert not any(tmp_path.iterdir()), "a usage error must not start a fetch"


def test_fetch_pahole_master_rejects_unusable_sources(tmp_path):
    env = {"BTFCHECK_CACHE": str(tmp_path / "cache")}
    script = REPO / "corpora/fetch-pahole-master"
    r = run([script, "--source", tmp_path / "absent"], env)
    assert r.returncode == 1 and "neither a directory nor a git URL" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run([script, "--source", tmp_path / "empty"], env)
    assert r.returncode == 1 and "neither pahole.c nor dwarves-*.tar.xz" in r.stderr
    tree = tmp_path / "dwarves"
    (tree / "lib" / "bpf").mkdir(parents=True)
    (tree / "pahole.c").write_text("int main(void) { return 0; }\n")
    r = run([script, "--source", tree], env)
    assert r.returncode == 1 and "lib/bpf is empty" in r.stderr
    r = run([script, "--source", tree, "--ref", "master"], env)
    assert r.returncode == 1 and "--ref applies to git URLs only" in r.stderr


def no_apt_path(tmp_path: Path) -> str:
    """PATH with apt-get, apt-cache and dpkg that fail: a run that needs them fails."""
    stub = tmp_path / "stub"
    stub.mkdir()
    for tool in ("apt-get", "apt-cache"):
        (stub / tool).write_text(f"#!/bin/sh\necho '{tool} called' >&2\nexit 99\n")
        (stub / tool).chmod(0o755)
    return f"{stub}:{os.environ['PATH']}"


def test_cached_612_kernel_is_found_again_without_apt_and_is_closed_under_depends(tmp_path):
    v = debian_vmlinux("6.12", "cloud-amd64")   # the cached one ($BTFCHECK_VMLINUX_612 aside)
    if v is None:
        require_or_skip("cloud-6.12", "Debian's 6.12 cloud vmlinux is not cached "
                        "(corpora/fetch-debian-kernel --release 6.12)")
    r = run([REPO / "corpora/fetch-debian-kernel", "--release", "6.12"],
            {"PATH": no_apt_path(tmp_path)})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == str(v), "the vmlinux path comes last"
    kos = [Path(p) for p in lines[:-1]]
    assert len(kos) >= 10 and all(k.suffix == ".ko" and k.is_file() for k in kos)
    names = {k.stem.replace("-", "_") for k in kos}
    assert {"nf_conntrack", "xfs", "sch_fq", "virtio_net"} <= names
    for k in kos:
        deps = run(["modinfo", "-F", "depends", k]).stdout.strip()
        missing = {d for d in deps.split(",") if d} - names
        assert not missing, f"{k.name} depends on {missing}, not in the sample"
    kfunc_modules = [k for k in kos if "__BTF_ID__set8__" in run(["readelf", "-sW", k]).stdout]
    assert len(kfunc_modules) >= 5, f"kfunc modules: {[k.name for k in kfunc_modules]}"
    assert {".BTF", ".debug_info"} <= section_names(v)


def test_cached_arm64_kernel_is_aarch64_with_btf_and_modules():
    v = require_input("arm64", "Debian's 6.1 arm64 vmlinux is not cached "
                      "(corpora/fetch-debian-kernel --arch arm64)")
    assert "AArch64" in run(["readelf", "-hW", v]).stdout
    assert {".BTF", ".debug_info"} <= section_names(v)
    assert len(list(debian_modules_dir(v).rglob("*.ko"))) >= 10


def supported_features(pahole: Path) -> set[str]:
    r = run([pahole, "--supported_btf_features"])
    assert r.returncode == 0, r.stderr
    return set(r.stdout.strip().split(","))


def test_pahole_master_has_the_features():
    pahole = require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    assert FEATURES <= supported_features(pahole)


def test_pahole_master_build_is_reused():
    require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    if not (REPO.parent / "shared" / "anchors").is_dir():
        require_or_skip("pahole-master", f"its default source {REPO.parent / 'shared' / 'anchors'} "
                        "is absent: nothing to rebuild from")
    r = run([REPO / "corpora/fetch-pahole-master"])
    assert r.returncode == 0, r.stderr
    built = Path(r.stdout.splitlines()[-1])
    assert FEATURES <= supported_features(built)
    stamp = built.parent.parent / ".btfcheck-stamp"
    before = stamp.stat().st_mtime
    assert run([REPO / "corpora/fetch-pahole-master"]).stdout.splitlines()[-1] == str(built)
    assert stamp.stat().st_mtime == before, "a second run must not rebuild"


def test_encode_pahole_master_writes_a_distilled_base_module_once(tmp_path):
    v = require_cloud_612()
    pahole = require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    ko = next(iter(debian_modules_dir(v).rglob("tcp_bbr.ko")), None)
    assert ko is not None, "tcp_bbr.ko belongs to the 6.12 sample"
    env = {"BTFCHECK_CACHE": str(tmp_path), "BTFCHECK_PAHOLE_MASTER": str(pahole)}
    cmd = [REPO / "corpora/encode-pahole-master", "--features", "default,distilled_base",
           "--base", v, ko]
    r = run(cmd, env)
    assert r.returncode == 0, r.stderr
    out = Path(r.stdout.strip())
    assert out.is_file() and out.parent.name == "default,distilled_base"
    assert {".BTF", ".BTF.base"} <= section_names(out)
    assert ".BTF.base" not in section_names(ko), "the input module must stay untouched"
    mtime = out.stat().st_mtime
    assert run(cmd, env).stdout.strip() == str(out) and out.stat().st_mtime == mtime
