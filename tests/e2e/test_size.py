"""btfcheck size: byte accounting against real producers' output.

The per-CPU corpus case encoded by pahole 1.24 with and without its VARs (the per-CPU
feature the kernel build turns on): every byte is charged once (families and kinds each sum
to the blob size), the deltas add up to the files' size difference, and the difference is
charged to the per-CPU family. The running kernel's BTF is accounted the same way.
Feature cost (`size --features`): the same case encoded by pahole master with and without
global_var, decl_tag_kfuncs (in the default set) and layout; and Debian's 6.12 cloud vmlinux
without and with global_var (two encodings, kept in the shared encoding cache).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import CACHE, pahole_master, require_input, require_or_skip, tool_resource

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = os.environ.get("BTFCHECK", str(REPO / "build" / "bin" / "btfcheck"))
CASE = REPO / "corpora" / "cases" / "percpu_section.c"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([BTFCHECK, *args], capture_output=True, text=True, check=False)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def size_json(*args: str) -> dict:
    return json.loads(run("size", "--json", *args).stdout)


def assert_sums(doc: dict, a_bytes: int, b_bytes: int) -> None:
    assert doc["total"] == {"a": a_bytes, "b": b_bytes, "delta": b_bytes - a_bytes}
    for table in ("families", "kinds"):
        assert sum(r["a"] for r in doc[table]) == a_bytes, table
        assert sum(r["b"] for r in doc[table]) == b_bytes, table
        assert sum(r["delta"] for r in doc[table]) == b_bytes - a_bytes, table
        for r in doc[table]:
            assert r["delta"] == r["b"] - r["a"], r


@pytest.fixture(scope="module")
def percpu_pair(tmp_path_factory) -> tuple[Path, Path]:
    for tool in ("gcc", "pahole"):
        if not shutil.which(tool):
            require_or_skip(tool_resource(tool), f"{tool} is not installed")
    d = tmp_path_factory.mktemp("size")
    obj = d / "unit0.o"
    subprocess.run(["gcc", "-g", "-O2", "-c", str(CASE), "-o", str(obj)], check=True)
    with_vars, without = d / "with_vars.btf", d / "without_vars.btf"
    subprocess.run(["pahole", f"--btf_encode_detached={with_vars}", str(obj)], check=True,
                   capture_output=True)
    subprocess.run(["pahole", "--skip_encoding_btf_vars", f"--btf_encode_detached={without}",
                    str(obj)], check=True, capture_output=True)
    return without, with_vars


def test_feature_delta_adds_up_and_lands_in_its_family(percpu_pair):
    without, with_vars = percpu_pair
    a, b = without.stat().st_size, with_vars.stat().st_size
    assert b > a, "pahole's per-CPU VARs should make the BTF larger"
    doc = size_json(str(without), str(with_vars))
    assert_sums(doc, a, b)
    fam = {r["name"]: r for r in doc["families"]}
    assert fam["per-CPU variables"]["a"] == 0
    assert fam["per-CPU variables"]["delta"] > 0
    kinds = {r["name"]: r for r in doc["kinds"]}
    assert kinds["VAR"]["delta"] > 0 and kinds["DATASEC"]["delta"] > 0
    assert kinds["header"]["delta"] == 0
    # The text table leads with the largest delta and ends with the total.
    text = run("size", "--by", "family", "--top", "3", str(without), str(with_vars)).stdout
    lines = [l for l in text.splitlines() if l.startswith("  ") and l.split()]
    largest = max(doc["families"], key=lambda r: (abs(r["delta"]), r["name"]))
    assert lines[1].split()[0:len(largest["name"].split())] == largest["name"].split(), text
    assert lines[-1].split()[0] == "total" and lines[-1].split()[-1] == f"+{b - a:,}", text


def test_one_input_sums_to_its_size(percpu_pair):
    _, with_vars = percpu_pair
    n = with_vars.stat().st_size
    doc = size_json(str(with_vars))
    assert_sums(doc, n, 0)


def test_running_kernel_every_byte_once():
    path = Path("/sys/kernel/btf/vmlinux")
    if not path.exists():
        require_or_skip("sysfs", "/sys/kernel/btf/vmlinux is absent (kernel without CONFIG_DEBUG_INFO_BTF)")
    n = len(path.read_bytes())
    doc = size_json(str(path))
    assert_sums(doc, n, 0)
    fam = {r["name"]: r["a"] for r in doc["families"]}
    assert fam["header"] >= 24
    assert any(k.startswith("types sk_") for k in fam), "struct sk_buff and friends"
    assert fam["per-CPU variables"] > 0


def test_usage_errors_exit_2(tmp_path):
    assert run("size", check=False).returncode == 2
    assert run("size", "--by", "color", "/dev/null", check=False).returncode == 2
    p = run("size", str(tmp_path / "missing.btf"), check=False)
    assert p.returncode == 2 and "missing.btf" in p.stderr


def test_feature_cost_with_pahole_master(percpu_pair, tmp_path):
    pm = require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    obj = percpu_pair[0].parent / "unit0.o"
    cache = tmp_path / "cache"
    args = ["size", "--features", "global_var,decl_tag_kfuncs,layout", "--pahole", str(pm),
            "--cache", str(cache), "--workdir", str(tmp_path / "w1"), "--json", str(obj)]
    doc = json.loads(run(*args).stdout)
    assert doc["schema"] == "btfcheck-feature-cost/1" and doc["producer"] == "pahole-master"
    rows = {r["feature"]: r for r in doc["rows"]}
    base = doc["baseline"]["bytes"]
    assert doc["baseline"]["features"] == "default"
    for r in rows.values():
        assert r["delta"] == r["bytes_with"] - r["bytes_without"]
        assert sum(k["delta"] for k in r["kinds"]) == r["delta"], r   # every kind that changed
        assert abs(r["percent"] - 100 * r["delta"] / r["bytes_without"]) < 1e-9
    g = rows["global_var"]
    assert (g["without"], g["with"], g["bytes_without"]) == ("default", "default,global_var", base)
    assert g["delta"] > 0 and {f["name"] for f in g["families"]} & {"sections (DATASEC)"}
    k = rows["decl_tag_kfuncs"]
    assert k["in_default"] and k["with"] == "default" and k["bytes_with"] == base
    assert "decl_tag_kfuncs" not in k["without"].split(",") and "decl_tag" in k["without"].split(",")
    assert k["delta"] == 0, "no .BTF_ids in a plain object: no kfunc tags"
    lay = rows["layout"]
    assert lay["delta"] == 80 and lay["families"] == [
        {"name": "other sections and padding", "without": 0, "with": 80, "delta": 80}]
    # The second run comes from the cache; the text table marks the default-set feature.
    r = run("size", "--features", "global_var,decl_tag_kfuncs,layout", "--pahole", str(pm),
            "--cache", str(cache), "--workdir", str(tmp_path / "w2"), str(obj))
    assert r.stderr.count("(cached)") == 4, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("feature cost: unit0.o encoded by pahole-master")
    assert any(l.split()[:2] == ["decl_tag_kfuncs", "*"] for l in lines), r.stdout
    assert "in the default set: its cost is the default minus the default without it" in r.stdout


def test_feature_cost_errors_name_the_problem(percpu_pair):
    obj = str(percpu_pair[0].parent / "unit0.o")
    pm = pahole_master()
    if pm is not None:
        p = run("size", "--features", "no_such_feature", "--pahole", str(pm), obj, check=False)
        assert p.returncode == 2 and "does not support the BTF feature 'no_such_feature'" in p.stderr
    # btfcheck's encoder as the producer needs `encode dwarf --compat=pahole-master`.
    compat = run("encode", "dwarf", "--compat=pahole-master", "--help", check=False).returncode == 0
    p = run("size", "--features", "layout", "--producer", "btfcheck", obj, check=False)
    if compat:
        assert p.returncode == 0, p.stderr
    else:
        assert p.returncode == 2 and "no --compat=pahole-master" in p.stderr
    assert run("size", "--features", "layout", obj, obj, check=False).returncode == 2


def test_global_var_on_the_612_vmlinux_adds_up(tmp_path):
    v = require_input("cloud-6.12", "Debian's 6.12 cloud vmlinux is not cached "
                      "(corpora/fetch-debian-kernel --release 6.12)")
    pm = require_input("pahole-master", "no pahole master build (corpora/fetch-pahole-master)")
    doc = json.loads(run("size", "--features", "global_var", "--pahole", str(pm), "-j2", "--quiet",
                         "--cache", str(CACHE / "encodings"), "--workdir", str(tmp_path / "w"),
                         "--json", str(v)).stdout)
    by_features = {e["features"]: Path(e["output"]) for e in doc["encodings"]}
    a, b = by_features["default"], by_features["default,global_var"]
    a_bytes, b_bytes = a.stat().st_size, b.stat().st_size
    assert_sums(size_json(str(a), str(b)), a_bytes, b_bytes)
    (row,) = doc["rows"]
    assert row["delta"] == b_bytes - a_bytes > 0
    # The text table leads with the families global_var adds: variables, static calls, tracepoints.
    out = run("size", "--by", "family", "--top", "5", str(a), str(b)).stdout
    rows = out.split("by family:\n")[1].splitlines()[1:6]   # after the column header
    top = [l.strip().split("  ")[0] for l in rows]
    assert len(top) == 5 and all(t.startswith(("variables ", "static calls", "tracepoints", "per-CPU"))
                                 for t in top[:3]), out
