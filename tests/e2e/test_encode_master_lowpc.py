"""pahole master finds a function state's symbol by DW_AT_low_pc, compared with the symbol
values as they are (btf_encoder.c: `state->addr = function__addr(fn)`, the lexblock's
low_pc). Which symbol is "at the address" decides the canonical state, the
optimized-parameter skip of `.isra`/`.constprop` clones and true_signature's clone name.
Two kinds of function have no symbol there for pahole master:
- gcc's hot/cold split functions (`foo.constprop.0` + `foo.constprop.0.cold`): their DWARF
  has DW_AT_ranges and no DW_AT_low_pc (13 FUNCs of the 6.1 cloud vmlinux);
- arm64's ftrace-patchable functions, whose DWARF starts 8 bytes past the symbol (213 FUNCs
  and 8 parameter names of the 6.12 arm64 vmlinux, 103 clone names with true_signature).
--compat=pahole-master reproduces it (encoder/dwarf/func_encoder.cc, note_subprogram)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from real_inputs import require_cloud, require_input, require_modules, require_pahole_master
from test_encode import btfcheck, run
from test_encode_master import (encode, funcs_of, matches_pahole_master, modules_match_pahole_master,
                                gcc_build, pahole_master_outputs)

C_HOST = Path(__file__).resolve().parent / "c_host"


@pytest.fixture(scope="module")
def cold_clone(tmp_path_factory) -> Path:
    """tests/e2e/c_host/cold_clone.c by gcc -O2: sum_checked.constprop.0 (it ignores a
    parameter) with a .cold part."""
    prog = gcc_build(tmp_path_factory, C_HOST / "cold_clone.c")
    syms = run("readelf", "-sW", prog).stdout
    assert "sum_checked.constprop.0.cold" in syms, "gcc made no hot/cold split clone:\n" + syms
    return prog


def test_cold_clone_is_kept(cold_clone, tmp_path):
    """A hot/cold split clone has no DW_AT_low_pc: pahole master sees no clone symbol at its
    address, so "optimized parameters" does not skip it. Its FUNC is there, under the base
    name, with the source-level parameters; the 1.24 mode (exact names) has no such FUNC."""
    out = tmp_path / "m.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", "--explain", cold_clone, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "sum_checked" in funcs_of(out)
    assert not re.search(r"^sum_checked: skipped: optimized parameters", r.stderr, re.M), r.stderr
    dump = btfcheck("dump", out).stdout
    proto = re.search(r"^\[\d+\] FUNC 'sum_checked' type_id=(\d+)", dump, re.M)
    assert proto, dump
    params = re.search(rf"^\[{proto.group(1)}\] FUNC_PROTO .* vlen=(\d+)", dump, re.M)
    assert params and params.group(1) == "3", dump
    old = tmp_path / "o.btf"
    assert btfcheck("encode", "dwarf", "--compat=pahole-1.24", cold_clone, "-o", old).returncode == 0
    assert "sum_checked" not in funcs_of(old)


def test_cold_clone_matches_pahole_master(cold_clone, tmp_path):
    ref = matches_pahole_master(cold_clone, tmp_path)
    assert "sum_checked" in funcs_of(ref)


def test_61_cloud_vmlinux_matches_pahole_master(tmp_path):
    """The 6.1 cloud vmlinux (where the 13 hot/cold split clones are): no canonical difference
    from pahole master --btf_features=default --lang_exclude=rust."""
    v = require_cloud()
    require_pahole_master()
    [ref] = pahole_master_outputs("--features", "default", str(v))
    out = tmp_path / "m.btf"
    encode(v, out, "--compat=pahole-master", "--lang-exclude=rust", "-j2")
    d = btfcheck("diff", ref, out)
    assert d.returncode == 0, d.stdout[-3000:]


def clone_named(btf: Path) -> set[str]:
    return {f for f in funcs_of_any(btf) if "." in f}


def funcs_of_any(btf: Path) -> set[str]:
    return set(re.findall(r"^\[\d+\] FUNC '([\w.]+)'", btfcheck("dump", btf).stdout, re.M))


ARM64_MODULES = ("nf_conntrack", "nf_nat", "nf_flow_table", "tcp_bbr", "nf_defrag_ipv4",
                 "nf_defrag_ipv6", "libcrc32c")


def test_arm64_612_matches_pahole_master(tmp_path):
    """Debian's 6.12 arm64 vmlinux and 7 modules (split on it): no canonical difference from
    pahole master with default features, and with +true_signature the same clone-named FUNCs."""
    v = require_input("arm64-6.12", "Debian's 6.12 arm64 vmlinux is not cached "
                      "(corpora/fetch-debian-kernel --release 6.12 --arch arm64)")
    require_pahole_master()
    [ref] = pahole_master_outputs("--features", "default", str(v))
    out = tmp_path / "m.btf"
    encode(v, out, "--compat=pahole-master", "-j2")
    d = btfcheck("diff", ref, out)
    assert d.returncode == 0, d.stdout[-3000:]
    [ref_ts] = pahole_master_outputs("--features", "default,true_signature", str(v))
    ts = tmp_path / "ts.btf"
    encode(v, ts, "--compat=pahole-master", "--features=+true_signature", "-j2")
    assert btfcheck("diff", ref_ts, ts).returncode == 0
    names = clone_named(ts)
    assert names == clone_named(ref_ts) and len(names) > 50, sorted(names ^ clone_named(ref_ts))[:20]
    # Default mode: every difference from the compat output has a named reason (those of
    # the canonical state: symbol_entry).
    r = btfcheck("encode", "dwarf", "--explain", "-j2", v, "-o", tmp_path / "own.btf")
    assert r.returncode == 0, r.stderr[-2000:]
    vs = [line for line in r.stderr.splitlines() if ": vs pahole master: " in line]
    assert vs and not [line for line in vs if "[unexplained]" in line], vs[:5]
    assert any("[symbol_entry]" in line for line in vs)
    modules_match_pahole_master(v, require_modules(v, ARM64_MODULES, "arm64-6.12"), tmp_path)
