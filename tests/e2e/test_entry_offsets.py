"""Function entries per target (issue 13 item 4): `verify --dwarf` and the encoder's
func_by_address find the subprogram "at" a function symbol with the target's entry offset.

- A two-unit program built with gcc -fpatchable-function-entry=2 whose assembly is
  rewritten to put each function's DW_AT_low_pc label after its two patch NOPs: the layout
  gcc gives arm64 kernels (symbol + 8 there, + 2 with x86's one-byte NOPs), with one
  function opted out (`patchable_function_entry(0, 0)`, as notrace is). Both the oracle and
  the encoder must learn +2 for the patchable functions and 0 for the other, and the
  encoder must give `clash` the prototype of the code at its symbol (b.c), not of the
  address-less inline copy that comes first (a.c), which is what it did before (and what
  `--features=-func_by_address` still does: the oracle names it).
- Debian's arm64 6.1 vmlinux (resource arm64): its own .BTF and btfcheck's encoding match
  >= 98% of FUNCs at their entry (symbol + 8 for the ftrace-patchable ones, from the
  __start_mcount_loc table relocated by .rela.dyn; symbol + 0 for notrace ones); a module's
  table is its __patchable_function_entries. Debian's 6.12 cloud vmlinux (resource
  cloud-6.12): x86-64 learns 0 for both kinds (IBT puts the patch site 4 bytes in).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import debian_modules_dir, require_input, require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK") or os.environ.get("BTFCHECK_BINARY")
                or REPO / "build" / "bin" / "btfcheck")

A_C = """static inline int clash(long x) { return (int)x * 5; }
int use_a(long v) { return clash(v) + 1; }
"""
B_C = """int use_a(long v);
int clash(int *p) { return p[0] + 1; }
__attribute__((patchable_function_entry(0, 0))) int untraced(int x) { return x * 3; }
int (*volatile keep[2])(int *) = {clash, 0};
int main(void) { int a[1] = {2}; return keep[0](a) + untraced(1) + use_a(3); }
"""

# arm64 6.1 releases: FUNCs of the Debian-built .BTF (pahole 1.24) whose prototype is another
# same-named function's (dwarf.func-wrong-origin, the bug class func_by_address fixes).
ARM64_WRONG_ORIGIN = {"6.1.0-57-arm64": 53}


def run(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def binary():
    assert BTFCHECK.exists(), f"btfcheck binary absent: {BTFCHECK} (build it or set $BTFCHECK)"
    return BTFCHECK


def move_entry_labels(asm: str) -> str:
    """Moves each `.LFBn:` label (gcc's DW_AT_low_pc) after the patch NOPs that follow its
    `.LPFEn:` label, as gcc lays out arm64 functions; functions without a patch area keep
    theirs."""
    lines = asm.split("\n")
    out, i = [], 0
    while i < len(lines):
        if re.fullmatch(r"\.LFB\d+:", lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].strip() != ".cfi_endproc" \
                    and not re.fullmatch(r"\.LPFE\d+:", lines[j]):
                j += 1
            if j < len(lines) and re.fullmatch(r"\.LPFE\d+:", lines[j]):
                k = j + 1
                while k < len(lines) and lines[k].strip() == "nop":
                    k += 1
                out += lines[i + 1:k] + [lines[i]]
                i = k
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def build(tmp: Path, moved: bool) -> Path:
    if shutil.which("gcc") is None:
        require_or_skip("gcc", "gcc is not installed")
    asms = []
    for name, src in (("a", A_C), ("b", B_C)):
        (tmp / f"{name}.c").write_text(src)
        asm = tmp / f"{name}.s"
        subprocess.run(["gcc", "-g", "-O2", "-fpatchable-function-entry=2", "-S",
                        tmp / f"{name}.c", "-o", asm], check=True)
        if moved:
            text = asm.read_text()
            asm.write_text(move_entry_labels(text))
            assert asm.read_text() != text
        asms.append(asm)
    prog = tmp / ("moved" if moved else "plain")
    subprocess.run(["gcc", *asms, "-o", prog], check=True)
    return prog


def verify_json(elf, btf=None, *extra):
    r = run("verify", "--dwarf", elf, *([btf] if btf else []), "--json", *extra)
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


@pytest.mark.parametrize("moved", [True, False], ids=["low_pc-after-nops", "low_pc-at-symbol"])
def test_entry_offset_learned_per_kind(binary, tmp_path, moved):
    prog = build(tmp_path, moved)
    btf = tmp_path / "prog.btf"
    r = run("encode", "dwarf", prog, "-o", btf, "--stats")
    assert r.returncode == 0, r.stderr
    want = 2 if moved else 0
    assert f"function entries: symbol+{want} for the 3 ftrace-patchable functions" in r.stderr, r.stderr
    assert "symbol+0 for the others" in r.stderr
    rc, doc = verify_json(prog, btf)
    assert rc == 0 and doc["valid"], doc["findings"]
    e = doc["entry"]
    assert e["machine"] == "x86-64" and e["table"].startswith("__patchable_function_entries")
    assert (e["patchable"]["symbols"], e["patchable"]["offset"]) == (3, want)   # clash use_a main
    assert e["patchable"]["agree"] == e["patchable"]["samples"] >= 2
    assert e["other"]["offset"] == 0 and e["other"]["samples"] >= 1            # untraced
    assert doc["funcs"] == 4 and doc["funcs_at_entry"] == 4
    text = run("verify", "--dwarf", prog, btf).stdout
    assert f"function entries (x86-64): symbol+{want} (learned from" in text


def test_first_cu_prototype_is_caught_at_the_entry(binary, tmp_path):
    """pahole 1.24's choice (the first CU's, here an inline-only copy) is named by the oracle
    only because it finds the subprogram at symbol + 2."""
    prog = build(tmp_path, True)
    btf = tmp_path / "first_cu.btf"
    assert run("encode", "dwarf", prog, "-o", btf, "--features=-func_by_address").returncode == 0
    rc, doc = verify_json(prog, btf)
    assert rc == 1
    assert [(f["rule"], f["path"], f["expected"], f["found"]) for f in doc["findings"]] == [
        ("dwarf.func-wrong-origin", "func clash", "fn(int;ptr(int))", "fn(int;long int)")]


@pytest.fixture(scope="module")
def arm64():
    return require_input("arm64", "Debian's arm64 6.1 vmlinux is not cached "
                         "(corpora/fetch-debian-kernel --release 6.1 --arch arm64, or BTFCHECK_VMLINUX_ARM64)")


def check_arm64_entries(doc):
    e = doc["entry"]
    assert e["machine"] == "AArch64"
    assert e["table"].startswith("__start_mcount_loc..__stop_mcount_loc") and ".rela.dyn" in e["table"]
    assert e["patchable"]["offset"] == 8 and e["other"]["offset"] == 0
    assert e["patchable"]["agree"] >= 0.99 * e["patchable"]["samples"] > 30000
    assert e["patchable"]["symbols"] > 40000 and e["other"]["symbols"] > 1000
    assert doc["funcs_at_entry"] >= 0.98 * doc["funcs"] > 40000


def test_arm64_vmlinux_own_btf(binary, arm64):
    rc, doc = verify_json(arm64)
    check_arm64_entries(doc)
    rules = {f["rule"] for f in doc["findings"]}
    assert rules <= {"dwarf.func-wrong-origin"}, rules
    release = arm64.name.removeprefix("vmlinux-")
    if release in ARM64_WRONG_ORIGIN:
        assert rc == 1 and len(doc["findings"]) == ARM64_WRONG_ORIGIN[release]


def test_arm64_btfcheck_encoding_passes(binary, arm64, tmp_path):
    btf = tmp_path / "arm64.btf"
    r = run("encode", "dwarf", "-j2", "--stats", arm64, "-o", btf, timeout=1800)
    assert r.returncode == 0, r.stderr
    assert "function entries: symbol+8 for the" in r.stderr and "symbol+0 for the others" in r.stderr
    rc, doc = verify_json(arm64, btf)
    assert rc == 0 and doc["valid"], doc["findings"][:5]
    check_arm64_entries(doc)


def test_arm64_module_entries(binary, arm64):
    mods = sorted(debian_modules_dir(arm64).rglob("tcp_bbr.ko"))
    if not mods:
        require_or_skip("arm64", f"tcp_bbr.ko is not in the cached module sample under {debian_modules_dir(arm64)}")
    rc, doc = verify_json(mods[0], None, "--base", arm64)
    assert rc == 0, doc["findings"]
    e = doc["entry"]
    assert e["table"].startswith("__patchable_function_entries") and e["patchable"]["offset"] == 8
    assert doc["funcs_at_entry"] == doc["funcs"] > 10


def test_amd64_612_entries(binary):
    v612 = require_input("cloud-6.12", "Debian's 6.12 cloud vmlinux is not cached "
                         "(corpora/fetch-debian-kernel --release 6.12, or BTFCHECK_VMLINUX_612)")
    _, doc = verify_json(v612)
    e = doc["entry"]
    assert e["machine"] == "x86-64" and e["patchable"]["offset"] == 0 and e["other"]["offset"] == 0
    assert e["patchable"]["symbols"] > 40000 and e["unattributed"] == 0
    assert doc["funcs_at_entry"] >= 0.98 * doc["funcs"]
    assert {f["rule"] for f in doc["findings"]} <= {"dwarf.func-wrong-origin"}
