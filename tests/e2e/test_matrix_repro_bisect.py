"""Producers through the btfcheck binary: matrix (list, run, shards, merge), repro, bisect,
and encode archive.

Real tools run here (clang-N, gcc, bpf-gcc, pahole); each test skips, saying why, when the
tool it needs is not installed. The vmlinux tests use Debian's cloud vmlinux and skip when
it is absent.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import cloud_vmlinux, require_cloud, require_or_skip, tool_resource

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
VMLINUX = cloud_vmlinux()


def run(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)


def need(*tools: str) -> None:
    for t in tools:
        if shutil.which(t) is None:
            require_or_skip(tool_resource(t), f"{t} is not installed")


@pytest.fixture(scope="module")
def producers() -> dict:
    r = run("matrix", "--list", "--json")
    assert r.returncode == 0, r.stderr
    return {p["name"]: p for p in json.loads(r.stdout)}


def test_list_names_every_producer_with_versions(producers):
    for name in ("gcc", "bpf-gcc", "pahole", "btfcheck", "archive-libbpf", "archive-btfcheck",
                 "embedded"):
        assert name in producers
    for p in producers.values():
        assert p["available"] == (p["missing"] == "")
        if p["available"]:
            assert p["version"], p
    if shutil.which("pahole"):
        assert producers["pahole"]["version"].startswith("v1.")
    text = run("matrix", "--list").stdout
    assert re.search(r"^pahole\s+(available|missing)", text, re.M)


def test_missing_tool_is_a_clean_skip(tmp_path):
    r = run("matrix", "--producers", "gcc,pahole", "--reference", "gcc", "--cases", "bitfields",
            "--pahole", "/nonexistent/pahole", "--workdir", tmp_path, "-o", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    # Not a terminal: one progress line per run on stderr.
    assert re.search(r"^\[1/2\] gcc bitfields: ok ", r.stderr, re.M), r.stderr
    assert re.search(r"^\[2/2\] pahole bitfields: skipped ", r.stderr, re.M), r.stderr
    q = run("matrix", "--quiet", "--producers", "gcc", "--reference", "gcc", "--cases",
            "bitfields", "--workdir", tmp_path / "q", "-o", tmp_path / "q.json")
    assert q.returncode == 0 and "[1/" not in q.stderr, q.stderr
    runs = json.loads((tmp_path / "r.json").read_text())["runs"]
    pahole = [x for x in runs if x["producer"] == "pahole"]
    assert pahole and pahole[0]["status"] == "skipped"
    assert "/nonexistent/pahole" in pahole[0]["reason"]


def test_matrix_records_and_shards(producers, tmp_path):
    need("gcc", "pahole")
    names = ["gcc", "pahole"] + (["clang-14"] if producers.get("clang-14", {}).get("available") else [])
    cases = "bitfields,enum64,recursive"
    full = tmp_path / "full.json"
    r = run("matrix", "--producers", ",".join(names), "--cases", cases, "-o", full,
            "--workdir", tmp_path / "w")
    assert r.returncode == 0, r.stderr
    doc = json.loads(full.read_text())
    assert doc["schema"] == "btfcheck-matrix/1" and doc["reference"] == "pahole"
    assert len(doc["runs"]) == 3 * len(names)
    for x in doc["runs"]:
        assert x["status"] == "ok", x
        assert x["size"]["total"] > 0 and x["size"]["types"] > 0 and x["size"]["strings"] > 0
        assert x["types"] == sum(x["kinds"].values())
        assert x["wall_s"] >= 0 and x["peak_rss_kb"] > 0 and len(x["digest"]) == 16
        assert "valid" in x["verify"]
        if x["producer"] != "pahole":
            assert "vs_reference" in x and "equal" in x["vs_reference"]
    # pahole's own BTF passes the verifier.
    assert all(x["verify"]["valid"] for x in doc["runs"] if x["producer"] == "pahole")
    # Two shards, merged, cover the same (input, producer) pairs with the same digests.
    parts = []
    for i in (1, 2):
        out = tmp_path / f"s{i}.json"
        r = run("matrix", "--producers", ",".join(names), "--cases", cases, "--shard", f"{i}/2",
                "-o", out, "--workdir", tmp_path / f"w{i}")
        assert r.returncode == 0, r.stderr
        parts.append(out)
    merged = tmp_path / "merged.json"
    assert run("matrix", "--merge", *parts, "-o", merged).returncode == 0
    key = lambda d: sorted((x["input"], x["producer"], x["digest"]) for x in d["runs"])
    assert key(json.loads(merged.read_text())) == key(doc)
    assert {x["input"] for x in json.loads(parts[0].read_text())["runs"]}.isdisjoint(
        {x["input"] for x in json.loads(parts[1].read_text())["runs"]})


def test_repro_clang_is_reproducible(producers, tmp_path):
    if not producers.get("clang-14", {}).get("available"):
        require_or_skip("clang-14", "clang-14 is not installed")
    r = run("repro", "clang-14", "bitfields", "--runs", "3", "--workdir", tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("identical bytes") == 2 and r.stdout.endswith("reproducible\n")


def test_repro_gcc_btf_order_varies_but_graph_does_not(tmp_path):
    """gcc 12's -gbtf type order follows heap addresses (ASLR): identical invocations give
    different bytes (seen: 4 variants in 6 runs; setarch -R makes them identical), but the
    canonical graph never changes. Either way repro must not report a graph difference."""
    need("gcc")
    r = run("repro", "gcc", "bitfields", "--runs", "6", "--workdir", tmp_path)
    assert r.returncode in (0, 1), r.stderr
    assert "0 differ canonically" in r.stdout and "differs too" not in r.stdout, r.stdout
    if r.returncode == 1:
        assert "canonical graph equal (order or layout only)" in r.stdout


def test_repro_errors():
    assert run("repro", "no-such-producer", "bitfields").returncode == 2
    assert run("repro", "gcc", "no-such-case").returncode == 2


def _vmlinux_pahole():
    need("pahole")
    require_cloud()
    v = subprocess.run(["pahole", "--version"], capture_output=True, text=True).stdout.strip()
    if v != "v1.24":
        require_or_skip("debian12-tools", f"the -j2 non-reproducibility is pahole 1.24's; found {v}")


def test_repro_flags_pahole_124_parallel(tmp_path):
    _vmlinux_pahole()
    r = run("repro", "pahole", VMLINUX, "-j", "1,2", "--runs", "1", "--workdir", tmp_path)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr
    assert "NOT REPRODUCIBLE" in r.stdout
    assert "canonical graph differs too" in r.stdout
    # The functions that change are named.
    funcs = re.findall(r"^copy-added func (\w+)", r.stdout, re.M)
    assert len(funcs) > 10, r.stdout[-3000:]


def test_repro_passes_pahole_serial(tmp_path):
    _vmlinux_pahole()
    r = run("repro", "pahole", VMLINUX, "-j", "0", "--runs", "2", "--workdir", tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert "identical bytes" in r.stdout


def test_bisect_finds_clang15_enum64(producers, tmp_path):
    clangs = [n for n in ("clang-14", "clang-15", "clang-16", "clang-19")
              if producers.get(n, {}).get("available")]
    if "clang-14" not in clangs or "clang-15" not in clangs:
        require_or_skip("clang-14|clang-15", "needs clang-14 and clang-15 (ci/bootstrap installs them)")
    r = run("bisect", "--producers", ",".join(clangs), "--case", "enum64", "--workdir", tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("first change: clang-15 ") and "last equal: clang-14" in first
    assert "kind enum e64_big: enum -> enum64" in r.stdout
    # Restricted to one type that did not change: no difference.
    r = run("bisect", "--producers", ",".join(clangs), "--case", "enum64", "--type",
            "e64_holder_does_not_exist", "--workdir", tmp_path / "t")
    assert r.returncode == 0 and r.stdout.startswith("no change"), r.stdout


def test_bisect_user_c_file(producers, tmp_path):
    if not (producers.get("clang-14", {}).get("available") and producers["gcc"]["available"]):
        require_or_skip("clang-14|gcc", "needs clang-14 and gcc")
    src = tmp_path / "mine.c"
    src.write_text("struct mine { long a; char b; } g_mine;\n")
    r = run("bisect", "--producers", "clang-14,gcc", "--case", src, "--type", "mine",
            "--rules", "cross-producer", "--workdir", tmp_path / "w")
    assert r.returncode == 0, r.stdout + r.stderr


def test_encode_archive_merges_per_object_pahole(tmp_path):
    """Two units, each with pahole -J BTF, linked with ld -r: the .BTF is an archive of two
    members; merged, it is canonically the BTF pahole makes from the linked DWARF."""
    need("gcc", "pahole", "ld")
    units = [REPO / "corpora/cases/two_cu_clash.c", REPO / "corpora/cases/units/two_cu_clash_b.c"]
    assert all(u.is_file() for u in units), units   # in the repository
    objs = []
    for i, u in enumerate(units):
        o = tmp_path / f"u{i}.o"
        subprocess.run(["gcc", "-g", "-O2", "-c", u, "-o", o], check=True)
        subprocess.run(["pahole", "-J", o], check=True, capture_output=True)
        objs.append(o)
    linked = tmp_path / "linked.o"
    subprocess.run(["ld", "-r", *objs, "-o", linked], check=True)
    out = tmp_path / "merged.btf"
    r = run("encode", "archive", linked, "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["members"] == 2 and stats["types_after"] <= stats["types_before"]
    assert run("verify", out).returncode == 0
    whole = tmp_path / "whole.btf"
    subprocess.run(["pahole", f"--btf_encode_detached={whole}", linked], check=True,
                   capture_output=True)
    d = run("diff", out, whole)
    assert d.returncode == 0, d.stdout[-2000:]
    # Both "struct clash" definitions survive, kept apart.
    canon = run("canon", out).stdout
    assert len(re.findall(r"^struct clash#", canon, re.M)) == 2, canon
    # Errors name the input, no output file.
    bad = tmp_path / "bad.btf"
    bad.write_bytes(b"\x9f\xeb\x01\x00" + b"\x00" * 4)
    r = run("encode", "archive", bad, "-o", tmp_path / "never.btf")
    assert r.returncode == 2 and str(bad) in r.stderr
    assert not (tmp_path / "never.btf").exists()


def test_repro_passes_our_encoder(tmp_path):
    """btfcheck's own DWARF->BTF encoder: the same bytes at every -j and on every run."""
    need("gcc")
    r = run("repro", "btfcheck", "bitfields", "-j", "1,2,4,8", "--runs", "2", "--workdir", tmp_path / "c")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("identical bytes") == 7
    require_cloud()
    r = run("repro", "btfcheck", VMLINUX, "-j", "1,2,4", "--runs", "1", "--workdir", tmp_path / "v")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert r.stdout.count("identical bytes") == 2 and r.stdout.endswith("reproducible\n")
