"""`encode dwarf --explain` in btfcheck's own mode (no --compat): every FUNC or VAR whose
output differs from the same command with --compat=pahole-master gets exactly one
"NAME: vs pahole master: KIND OWN/MASTER [REASON]: TEXT" line, with a named reason.

Small programs assert the lines themselves (gcc -O2: a same-name static function in two
files, gcc's .constprop/.isra clones, a weak/strong variable pair); Debian's 6.12 cloud
vmlinux and 12 of its modules (split on it) assert that the names with such a line are
exactly the FUNCs and VARs `btfcheck diff OWN COMPAT` names, none of them [unexplained].
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from real_inputs import require_612_modules, require_cloud_612
from test_encode import btfcheck, run
from test_encode_master import MODULES_612, WEAK_A, WEAK_B, clones, require_gcc  # noqa: F401

LINE = re.compile(r"^(\S+): vs pahole master: (func|var) (kept|skipped)/(kept|skipped) "
                  r"\[(\w+)\]: (.+)$", re.M)

STATIC_A = ("__attribute__((noinline)) static int helper(int x) { return x * 3 + 1; }\n"
            "int call_a(int x) { return helper(x) + 2; }\n")
STATIC_B = ("__attribute__((noinline)) static int helper(int x) { return x * 5 - 7; }\n"
            "int call_a(int x);\n"
            "int main(int argc, char **argv) { (void)argv; return helper(argc) + call_a(argc); }\n")


def difference_lines(stderr: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(name, kind) -> (OWN/MASTER, reason, text); asserts one line per (name, kind)."""
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for name, kind, own, master, reason, text in LINE.findall(stderr):
        assert (name, kind) not in out, f"two lines for {kind} {name}"
        out[(name, kind)] = (f"{own}/{master}", reason, text)
    assert len(out) == stderr.count(": vs pahole master: "), "a line not in the documented format"
    return out


def explain_own(elf: Path, out: Path, *flags: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    r = btfcheck("encode", "dwarf", elf, "-o", out, "--explain", *flags)
    assert r.returncode == 0, r.stderr[-2000:]
    return difference_lines(r.stderr)


def differing(own: Path, compat: Path, *base: str) -> set[tuple[str, str]]:
    """The (name, kind) of every FUNC or VAR `btfcheck diff` names between the two outputs,
    with DECL_TAGs counted with their FUNC and DATASEC entries with their VAR."""
    r = btfcheck("diff", "--format", "json", *base, own, compat)
    assert r.returncode in (0, 1), r.stderr
    names = set()
    for c in json.loads(r.stdout)["changes"]:
        path = c["path"]
        if c["kind"] == "func":   # "func foo#DIGEST": one of several FUNCs named foo
            names.add((re.split(r"[#. ]", path.split(" ", 1)[1])[0], "func"))
        elif c["kind"] == "var":
            names.add((path.split(" ", 1)[1].split("#")[0], "var"))
        elif path.startswith("decl_tag(") and (m := re.search(r", func (\w+)", path)):
            names.add((m[1], "func"))
        elif c["kind"] == "datasec" and ".var " in path:
            names.add((path.rsplit(".var ", 1)[1], "var"))
    return names


def compat_of(elf: Path, out: Path, *flags: str) -> Path:
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", elf, "-o", out, *flags)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


def build(tmp_path: Path, name: str, sources: dict[str, str]) -> Path:
    require_gcc()
    for file, text in sources.items():
        (tmp_path / file).write_text(text)
    prog = tmp_path / name
    r = run("gcc", "-g", "-O2", *(tmp_path / f for f in sources), "-o", prog)
    assert r.returncode == 0, r.stderr
    return prog


def test_static_function_in_two_files(tmp_path):
    """helper has two addresses: pahole master skips it (unambiguous_func), btfcheck keeps
    the subprogram at one of them."""
    prog = build(tmp_path, "ab", {"a.c": STATIC_A, "b.c": STATIC_B})
    lines = explain_own(prog, tmp_path / "own.btf", "--features=default")
    assert lines.keys() == {("helper", "func")}, lines
    states, reason, text = lines[("helper", "func")]
    assert (states, reason) == ("kept/skipped", "unambiguous_func")
    assert text.startswith("2 ELF symbols of this name at different addresses") and \
        "btfcheck keeps the prototype of the subprogram at one of its symbol addresses" in text
    assert differing(tmp_path / "own.btf", compat_of(prog, tmp_path / "m.btf", "--features=default")) \
        == set(lines)


def test_clones(clones, tmp_path):
    """gcc's scale.constprop.0: with optimized_func (default features) btfcheck keeps scale,
    pahole master skips it (optimized parameters). pick.constprop.0.isra.0, whose clone has
    its parameters reordered, both modes skip (btfcheck: inconsistent prototypes): no line.
    Without optimized_func (btfcheck's own defaults) both modes leave both out: no line."""
    lines = explain_own(clones, tmp_path / "own.btf", "--features=default")
    assert lines.keys() == {("scale", "func")}, lines
    states, reason, text = lines[("scale", "func")]
    assert (states, reason) == ("kept/skipped", "optimized_params"), lines
    assert text.startswith("optimized parameters of a .isra/.constprop clone: parameter 'ignored' ")
    assert text.endswith("; only --compat=pahole-master applies pahole master's parameter analysis")
    assert differing(tmp_path / "own.btf", compat_of(clones, tmp_path / "m.btf", "--features=default")) \
        == set(lines)
    r = btfcheck("encode", "dwarf", clones, "-o", tmp_path / "plain.btf", "--explain")
    assert r.returncode == 0 and not difference_lines(r.stderr)
    assert re.search(r"^scale: skipped: no ELF function symbol of this exact name, only the renamed "
                     r"clone scale\.constprop\.0 \(optimized_func matches it; off here\)$", r.stderr, re.M)


def test_weak_pair_global_var(tmp_path):
    """A weak and a strong shared_limits: pahole master writes two equal VARs with
    overlapping DATASEC entries, btfcheck one (its own "skipped" line says why). Canonically
    (as `btfcheck diff` compares) the outputs are the same, so there is no difference line."""
    prog = build(tmp_path, "ab", {"a.c": WEAK_A, "b.c": WEAK_B})
    r = btfcheck("encode", "dwarf", prog, "-o", tmp_path / "own.btf", "--explain", "--features=+global_var")
    assert r.returncode == 0, r.stderr
    assert not difference_lines(r.stderr)
    assert re.search(r"^shared_limits: skipped: .*\(global_var\)$", r.stderr, re.M), r.stderr
    assert not differing(tmp_path / "own.btf",
                         compat_of(prog, tmp_path / "m.btf", "--features=+global_var"))


def check_explained(elf: Path, tmp_path: Path, *flags: str) -> dict[str, int]:
    """Asserts that the own-mode lines name exactly what differs from compat; reason counts."""
    own = tmp_path / f"{elf.stem}-own.btf"
    lines = explain_own(elf, own, "-j2", *flags)
    compat = compat_of(elf, tmp_path / f"{elf.stem}-m.btf", "-j2", *flags)
    base = ["--base", flags[flags.index("--base") + 1]] if "--base" in flags else []
    diff = differing(own, compat, *base)
    assert set(lines) == diff, (elf.name, sorted(set(lines) ^ diff)[:20])
    unexplained = [k for k, v in lines.items() if v[1] == "unexplained"]
    assert not unexplained, unexplained[:20]
    counts: dict[str, int] = {}
    for states, reason, _ in lines.values():
        counts[f"{states} {reason}"] = counts.get(f"{states} {reason}", 0) + 1
    return counts


@pytest.mark.parametrize("flags", [(), ("--features=default",)], ids=["own-defaults", "default"])
def test_612_vmlinux_differences_explained(tmp_path, flags):
    """Debian's 6.12 cloud vmlinux: every FUNC/VAR difference from --compat=pahole-master
    (btfcheck's own defaults, and pahole master's default features) has its one line."""
    v = require_cloud_612()
    counts = check_explained(v, tmp_path, *flags)
    assert counts.get("kept/skipped unambiguous_func", 0) > 100, counts


def test_612_modules_differences_explained(tmp_path):
    """12 of its modules, split on the vmlinux: the same, module by module."""
    v = require_cloud_612()
    kos = require_612_modules(v, MODULES_612)
    for m in MODULES_612:
        for flags in ((), ("--features=default",)):
            check_explained(kos[m], tmp_path, "--base", str(v), *flags)
