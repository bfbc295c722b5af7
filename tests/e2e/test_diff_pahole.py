"""`btfcheck diff` on Debian's cloud vmlinux against pahole 1.24's own re-encodings.

- pahole 1.24 serial vs `pahole -j2`: 1.24 gives each thread its own encoder, so the
  parallel output holds extra copies of same-name static functions. The diff must list
  those functions by name, and nothing but functions.
- The `.BTF` embedded by Debian's build (pahole 1.24 with the flags of Linux 6.1's
  scripts/pahole-flags.sh: --btf_gen_floats -j --lang_exclude=rust) vs pahole 1.24's serial
  re-encoding with the same flags: every difference is such an extra copy, and the
  suppression file corpora/suppressions/pahole-1.24-parallel.supp, which accepts exactly
  that, leaves none. Re-encoded with pahole's default flags (no FLOAT), the one further
  difference is `double` (FLOAT vs INT), which the float-int rule explains.

Serial encodings are cached in ~/.cache/btfcheck/pahole/<version>/ (each takes ~8 s); the
parallel one is made fresh (it is not reproducible).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import cloud_vmlinux, require_cloud, require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
VMLINUX = cloud_vmlinux()
SUPP = REPO / "corpora/suppressions/pahole-1.24-parallel.supp"
KERNEL_FLAGS = ["--btf_gen_floats", "--lang_exclude=rust"]   # 6.1's flags, minus -j
FUNC_CATEGORIES = {"copy-added", "copy-removed", "param", "param-name", "type", "return",
                   "qualifier"}


def _pahole() -> tuple[str, str]:
    pahole = shutil.which("pahole")
    if pahole is None:
        require_or_skip("pahole", "pahole (Debian package dwarves) is not installed")
    require_cloud()
    version = subprocess.run([pahole, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    if version != "v1.24":
        require_or_skip("debian12-tools", f"these expectations are for Debian 12's pahole v1.24, found {version}")
    return pahole, version


def _encode(out: Path, flags: list[str]) -> Path:
    pahole, _ = _pahole()
    tmp = out.with_suffix(".tmp")
    subprocess.run([pahole, *flags, f"--btf_encode_detached={tmp}", str(VMLINUX)], check=True,
                   capture_output=True, timeout=600)
    tmp.rename(out)
    return out


def _cached(flags: list[str]) -> Path:
    _, version = _pahole()
    cache = Path.home() / ".cache/btfcheck/pahole" / version
    cache.mkdir(parents=True, exist_ok=True)
    name = VMLINUX.name + "." + ("_".join(f.strip("-").replace("=", "-") for f in flags) or "default")
    out = cache / (name + ".btf")
    return out if out.is_file() else _encode(out, flags)


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=600, check=False)


def _func_name(path: str) -> str:
    m = re.match(r"func ([^#.\s]+)", path)
    assert m, path
    return m.group(1)


def _func_names(btf: Path) -> set[str]:
    r = run("canon", btf)
    assert r.returncode == 0, r.stderr
    return {_func_name(l) for l in r.stdout.splitlines() if l.startswith("func ")}


@pytest.fixture(scope="module")
def serial():
    return _cached(KERNEL_FLAGS)


def test_serial_vs_parallel_lists_the_functions(serial, tmp_path):
    parallel = _encode(tmp_path / "j2.btf", ["-j2", *KERNEL_FLAGS])
    r = run("diff", "--format", "json", serial, parallel)
    assert r.returncode == 1, r.stderr
    rep = json.loads(r.stdout)
    changes = rep["changes"]
    assert changes, "pahole 1.24 -j2 gave the serial BTF: nothing to show"
    # Only functions differ, and every change names its function.
    assert {c["kind"] for c in changes} == {"func"}, {c["kind"] for c in changes}
    assert {c["category"] for c in changes} <= FUNC_CATEGORIES, rep["summary"]
    names = {_func_name(c["path"]) for c in changes}
    # The parallel copies are of functions the serial output has too.
    assert names <= _func_names(serial)
    text = run("diff", serial, parallel).stdout
    for name in names:
        assert f"func {name}" in text
    # The suppression file accepts the extra copies, and only them.
    sup = run("diff", "--suppress", SUPP, serial, parallel)
    copies = sum(c["category"].startswith("copy-") for c in changes)
    assert f"({copies} suppressed)" in sup.stdout
    assert sup.returncode == (0 if copies == len(changes) else 1), sup.stdout[-2000:]


def test_embedded_vs_serial_reencoding_is_explained(serial):
    r = run("diff", "--format", "json", VMLINUX, serial)
    assert r.returncode == 1, r.stderr
    rep = json.loads(r.stdout)
    # Debian's build ran pahole -j: every difference is an extra copy of a same-name static
    # FUNC in the embedded BTF, whose name the serial output has too.
    assert rep["summary"].keys() == {"copy-removed"}, rep["summary"]
    assert {c["kind"] for c in rep["changes"]} == {"func"}
    assert {_func_name(c["path"]) for c in rep["changes"]} <= _func_names(serial)
    r = run("diff", "--suppress", SUPP, VMLINUX, serial)
    assert r.returncode == 0, r.stdout[-2000:]
    assert re.search(r"no differences \(\d+ suppressed\)", r.stdout), r.stdout


def test_embedded_vs_default_flags_reencoding(serial):
    default = _cached([])
    r = run("diff", "--suppress", SUPP, VMLINUX, default)
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "kind double: float -> int", r.stdout[:2000]
    assert re.search(r"^1 difference\(s\): kind 1 \(\d+ suppressed\)$", r.stdout, re.M), r.stdout
    r = run("diff", "--rules=float-int", "--suppress", SUPP, VMLINUX, default)
    assert r.returncode == 0, r.stdout[-2000:]
