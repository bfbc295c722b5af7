"""pahole master's "uncertain parameter location" (--compat=pahole-master,
encoder/dwarf/packed_params.cc): a function whose parameter past the ones passed in registers
is a named struct pahole infers packed is skipped. On x86-64 that is the 7th parameter on
(tests/e2e/c_host/packed_params.c); on i386, where pahole knows no register parameters, any
struct by value it finds packed, such as struct timespec64 (a long long member makes its 12
bytes no multiple of 8)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_encode import btfcheck, run
from test_encode_master import encode, funcs_of, gcc_build, matches_pahole_master
from test_targets import require_i386_vmlinux

C_HOST = Path(__file__).resolve().parent / "c_host"
UNCERTAIN = r"^{}: skipped: uncertain parameter location: parameter 7 \('{}'\) is struct {} by value"


@pytest.fixture(scope="module")
def packed_prog(tmp_path_factory) -> Path:
    return gcc_build(tmp_path_factory, C_HOST / "packed_params.c")


def test_uncertain_parameter_location(packed_prog, tmp_path):
    """struct odd (9 bytes, packed) as the 7th parameter: skipped; as the 6th (a register):
    kept. struct plain and struct outer (holes: not packed) as the 7th: kept. struct inner is
    natural on its own, but struct outer holds it at offset 1, and once pahole has looked at
    struct outer (it has holes) inner counts as packed for the rest of the CU: of the two
    functions taking it, the one pahole meets after seven_outer is skipped, the other kept.
    btfcheck's own mode keeps all of them."""
    out = tmp_path / "m.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", "--explain", packed_prog, "-o", out)
    assert r.returncode == 0, r.stderr
    kept = funcs_of(out)
    assert {"six_odd", "seven_plain", "seven_outer", "main"} <= kept
    assert "seven_odd" not in kept
    assert re.search(UNCERTAIN.format("seven_odd", "o", "odd"), r.stderr, re.M), r.stderr
    inner = {"inner_first", "inner_after"}
    assert len(inner & kept) == 1, kept
    [skipped] = inner - kept
    assert re.search(UNCERTAIN.format(skipped, "i", "inner"), r.stderr, re.M), r.stderr
    # Which one: the later in DIE order than seven_outer.
    dies = re.findall(r"DW_AT_name\s+: (?:\(\w+\) )?(?:\(indirect string, offset: 0x\w+\): )?(\w+)",
                      run("readelf", "--debug-dump=info", packed_prog).stdout)
    order = [n for n in dies if n in inner | {"seven_outer"}]
    assert order.index(skipped) > order.index("seven_outer"), order
    own = tmp_path / "own.btf"
    encode(packed_prog, own)
    assert {"six_odd", "seven_odd", "seven_plain", "seven_outer", "inner_first", "inner_after"} <= funcs_of(own)


def test_uncertain_parameter_location_matches_pahole_master(packed_prog, tmp_path):
    matches_pahole_master(packed_prog, tmp_path)


def test_i386_matches_pahole_master(tmp_path):
    """A 32-bit kernel: no canonical difference from pahole master --btf_features=default, the
    functions taking struct timespec64 by value left out as pahole master leaves them."""
    vmlinux = require_i386_vmlinux()
    matches_pahole_master(vmlinux, tmp_path, "-j2")
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", "--explain", "-j2", vmlinux, "-o", tmp_path / "e.btf")
    assert r.returncode == 0, r.stderr[-2000:]
    assert re.search(r"^\w+: skipped: uncertain parameter location: .* is struct timespec64 by value",
                     r.stderr, re.M), r.stderr[-2000:]
