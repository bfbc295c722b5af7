"""Array shapes under --rules=cross-producer (the array-flatten rule), on
tests/e2e/c/array_shapes.c compiled by every producer: clang -target bpf -g, gcc -gbtf,
bpf-gcc -gbtf, and pahole -J on gcc -g.

pahole flattens every multi-dimensional array into one ARRAY (int m[3][4][5] -> 60 ints,
through array typedefs too); clang nests one ARRAY per dimension, outermost first; gcc 12
and bpf-gcc 12 nest them in reverse (5 of 4 of 3). The rule must make the flat and the
correct nesting equal and keep the reversed nesting a `type` change at the member's path,
printing both shapes. Which order a gcc uses is read from its own BTF, so the expectation
holds for a gcc that fixed the bug too (then nothing may be reported).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

import producers
from real_inputs import require_producer

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK") or REPO / "build" / "bin" / "btfcheck")
SOURCE = Path(__file__).resolve().parent / "c" / "array_shapes.c"

# Member (or typedef) -> (element, dimensions outermost first) as written in the source.
SHAPES = {
    "struct as_grid.m": ("int", [3, 4, 5]),
    "struct as_grid.rows": ("int", [3, 5]),
    "struct as_grid.pair": ("short", [2, 6]),
    "as_mat_t": ("int", [4, 5]),
}


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


def diff(a: Path, b: Path, *rules: str) -> tuple[int, dict]:
    r = run("diff", *rules, "--leaf", "--format", "json", a, b)
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    assert BTFCHECK.exists(), f"btfcheck binary not built: {BTFCHECK}"
    out = tmp_path_factory.mktemp("shapes")
    return {p: producers.compile(SOURCE, p, out)
            for p in ("clang", "gcc", "bpf-gcc", "pahole") if not producers.missing_reason(p)}


def need(objects, *prods):
    for p in prods:
        if p not in objects:
            require_producer(p)


def member_dims(obj: Path, member: str) -> list[int]:
    """Dimensions of struct as_grid's member as the object's BTF nests them."""
    dump = run("dump", obj)
    assert dump.returncode == 0, dump.stderr
    types = {}
    for block in re.split(r"\n(?=\[)", dump.stdout):
        m = re.match(r"\[(\d+)\] (\w+) '([^']*)'(.*)", block, re.S)
        if m:
            types[int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
    grid = next(t for t in types.values() if t[0] == "STRUCT" and t[1] == "as_grid")
    tid = int(re.search(rf"'{member}' type_id=(\d+)", grid[2]).group(1))
    dims = []
    while types[tid][0] in ("ARRAY", "TYPEDEF"):
        kind, _, rest = types[tid]
        if kind == "ARRAY":
            dims.append(int(re.search(r"nr_elems=(\d+)", rest).group(1)))
        tid = int(re.search(r"type_id=(\d+)", rest).group(1))
    return dims


def shape(element: str, dims: list[int]) -> str:
    return element + "".join(f"[{d}]" for d in dims)


def test_clang_nests_and_pahole_flattens(objects):
    """The premise, read from the producers' own BTF."""
    need(objects, "clang", "pahole")
    assert member_dims(objects["clang"], "m") == [3, 4, 5]
    assert member_dims(objects["clang"], "rows") == [3, 5]   # through typedef as_row_t
    assert member_dims(objects["pahole"], "m") == [60]
    assert member_dims(objects["pahole"], "rows") == [15]


def test_clang_equals_pahole_under_preset(objects):
    need(objects, "clang", "pahole")
    rc, strict = diff(objects["clang"], objects["pahole"])
    assert rc == 1 and "array-length" in strict["summary"], strict   # the rule does the work
    rc, report = diff(objects["clang"], objects["pahole"], "--rules=cross-producer")
    assert rc == 0 and report["equal"] and not report["changes"], report


@pytest.mark.parametrize("gcc", ["gcc", "bpf-gcc"])
def test_gcc_reversed_nesting_reported(objects, gcc):
    need(objects, "clang", gcc)
    gcc_m = member_dims(objects[gcc], "m")
    assert sorted(gcc_m) == [3, 4, 5], gcc_m
    rc, report = diff(objects["clang"], objects[gcc], "--rules=cross-producer")
    got = {(c["category"], c["path"], c["before"], c["after"]) for c in report["changes"]}
    if gcc_m == [3, 4, 5]:   # a gcc that nests in source order: nothing to report
        assert rc == 0 and not got, report
        return
    assert gcc_m == [5, 4, 3], gcc_m
    want = {("type", path, shape(e, dims), shape(e, dims[::-1]))
            for path, (e, dims) in SHAPES.items()}
    assert rc == 1 and got == want, report
    text = run("diff", "--rules=cross-producer", objects["clang"], objects[gcc])
    assert text.returncode == 1
    assert "type struct as_grid.m: int[3][4][5] -> int[5][4][3]\n" in text.stdout, text.stdout


@pytest.mark.parametrize("gcc", ["gcc", "bpf-gcc"])
def test_gcc_equals_pahole_under_preset(objects, gcc):
    """pahole's flat arrays cannot tell an order: any nesting of as many elements equals."""
    need(objects, gcc, "pahole")
    rc, report = diff(objects[gcc], objects["pahole"], "--rules=cross-producer")
    assert rc == 0 and report["equal"], report
