"""The gate others call, demonstrated: ci/gate-suite (the script behind the reusable workflow
.github/workflows/btf-gate.yml and the composite action action.yml) on Debian's 6.12 cloud
vmlinux and 5 of its modules, the producer under test being pahole master built from
../shared/anchors, the reference btfcheck's encoder.

- against its own baseline: green; the baseline JSON is under 10% of the old inline base64
  form of the same outputs, and an unchanged rerun of --update adds no file;
- a pahole patched here to drop one struct member (tcp_sock.rcv_ssthresh) from BTF: red,
  naming the member;
- pahole behind a wrapper whose -jN output carries one extra duplicate INT (the bytes differ,
  the canonical graph does not): red, naming the reproducibility check, and nothing else.

Encodings go through the matrix's encoding cache ($BTFCHECK_CACHE/encodings) and pahole builds
through corpora/fetch-pahole-master's cache (the patched one in $BTFCHECK_CACHE/test-gate-suite,
apart from the builds pahole_master() chooses from), so a rerun encodes and builds nothing
it has before.
"""
from __future__ import annotations

import base64
import json
import lzma
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import CACHE, require_cloud_612, require_input, require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
ANCHORS = REPO.parent / "shared" / "anchors"
SUITE = ["--suite", "debian-6.12", "--modules", "5", "--reference", "btfcheck", "--jobs", "2"]
DROPPED = ("tcp_sock", "rcv_ssthresh")


def gate_suite(*args, timeout=1800) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "ci/gate-suite"), "--btfcheck", str(BTFCHECK), *SUITE,
                           *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          check=False, env={**os.environ, "GITHUB_STEP_SUMMARY": ""})


@pytest.fixture(scope="module")
def pahole() -> Path:
    require_cloud_612()
    pm = require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    if not ANCHORS.is_dir():
        return pm
    # The anchors' own build (cached: no rebuild), whatever was built last.
    r = subprocess.run([REPO / "corpora/fetch-pahole-master"], capture_output=True, text=True,
                       timeout=1800, check=False)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def baseline(pahole, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("gate-suite")
    base = d / "baseline" / "debian-6.12.json"
    r = gate_suite("--producer", pahole, "--baseline", base, "--out", d / "update", "--update")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "12 new" in r.stdout, r.stdout   # 6 inputs x (pahole, btfcheck), all distinct
    return base


def blob_files(base: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in (base.parent / (base.stem + ".blobs")).iterdir()}


def test_own_baseline_is_green_small_and_stable(pahole, baseline, tmp_path):
    r = gate_suite("--producer", pahole, "--baseline", baseline, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "btfcheck gate: PASS: 6 run(s) compared, 0 failure(s)" in r.stdout
    junit = (tmp_path / "out/junit.xml").read_text()
    assert "<failure" not in junit and 'name="vmlinux-6.12.' in junit
    results = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("results-*.json"))]
    mine = [x for doc in results for x in doc["runs"] if x["producer"] == "pahole"]
    assert len(mine) == 6 and all(x["repro"]["bytes_equal"] for x in mine), "pahole master -j2 == -j1"
    assert all(x["size_breakdown"]["families"] for x in mine)
    assert (tmp_path / "out/report/index.html").is_file()
    # The old form held every distinct output base64-encoded inside the JSON.
    blobs = baseline.parent / (baseline.stem + ".blobs")
    old_form = sum(len(base64.b64encode(lzma.decompress(p.read_bytes()))) for p in blobs.iterdir())
    assert baseline.stat().st_size < old_form / 10, (baseline.stat().st_size, old_form)
    # An unchanged rerun of --update writes no blob and removes none. It runs on a private
    # copy (hard links) of the encoding cache with --prune-cache, as the action does: the 18
    # encodings it uses (6 inputs: pahole -j2 and -j1, btfcheck) stay, a stale entry goes.
    before = blob_files(baseline)
    cache = tmp_path / "cache"
    subprocess.run(["cp", "-al", CACHE / "encodings", cache], check=True)
    (cache / "stale").mkdir()
    (cache / "stale/meta.json").write_text("{}")
    os.utime(cache / "stale/meta.json", (0, 0))
    r = gate_suite("--producer", pahole, "--baseline", baseline, "--out", tmp_path / "again", "--update",
                   "--cache", cache, "--prune-cache")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 new, 0 pruned" in r.stdout, r.stdout
    assert blob_files(baseline) == before
    assert f"encoding cache {cache}: 18 entries used by this run" in r.stderr, r.stderr
    entries = [p for p in cache.iterdir() if (p / "meta.json").is_file()]
    assert len(entries) == 18 and all((p / "out.btf").is_file() for p in entries)
    assert not (cache / "stale").exists()


def patched_source(root: Path) -> Path:
    """dwarves from the anchors with libbpf in lib/bpf and btf_encoder skipping one member."""
    dwarves = sorted(ANCHORS.glob("dwarves-*.tar.xz"))
    libbpf = sorted(ANCHORS.glob("libbpf-*.tar.xz"))
    if not dwarves or not libbpf:
        require_or_skip("pahole-master", f"no dwarves/libbpf source snapshot in {ANCHORS}")
    root.mkdir(parents=True)
    for t in (dwarves[-1], libbpf[-1]):
        subprocess.run(["tar", "-xJf", t, "-C", root], check=True)
    src = root / dwarves[-1].name.removesuffix(".tar.xz")
    shutil.rmtree(src / "lib/bpf", ignore_errors=True)   # the submodule's empty directory
    (root / libbpf[-1].name.removesuffix(".tar.xz")).rename(src / "lib/bpf")
    enc = src / "btf_encoder.c"
    text = enc.read_text()
    anchor = "\t\tname = class_member__name(pos);\n"
    assert text.count(anchor) == 1, "btf_encoder__add_struct_type changed: update the patch"
    struct, member = DROPPED
    enc.write_text(text.replace(anchor, anchor + (
        f'\t\tif (name && type__name(type) && !strcmp(type__name(type), "{struct}") &&\n'
        f'\t\t    !strcmp(name, "{member}"))\n'
        "\t\t\tcontinue;   /* btfcheck test_gate_suite: one member dropped */\n")))
    return src


def test_pahole_dropping_a_member_is_red_naming_it(pahole, baseline, tmp_path):
    src = patched_source(tmp_path / "src")
    # Built into a cache root of its own: pahole_master() (the newest build in the shared
    # root) must never find this one.
    env = {**os.environ, "BTFCHECK_CACHE": str(CACHE / "test-gate-suite")}
    r = subprocess.run([REPO / "corpora/fetch-pahole-master", "--source", src], capture_output=True,
                       text=True, timeout=1800, check=False, env=env)
    assert r.returncode == 0, r.stderr
    patched = Path(r.stdout.strip().splitlines()[-1])
    r = gate_suite("--producer", patched, "--baseline", baseline, "--out", tmp_path / "out")
    assert r.returncode == 1, r.stdout + r.stderr
    struct, member = DROPPED
    errors = [l for l in r.stdout.splitlines() if l.startswith("::error ")]
    assert any(f"struct {struct}.{member}" in l and "vmlinux-6.12." in l for l in errors), errors
    junit = (tmp_path / "out/junit.xml").read_text()
    assert f"struct {struct}.{member}" in junit and 'type="digest"' in junit
    assert 'type="repro"' not in junit, "the patched pahole is still reproducible"


# Appends a second copy of BTF's `int` (an INT named "int", 4 bytes, signed): the bytes change,
# the canonical graph (where structurally equal types are one) does not.
WRAPPER = r'''#!/usr/bin/python3
"""pahole master whose -jN (N > 1) output is not reproducible (btfcheck test_gate_suite)."""
import struct, subprocess, sys
rc = subprocess.run(["@PAHOLE@", *sys.argv[1:]]).returncode
jobs = [a for a in sys.argv[1:] if a.startswith("-j") and a[2:].isdigit()]
out = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--btf_encode_detached=")]
if rc or not jobs or int(jobs[0][2:]) < 2 or not out:
    sys.exit(rc)
b = bytearray(open(out[0], "rb").read())
hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<IIIII", b, 4)
strings = bytes(b[hdr_len + str_off:hdr_len + str_off + str_len])
at = strings.find(b"\0int\0")
if at < 0:
    sys.exit(0)   # split BTF whose own strings lack "int": left alone
end = hdr_len + type_off + type_len
b[end:end] = struct.pack("<IIII", at + 1, 1 << 24, 4, (1 << 24) | 32)
struct.pack_into("<II", b, 12, type_len + 16, str_off + 16 if str_off >= type_off + type_len else str_off)
open(out[0], "wb").write(b)
'''


def test_nonreproducible_j_output_is_red_naming_the_check(pahole, baseline, tmp_path):
    wrapper = tmp_path / "bin" / "pahole"
    wrapper.parent.mkdir()
    wrapper.write_text(WRAPPER.replace("@PAHOLE@", str(pahole)))
    wrapper.chmod(0o755)
    r = gate_suite("--producer", wrapper, "--baseline", baseline, "--out", tmp_path / "out")
    assert r.returncode == 1, r.stdout + r.stderr
    errors = [l for l in r.stdout.splitlines() if l.startswith("::error ")]
    assert errors and all("not reproducible (serial vs -j2)" in l for l in errors), errors
    assert any("vmlinux-6.12." in l and "reproducibility: the -j2 output differs from the serial "
               "(-j1) one in bytes; the canonical graph is the same" in l for l in errors), errors
    junit = (tmp_path / "out/junit.xml").read_text()
    assert 'type="repro"' in junit and 'type="digest"' not in junit
