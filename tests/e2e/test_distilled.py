"""Modules with a distilled base (issue 13): Debian's 6.12 modules re-encoded by pahole master
with --btf_features=default,distilled_base (corpora/encode-pahole-master --base VMLINUX), so
each carries .BTF split on a small .BTF.base.

  * verify is clean on their own base (both parts: .BTF.base and .BTF);
  * verify --base the 6.12 vmlinux is clean after relocation;
  * diff --base VMLINUX against the same module encoded directly on the vmlinux (default)
    finds nothing, and `relocate -o` writes split BTF that diffs equal too;
  * relocated onto Debian's 6.1 vmlinux they get relocate.* findings naming the unmatched
    types, and `relocate` writes nothing.
Skips (with the reason) when the 6.12 vmlinux, the 6.1 vmlinux or the re-encoded modules
are not cached.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from real_inputs import CACHE, cloud_612_vmlinux, debian_vmlinux, require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
MODULES = ("nf_conntrack", "tcp_bbr", "xfs", "virtio_net", "sch_fq")


def run(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, argv)], capture_output=True, text=True,
                          timeout=300, check=False)


def encoded(features: str, name: str) -> Path | None:
    found = sorted(CACHE.glob(f"derived/*/6.12.*/{features}/{name}.ko"))
    return found[-1] if found else None


@pytest.fixture(scope="module")
def inputs():
    v612 = cloud_612_vmlinux()
    if v612 is None:
        require_or_skip("cloud-6.12", "Debian's 6.12 vmlinux is not cached (corpora/fetch-debian-kernel --release 6.12)")
    mods = {m: (encoded("default,distilled_base", m), encoded("default", m)) for m in MODULES}
    missing = [m for m, (d, f) in mods.items() if d is None or f is None]
    if missing:
        require_or_skip("pahole-master", f"modules {missing} not re-encoded by pahole master (corpora/encode-pahole-master "
                    "--features default,distilled_base --base VMLINUX; and --features default)")
    return v612, mods


def parts(doc: dict) -> dict:
    return {m["section"]: m for m in doc["members"]}


@pytest.mark.parametrize("name", MODULES)
def test_clean_on_own_base_and_relocated(inputs, name):
    v612, mods = inputs
    dist, _ = mods[name]
    for extra in ([], ["--base", v612]):
        r = run("verify", "--json", *extra, dist)
        assert r.returncode == 0, (extra, r.stdout[-2000:], r.stderr)
        p = parts(json.loads(r.stdout))
        assert set(p) == {".BTF.base", ".BTF"}
        assert p[".BTF.base"]["load"] == "builtin" and p[".BTF.base"]["types"] > 50
        assert p[".BTF"]["types"] > 500 and p[".BTF"]["kernel"] == "6.18"


@pytest.mark.parametrize("name", MODULES)
def test_diff_against_direct_encoding_is_empty(inputs, name, tmp_path):
    v612, mods = inputs
    dist, direct = mods[name]
    r = run("diff", "--base", v612, dist, direct)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    out = tmp_path / f"{name}.btf"
    r = run("relocate", dist, "--base", v612, "-o", out)
    assert r.returncode == 0 and out.stat().st_size > 1000, r.stderr
    assert run("verify", "--base", v612, out).returncode == 0
    assert run("diff", "--base", v612, out, direct).returncode == 0
    d1, d2 = run("digest", "--base", v612, dist), run("digest", "--base", v612, out)
    assert d1.returncode == 0 and d1.stdout == d2.stdout


@pytest.mark.parametrize("name", MODULES)
def test_other_kernel_names_unmatched_types(inputs, name, tmp_path):
    v61 = debian_vmlinux("6.1", "cloud-amd64")
    if v61 is None:
        require_or_skip("cloud", "Debian's 6.1 cloud vmlinux is not cached (corpora/fetch-cloud-vmlinux)")
    _, mods = inputs
    dist, _ = mods[name]
    r = run("verify", "--json", "--base", v61, dist)
    assert r.returncode == 1, r.stdout[-2000:]
    found = [v for v in parts(json.loads(r.stdout))[".BTF.base"]["violations"]
             if v["rule"].startswith("relocate.")]
    assert found and all(v["name"] and v["kind"] and v["type_id"] for v in found), found
    assert {"relocate.missing", "relocate.kind"} <= {v["rule"] for v in found}
    out = tmp_path / "never.btf"
    r = run("relocate", dist, "--base", v61, "-o", out, "--json")
    assert r.returncode == 1 and not out.exists()
    doc = json.loads(r.stdout)
    assert doc["relocated"] is False and len(doc["findings"]) == len(found)
    r = run("dump", "--base", v61, dist)
    assert r.returncode == 2 and "[relocate." in r.stderr and not r.stdout


def test_dump_reads_the_distilled_form(inputs):
    v612, mods = inputs
    dist, _ = mods["tcp_bbr"]
    own = run("dump", dist)
    assert own.returncode == 0
    # Split on its own base: ids continue the distilled base's, names resolve there.
    first = own.stdout.splitlines()[0]
    assert first.startswith("[") and "'(invalid)'" not in own.stdout, first
    rel = run("dump", "--base", v612, dist)
    assert rel.returncode == 0 and int(rel.stdout[1:rel.stdout.index("]")]) > 100000
    assert run("dump", "--format", "c", dist).returncode == 0
    assert run("canon", dist).stdout.startswith("# target: 64le\n")
