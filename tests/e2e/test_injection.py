"""Inputs whose names are shell commands: no producer, nor repro or bisect, may run them.

pahole -J hands its object's name to system() (`llvm-objcopy --add-section .BTF=TMP NAME`,
unquoted), so before btfcheck staged inputs under plain names, `btfcheck matrix --cases
'DIR/a b;touch PWNED;.c'` created PWNED. Here every producer runs on a C case, a two-source
corpus case (in a directory with such a name, its units including a header beside them), an
ELF and an ELF module on a base, all named like that, from a temporary directory used as the
working directory; the work directory's own name is hostile too. After each run no file
PWNED* exists anywhere under it, and the results still name the user's input.

A producer that is not installed skips, saying so; one that does not apply to an input is a
clean skip in the results (checked).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import require_or_skip, tool_resource

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))

C_NAME = "a b;touch PWNED;"                      # the brief's case: DIR/a b;touch PWNED;.c
MULTI_NAME = "multi;touch PWNED;"
SRC_DIR = "src $(touch PWNED)"
ELF_NAME = "e $(touch PWNED);.o"
MODULE_NAME = "m `touch PWNED`.o"
BASE_NAME = "b;touch PWNED;.o"
WORK = "work;touch PWNED"

PRODUCERS = ["clang-N", "gcc", "bpf-gcc", "pahole", "btfcheck", "archive-libbpf",
             "archive-btfcheck", "embedded"]
C_ONLY = {"clang-N", "gcc", "bpf-gcc"}
ELF_ONLY = {"embedded"}
PLAIN = re.compile(r"^[A-Za-z0-9._-]+$")

SOURCE = """struct nasty { int a; long b; };
struct nasty g_nasty;
int nasty_fn(struct nasty *p) { return p->a + (int)p->b; }
"""


def run(cwd: Path, *args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def pwned(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("PWNED*")]


@pytest.fixture(scope="module")
def listed() -> dict:
    r = subprocess.run([str(BTFCHECK), "matrix", "--list", "--json"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0, r.stderr
    return {p["name"]: p for p in json.loads(r.stdout)}


# The resource (tests/resources.txt) a `btfcheck matrix` producer family needs; btfcheck and
# embedded are the binary under test itself, which conftest.py checks before any test.
FAMILY_RESOURCE = {"clang": "clang", "gcc": "gcc", "bpf-gcc": "gcc-bpf", "pahole": "pahole",
                   "archive": "pahole"}


def names_for(producer: str, listed: dict) -> list[str]:
    """The btfcheck producer names behind a parameter (clang-N: every clang found), or a
    skip naming the resource that is missing."""
    if producer == "clang-N":
        names = [n for n, p in listed.items() if p["family"] == "clang" and p["available"]]
        if not names:
            require_or_skip("clang", "no clang-N (nor clang) on PATH")
        return names
    p = listed[producer]
    if not p["available"]:
        require_or_skip(FAMILY_RESOURCE.get(p["family"], p["family"]), f"{producer}: {p['missing']}")
    return [producer]


def need(*tools: str) -> None:
    for t in tools:
        if shutil.which(t) is None:
            require_or_skip(tool_resource(t), f"{t} is not installed (needed to build the test's input)")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    """The hostile inputs, built under plain names and renamed afterwards (pahole -J on a
    hostile name would run it while the test sets up)."""
    top = tmp_path_factory.mktemp("inj")
    cases = top / "DIR"
    cases.mkdir()
    (cases / f"{C_NAME}.c").write_text(SOURCE)
    # A corpus of one two-source case; each unit includes a header beside it.
    corpus = top / "corpus"
    src = corpus / SRC_DIR
    src.mkdir(parents=True)
    (src / "common.h").write_text("struct common { int a; long b; };\n")
    (src / "x;touch PWNED;.c").write_text(
        '#include "common.h"\nstruct common g_x;\nint x_fn(struct common *c) { return c->a; }\n')
    (src / "y $(touch PWNED).c").write_text(
        '#include "common.h"\nstruct common g_y;\nlong y_fn(struct common *c) { return c->b; }\n')
    (corpus / "manifest.json").write_text(json.dumps({"cases": [{
        "name": MULTI_NAME, "source": f"{SRC_DIR}/x;touch PWNED;.c",
        "extra_sources": [f"{SRC_DIR}/y $(touch PWNED).c"],
        "feature": "two units with hostile names in a hostile directory"}]}))
    out = {"top": top, "c": cases / f"{C_NAME}.c", "corpus": corpus, "elf": None}
    if shutil.which("gcc") and shutil.which("pahole"):
        build = top / "build"
        build.mkdir()
        (build / "e.c").write_text(SOURCE)
        (build / "b.c").write_text("struct base_s { int x; };\nstruct base_s g_base;\n")
        (build / "m.c").write_text("struct base_s { int x; };\n"
                                   "struct mod_s { struct base_s *b; long y; };\nstruct mod_s g_mod;\n")
        for cmd in (["gcc", "-g", "-O2", "-c", "e.c", "-o", "e.o"], ["pahole", "-J", "e.o"],
                    ["gcc", "-g", "-O2", "-c", "b.c", "-o", "b.o"], ["pahole", "-J", "b.o"],
                    ["gcc", "-g", "-O2", "-c", "m.c", "-o", "m.o"],
                    ["pahole", "-J", "--btf_base=b.o", "m.o"]):
            subprocess.run(cmd, cwd=build, check=True, capture_output=True)
        elfs = top / "elf $(touch PWNED)"
        elfs.mkdir()
        for plain, hostile in (("e.o", ELF_NAME), ("b.o", BASE_NAME), ("m.o", MODULE_NAME)):
            (build / plain).rename(elfs / hostile)
        out.update(elf=elfs / ELF_NAME, module=elfs / MODULE_NAME, base=elfs / BASE_NAME)
    assert not pwned(top)
    return out


def input_for(kind: str, inputs: dict) -> tuple:
    """(the spec btfcheck is given, the input name results must show, extra options)."""
    if kind == "c":
        return inputs["c"], C_NAME, []
    if kind == "multi":
        return MULTI_NAME, MULTI_NAME, ["--corpus", inputs["corpus"]]
    if inputs["elf"] is None:
        require_or_skip("gcc|pahole", "gcc or pahole is not installed: no ELF input to build")
    if kind == "elf":
        return inputs["elf"], ELF_NAME, []
    return inputs["module"], MODULE_NAME, ["--base", inputs["base"]]


def assert_nothing_ran(tmp_path: Path, inputs: dict, r: subprocess.CompletedProcess) -> None:
    found = pwned(tmp_path) + pwned(inputs["top"])
    assert not found, f"an input's name ran as a command: {found}\n{r.stderr}"


KINDS = ["c", "multi", "elf", "module"]


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("kind", KINDS)
def test_matrix(listed, inputs, tmp_path, kind, producer):
    """kind c: DIR/a b;touch PWNED;.c; multi: two sources in a hostile directory (corpus
    case); elf: an object with .BTF; module: a split-BTF object on a base, both hostile."""
    names = names_for(producer, listed)
    spec, expect_input, extra = input_for(kind, inputs)
    work = tmp_path / WORK
    out = tmp_path / "results.json"
    r = run(tmp_path, "matrix", "--quiet", "--producers", ",".join(names), "--reference", names[0],
            "--cases", spec, "--workdir", work, "-o", out, *extra)
    assert_nothing_ran(tmp_path, inputs, r)
    assert r.returncode in (0, 1), r.stderr
    runs = json.loads(out.read_text())["runs"]
    assert [x["producer"] for x in runs] == names
    applies = producer not in (ELF_ONLY if kind in ("c", "multi") else C_ONLY)
    for x in runs:
        assert x["input"] == expect_input, x           # results keep the user's name
        if not applies:
            assert x["status"] == "skipped", x
            continue
        if (kind == "module" and producer == "archive-libbpf" and x["status"] == "failed"
                and "btf__add_btf" in x["reason"]):
            pytest.xfail("libbpf's btf__add_btf does not take a split-BTF archive (a module on "
                         "a base), whatever its name: " + x["reason"][-200:])
        assert x["status"] == "ok", x
        output = Path(x["output"])
        assert output.is_file() and output.is_relative_to(work), x
        assert PLAIN.match(output.name) and PLAIN.match(output.parent.name), x   # generated


@pytest.mark.parametrize("producer,kind", [("archive-libbpf", "c"), ("archive-btfcheck", "multi"),
                                           ("pahole", "module"), ("btfcheck", "elf")])
def test_repro(listed, inputs, tmp_path, producer, kind):
    (name,) = names_for(producer, listed)
    spec, expect_input, extra = input_for(kind, inputs)
    r = run(tmp_path, "repro", name, spec, "-j", "1,2", "--runs", "2", "--quiet",
            "--workdir", tmp_path / WORK, *extra)
    assert_nothing_ran(tmp_path, inputs, r)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{name} on {expect_input}: 0 of " in r.stdout, r.stdout
    assert r.stdout.endswith("reproducible\n")


@pytest.mark.parametrize("kind", ["c", "multi", "elf"])   # bisect takes no --base
def test_bisect(listed, inputs, tmp_path, kind):
    last = "embedded" if kind == "elf" else "gcc"
    wanted = ("pahole", "btfcheck", "archive-libbpf", "archive-btfcheck", last)
    order = [n for n in wanted if listed[n]["available"]]
    if len(order) < 2:
        require_or_skip("gcc|pahole", f"needs two of {', '.join(wanted)} (btfcheck is one, "
                        f"the others need pahole or gcc); available: {order}")
    spec, name, extra = input_for(kind, inputs)
    r = run(tmp_path, "bisect", "--producers", ",".join(order), "--rules", "cross-producer",
            "--case", spec, "--workdir", tmp_path / WORK, *extra)
    assert_nothing_ran(tmp_path, inputs, r)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    assert f"for {name}" in r.stdout.splitlines()[0], r.stdout


def test_test_harness_post_step(inputs, tmp_path, monkeypatch):
    """The Python producers (tests/e2e/producers.py, used by ci/harness) run pahole -J too:
    on a case whose file name is a command, nothing runs and the object keeps its name."""
    need("gcc", "pahole")
    import producers as harness
    monkeypatch.chdir(tmp_path)   # where a shell started by pahole would run
    obj = harness.compile(inputs["c"], "pahole", tmp_path / WORK)
    found = pwned(tmp_path) + pwned(inputs["top"])
    assert not found, f"a case's name ran as a command: {found}"
    assert obj.name == f"{C_NAME}.pahole.o" and obj.is_file()
    assert run(tmp_path, "verify", obj).returncode == 0
