"""btfcheck size: byte accounting against real producers' output.

The per-CPU corpus case encoded by pahole 1.24 with and without its VARs (the per-CPU
feature the kernel build turns on): every byte is charged once (families and kinds each sum
to the blob size), the deltas add up to the files' size difference, and the difference is
charged to the per-CPU family. The running kernel's BTF is accounted the same way.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import require_or_skip, tool_resource

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
