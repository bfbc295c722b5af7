"""`btfcheck encode dwarf` end to end: CLI contract, and Debian's cloud vmlinux and modules
against Debian's pahole 1.24 (the issue's "done when").

The vmlinux tests skip when the vmlinux is absent (corpora/fetch-cloud-vmlinux) or pahole
is not installed. pahole's reference output for the Linux 6.1 flags is cached under
~/.cache/btfcheck/pahole/ keyed by pahole's version and the flags, so CI pays for it once.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
CACHE = Path(os.environ.get("BTFCHECK_CACHE", Path.home() / ".cache/btfcheck"))
PAHOLE_FLAGS = ["--btf_gen_floats", "--lang_exclude=rust"]


def run(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def btfcheck(*args, timeout=900) -> subprocess.CompletedProcess:
    return run(BTFCHECK, *args, timeout=timeout)


def vmlinux() -> Path | None:
    if env := os.environ.get("BTFCHECK_VMLINUX"):
        return Path(env) if Path(env).is_file() else None
    found = sorted(glob.glob(str(CACHE / "usr/lib/debug/boot/vmlinux-*-cloud-amd64")))
    return Path(found[0]) if found else None


def pahole_version() -> str | None:
    if not shutil.which("pahole"):
        return None
    return run("pahole", "--version").stdout.strip() or None


@pytest.fixture(scope="module")
def cloud():
    v = vmlinux()
    if v is None:
        pytest.skip("Debian's cloud vmlinux is absent (corpora/fetch-cloud-vmlinux or BTFCHECK_VMLINUX)")
    return v


@pytest.fixture(scope="module")
def pahole_ref(cloud):
    ver = pahole_version()
    if ver is None:
        pytest.skip("pahole is not installed")
    ref = CACHE / "pahole" / f"{ver}-{'-'.join(f.strip('-').replace('=', '_') for f in PAHOLE_FLAGS)}.btf"
    if not ref.is_file():
        ref.parent.mkdir(parents=True, exist_ok=True)
        tmp = ref.with_suffix(".tmp")
        r = run("pahole", *PAHOLE_FLAGS, f"--btf_encode_detached={tmp}", cloud, timeout=1800)
        assert r.returncode == 0, r.stderr
        tmp.rename(ref)
    return ref


@pytest.fixture(scope="module")
def ours(cloud, tmp_path_factory):
    out = tmp_path_factory.mktemp("encode") / "vmlinux.j2.btf"
    r = btfcheck("encode", "dwarf", cloud, "-o", out, "-j2", "--lang-exclude=rust", "--explain")
    assert r.returncode == 0, r.stderr
    return out, r.stderr


def test_help_and_usage_errors(tmp_path):
    r = btfcheck("encode", "--help")
    assert r.returncode == 0 and "encode dwarf" in r.stdout.replace("usage: btfcheck encode dwarf", "encode dwarf")
    assert btfcheck("encode").returncode == 2
    r = btfcheck("encode", "nonsense", "x", "-o", tmp_path / "o")
    assert r.returncode == 2 and "unknown mode" in r.stderr
    assert btfcheck("encode", "dwarf", "/nonexistent").returncode == 2  # no -o
    r = btfcheck("encode", "dwarf", "/nonexistent", "-o", tmp_path / "o")
    assert r.returncode == 2 and "/nonexistent" in r.stderr
    assert not (tmp_path / "o").exists()  # never a partial output
    r = btfcheck("encode", "dwarf", "/nonexistent", "-o", tmp_path / "o", "--features", "bogus")
    assert r.returncode == 2 and "bogus" in r.stderr


def test_small_object_raw_and_elf(tmp_path):
    if not shutil.which("gcc"):
        pytest.skip("gcc is not installed")
    obj = tmp_path / "kinds.o"
    assert run("gcc", "-g", "-O2", "-c", REPO / "corpora/cases/all_kinds.c", "-o", obj).returncode == 0
    raw = tmp_path / "kinds.btf"
    assert btfcheck("encode", "dwarf", obj, "-o", raw, "-j3").returncode == 0
    assert btfcheck("verify", raw).returncode == 0
    elf = tmp_path / "kinds.btf.o"
    r = btfcheck("encode", "dwarf", obj, "-o", elf, "--elf")
    assert r.returncode == 0, r.stderr
    # The ELF copy carries the same BTF in .BTF (btfcheck reads .BTF from ELF files).
    assert btfcheck("diff", raw, elf).returncode == 0
    if shutil.which("readelf"):
        assert ".BTF" in run("readelf", "-S", elf).stdout


def test_vmlinux_matches_pahole_and_verifies(ours, pahole_ref):
    out, explain = ours
    r = btfcheck("diff", pahole_ref, out)
    assert r.returncode == 0, r.stdout[-3000:]  # strict rules: no difference at all
    r = btfcheck("verify", out)
    assert r.returncode == 0, r.stdout[-3000:]
    # Every function left out says why, one line each.
    lines = [l for l in explain.splitlines() if ": skipped: " in l]
    assert lines and all(l.split(": skipped: ", 1)[1] for l in lines)


def test_vmlinux_same_bytes_for_every_j(cloud, ours, tmp_path):
    ref = Path(ours[0]).read_bytes()
    for j in (1, 4, 8):
        out = tmp_path / f"j{j}.btf"
        r = btfcheck("encode", "dwarf", cloud, "-o", out, f"-j{j}", "--lang-exclude=rust")
        assert r.returncode == 0, r.stderr
        assert out.read_bytes() == ref, f"-j{j} differs from -j2"


def test_modules_split_btf_match_pahole(cloud, pahole_ref, tmp_path):
    mods = sorted(glob.glob(str(cloud.parent.parent / "lib/modules/*/kernel/**/*.ko"), recursive=True))
    if not mods:
        pytest.skip("no module sample next to the cloud vmlinux")
    for ko in mods[:: max(1, len(mods) // 8)]:  # a spread of about 8 modules
        name = Path(ko).stem
        ref = tmp_path / f"{name}.pahole.btf"
        r = run("pahole", *PAHOLE_FLAGS, f"--btf_base={pahole_ref}", f"--btf_encode_detached={ref}", ko)
        assert r.returncode == 0, r.stderr
        out = tmp_path / f"{name}.btf"
        r = btfcheck("encode", "dwarf", ko, "--base", pahole_ref, "-o", out, "--lang-exclude=rust")
        assert r.returncode == 0, r.stderr
        r = btfcheck("diff", "--base", pahole_ref, ref, out)
        assert r.returncode == 0, f"{name}: {r.stdout[-2000:]}"
        r = btfcheck("verify", "--base", pahole_ref, out)
        assert r.returncode == 0, f"{name}: {r.stdout[-2000:]}"


def test_tiny_kernel_if_built(tmp_path):
    tiny = sorted(glob.glob(str(CACHE / "tiny/**/vmlinux"), recursive=True))
    if not tiny:
        pytest.skip("no tiny kernel under ~/.cache/btfcheck/tiny (corpora/fetch-tiny-kernel)")
    if pahole_version() is None:
        pytest.skip("pahole is not installed")
    v = tiny[0]
    ref = tmp_path / "tiny.pahole.btf"
    assert run("pahole", *PAHOLE_FLAGS, f"--btf_encode_detached={ref}", v).returncode == 0
    outs = []
    for j in (1, 2):
        out = tmp_path / f"tiny.j{j}.btf"
        r = btfcheck("encode", "dwarf", v, "-o", out, f"-j{j}", "--lang-exclude=rust")
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    r = btfcheck("diff", ref, tmp_path / "tiny.j2.btf")
    assert r.returncode == 0, r.stdout[-3000:]
    assert btfcheck("verify", tmp_path / "tiny.j2.btf").returncode == 0
