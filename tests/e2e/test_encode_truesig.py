"""`encode dwarf --compat=pahole-master --features=+true_signature`: pahole master's
true_signature. A gcc `.isra`/`.constprop` clone's FUNC takes the clone's ELF name
(tests/e2e/c/clones.c); a clang DW_CC_nocall function's parameters are the ones passed
(tests/e2e/c_host/nocall.c: dropped, or `<param>__<member>` for one used piece of a struct);
--explain says what was renamed or rewritten.

Our own expectations always run; where pahole master is built the same programs are
encoded by it and must have no canonical difference, and on Debian's 6.12 vmlinux and 12
modules the clone names must be the same set.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from real_inputs import require_612_modules, require_cloud_612, require_or_skip, require_pahole_master
from test_encode import btfcheck, run
from test_encode_master import MODULES_612, clones, encode, pahole_master_outputs  # noqa: F401 (clones: a fixture)

import pytest

# Programs for the host only (tests/e2e/c/ is compiled for BPF too, by the dump tests:
# nocall.c passes structs by value, which the BPF back end rejects).
C_HOST = Path(__file__).resolve().parent / "c_host"

TS = "--features=+true_signature"


def protos(btf: Path) -> dict[str, list[str]]:
    """FUNC name -> its parameters as 'name:TYPE' (TYPE: the kind and name bpftool-style)."""
    dump = btfcheck("dump", btf).stdout
    types = dict(re.findall(r"^\[(\d+)\] (\w+ '[^']*')", dump, re.M))
    out, params = {}, {}
    for m in re.finditer(r"^\[(\d+)\] FUNC_PROTO .*\n((?:\t.*\n)*)", dump, re.M):
        params[m[1]] = [f"{n}:{types.get(t, 'void')}" for n, t in re.findall(r"\t'([^']*)' type_id=(\d+)", m[2])]
    for name, proto in re.findall(r"^\[\d+\] FUNC '([^']+)' type_id=(\d+)", dump, re.M):
        out[name] = params[proto]
    return out


def dotted(btf: Path) -> set[str]:
    return {f for f in protos(btf) if "." in f}


def pahole_master(elf: Path, features: str, tmp_path: Path) -> Path:
    pm = require_pahole_master()
    copy = tmp_path / f"{elf.name}.{features.replace(',', '_')}"
    shutil.copy(elf, copy)
    ref = tmp_path / f"{copy.name}.pm.btf"
    r = run(pm, f"--btf_features={features}", f"--btf_encode_detached={ref}", copy)
    assert r.returncode == 0, r.stderr
    return ref


@pytest.fixture(scope="module")
def nocall(tmp_path_factory) -> tuple[Path, Path]:
    """tests/e2e/c_host/nocall.c by clang-19 -O2, linked and as an object (.o)."""
    if not shutil.which("clang-19"):
        require_or_skip("clang-19", "clang-19 is not installed")
    d = tmp_path_factory.mktemp("ts-nocall")
    prog, obj = d / "nocall", d / "nocall.o"
    assert run("clang-19", "-g", "-O2", C_HOST / "nocall.c", "-o", prog).returncode == 0
    assert run("clang-19", "-g", "-O2", "-c", C_HOST / "nocall.c", "-o", obj).returncode == 0
    assert "(nocall)" in run("readelf", "--debug-dump=info", prog).stdout, "clang made no DW_CC_nocall"
    return prog, obj


def test_only_with_pahole_master_mode(clones, tmp_path):
    r = btfcheck("encode", "dwarf", TS, clones, "-o", tmp_path / "x.btf")
    assert r.returncode == 2 and "--compat=pahole-master" in r.stderr, r.stderr


def test_gcc_clones_keep_their_names(clones, tmp_path):
    """scale.constprop.0 keeps its source parameters (gcc does not say what it passes);
    pick.constprop.0.isra.0's are reordered, so those without a location or a register
    go (pahole master's rule); rule 5 (optimized parameters) is off. Same bytes for -j2."""
    out = tmp_path / "ts.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", TS, "--explain", clones, "-o", out)
    assert r.returncode == 0, r.stderr
    assert protos(out) == {"keep_all": ["x:INT 'int'", "unused:INT 'int'"], "main": [],
                           "scale.constprop.0": ["x:INT 'int'", "y:INT 'int'", "ignored:INT 'int'"],
                           "pick.constprop.0.isra.0": []}
    assert re.search(r"^scale: renamed: FUNC 'scale\.constprop\.0', the ELF symbol at its code's address "
                     r"\(CU '[^']*clones\.c'\) \(true_signature\)$", r.stderr, re.M), r.stderr
    assert re.search(r"^pick: renamed: FUNC 'pick\.constprop\.0\.isra\.0', .*; parameters as passed: "
                     r"'which' dropped \(it is a constant; the parameters are reordered\), 'p' dropped "
                     r"\(it is in no register at first; the parameters are reordered\) \(true_signature\)$",
                     r.stderr, re.M), r.stderr
    assert not re.search(r"^(scale|pick): skipped", r.stderr, re.M), r.stderr
    j2 = encode(clones, tmp_path / "j2.btf", "--compat=pahole-master", TS, "-j2")
    assert j2 == out.read_bytes()
    assert btfcheck("verify", out).returncode == 0


def test_gcc_clones_match_pahole_master(clones, tmp_path):
    ref = pahole_master(clones, "default,true_signature", tmp_path)
    out = tmp_path / "ts.btf"
    encode(clones, out, "--compat=pahole-master", TS)
    d = btfcheck("diff", ref, out)
    assert d.returncode == 0, d.stdout
    assert dotted(ref) == dotted(out)


NOCALL_TS = {
    "drop_unused": ["x:INT 'int'", "y:INT 'int'"],
    "const_arg": ["x:INT 'int'"],
    "use_second": ["p__b:INT 'long'", "k:INT 'int'"],
    "use_first": ["k:INT 'int'", "p__a:INT 'long'"],
    "big_unused": ["b:STRUCT 'big'", "k:INT 'int'"],
    "both_halves": ["p:STRUCT 'pair'"],
    "keep": ["x:INT 'int'", "unused:INT 'int'"],
    "main": [],
}


def test_nocall_parameters_as_passed(nocall, tmp_path):
    """clang's DW_CC_nocall functions: parameters dropped or replaced by the one member
    passed; each rewritten FUNC has one --explain line. Without true_signature the three
    that lost a parameter are skipped (optimized parameters, or the register after the
    lost one is unexpected), the split structs stay whole."""
    prog, _ = nocall
    out = tmp_path / "ts.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", TS, "--explain", prog, "-o", out)
    assert r.returncode == 0, r.stderr
    assert protos(out) == NOCALL_TS
    lines = dict(re.findall(r"^(\w+): rewritten: parameters as passed: (.*) \(true_signature\)$", r.stderr, re.M))
    assert lines == {
        "drop_unused": "'unused' dropped (it has no location)",
        "const_arg": "'mode' dropped (it is a constant, passed in no register)",
        "use_second": "'p' is 'p__b' (only its member 'b' is passed)",
        "use_first": "'p' is 'p__a' (only its member 'a' is passed)",
        "big_unused": "'unused' dropped (it has no location)"}, r.stderr
    assert encode(prog, tmp_path / "j2.btf", "--compat=pahole-master", TS, "-j2") == out.read_bytes()
    plain = tmp_path / "plain.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", "--explain", prog, "-o", plain)
    assert r.returncode == 0, r.stderr
    assert set(protos(plain)) == set(NOCALL_TS) - {"drop_unused", "const_arg", "big_unused"}
    assert protos(plain)["use_second"] == ["p:STRUCT 'pair'", "k:INT 'int'"]
    assert re.search(r"^const_arg: skipped: optimized parameters of a DW_CC_nocall function: "
                     r"parameter 'mode' has no location \(--compat=pahole-master\)$", r.stderr, re.M), r.stderr
    assert re.search(r"^drop_unused: skipped: unexpected register usage: parameter 'y' ", r.stderr, re.M)


@pytest.mark.parametrize("features", ["default", "default,true_signature"])
@pytest.mark.parametrize("kind", ["linked", "object"])
def test_nocall_matches_pahole_master(nocall, tmp_path, features, kind):
    """The program and its object file, by pahole master with and without true_signature."""
    elf = nocall[0] if kind == "linked" else nocall[1]
    ref = pahole_master(elf, features, tmp_path)
    out = tmp_path / "ours.btf"
    encode(elf, out, "--compat=pahole-master", *([TS] if "true_signature" in features else []))
    d = btfcheck("diff", ref, out)
    assert d.returncode == 0, d.stdout
    assert protos(ref) == protos(out)


def test_612_vmlinux_and_modules_match_pahole_master(tmp_path):
    """Debian's 6.12 cloud vmlinux and 12 modules with default,true_signature against pahole
    master's: no canonical difference, the same clone-named FUNCs, the same bytes for -j1,
    -j2, -j4 and -j8."""
    v = require_cloud_612()
    require_pahole_master()
    [ref] = pahole_master_outputs("--features", "default,true_signature", str(v))
    outs = [encode(v, tmp_path / f"j{j}.btf", "--compat=pahole-master", TS, f"-j{j}") for j in (1, 2, 4, 8)]
    assert all(o == outs[0] for o in outs)
    d = btfcheck("diff", ref, tmp_path / "j2.btf")
    assert d.returncode == 0, d.stdout[-3000:]
    theirs, ours = dotted(ref), dotted(tmp_path / "j2.btf")
    assert theirs == ours and len(ours) > 400, (len(theirs), len(ours), sorted(theirs ^ ours)[:20])
    kos = require_612_modules(v, MODULES_612)
    refs = pahole_master_outputs("--features", "default,true_signature", "--base", str(v),
                             *(str(kos[m]) for m in MODULES_612))
    for m, r in zip(MODULES_612, refs):
        out = tmp_path / f"{m}.btf"
        encode(kos[m], out, "--compat=pahole-master", TS, "--base", str(v))
        d = btfcheck("diff", "--base", v, r, out)
        assert d.returncode == 0, (m, d.stdout[-2000:])
