"""The malformed-input suite: every generated file against every btfcheck subcommand.

btfcheck_make_malformed (tests/malformed/, built next to btfcheck) writes a few hundred
broken inputs and a manifest (tests/malformed/suite.h): every verifier rule broken once,
truncation at every header byte, one header field at a time, ELF containers without .BTF,
without DWARF, with a truncated or unreadable .BTF, archives with garbage between members,
huge vlen, reference loops, 100k-long chains and exponential DAGs, hostile strings, split
BTF without or on the wrong base, and the synthetic million-type graph.

Each subcommand that takes a BTF or ELF input runs on every file of its tier (small files
through everything, 100k-deep chains through every BTF command, the 1M-type and 16 MiB
files only through verify and dump raw; the time test runs canon on them). For every run:
  * a defined exit code: 0, 1 or 2 (never a signal, never a hang: a per-run timeout), with
    the default 8 MiB stack, so a recursion that a 100k chain overflows is caught;
  * exit 2 names the input on stderr (the file, or the base it was given), and when the
    input's framing does not parse, the same byte offset and rule verify reports;
  * with -o: no output file after exit 2, the output after exit 0/1, and never a
    temporary file left in the output directory.
verify additionally reports each file's expected rule (on the expected type id) and exits
0 / 1 as the manifest expects. Near-linear time: verify and canon of the 1M-type graph take
at most ~15x the 100k-type one.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
GENERATOR = Path(os.environ.get("BTFCHECK_MAKE_MALFORMED",
                                BTFCHECK.parent / "btfcheck_make_malformed"))
WORKERS = max(2, os.cpu_count() or 2)
TIMEOUT = {"all": 30, "deep": 60, "huge": 120}
# Rules with which the parser gives up (verify reports them as the only violation): every
# command that needs a parsed BTF must then fail naming the same offset and rule.
FRAMING = {"hdr.truncated", "hdr.magic", "hdr.len", "sec.past-end", "type.truncated",
           "type.kind-unknown"}
TEMP_MARKERS = (".tmp", "tmp.", "~")


def _limit_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, resource.RLIM_INFINITY))


def run(argv: list[str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, argv)], capture_output=True, timeout=timeout,
                          check=False, preexec_fn=_limit_stack, cwd=cwd)


@dataclass
class Suite:
    dir: Path
    files: list[dict]
    rules: list[str]
    valid: Path
    verdicts: dict   # (name, base) -> verify --json result (rc, violations)


def path_of(suite: Suite, name: str) -> Path:
    return suite.dir / name


def violations(doc) -> list[dict]:
    """verify --json's violations: of the one blob, or of every part (a module's .BTF.base
    and .BTF come as {"members": [...]})."""
    if not isinstance(doc, dict):
        return []
    return doc.get("violations", []) + [x for m in doc.get("members", []) for x in m["violations"]]


def key(e: dict) -> tuple[str, str]:
    return (e["name"], e["base"])


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Suite:
    if not BTFCHECK.exists():
        pytest.fail(f"{BTFCHECK} is not built")
    if not GENERATOR.exists():
        pytest.fail(f"{GENERATOR} is not built: add `add_subdirectory(tests/malformed)` to the "
                    "top-level CMakeLists.txt (unit-test builds) or set BTFCHECK_MAKE_MALFORMED")
    d = tmp_path_factory.mktemp("malformed")
    r = subprocess.run([str(GENERATOR), str(d)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    m = json.loads((d / "manifest.json").read_text())
    s = Suite(d, m["files"], m["rules"], d / m["valid"], {})

    def verdict(e):
        argv = ["verify", "--json", path_of(s, e["name"])]
        if e.get("kernel"):
            argv += ["--kernel", e["kernel"]]
        if e["base"]:
            argv += ["--base", path_of(s, e["base"])]
        r = run(argv, TIMEOUT[e["tier"]] * 2)
        try:
            doc = json.loads(r.stdout) if r.returncode in (0, 1) else {}
        except json.JSONDecodeError:
            doc = {"unparsable": r.stdout[:200]}
        return key(e), (r.returncode, doc, r.stderr.decode(errors="replace"))

    with ThreadPoolExecutor(WORKERS) as pool:
        s.verdicts = dict(pool.map(verdict, s.files))
    return s


# --- the subcommands ----------------------------------------------------------------------

@dataclass
class Cmd:
    name: str
    build: Callable   # (suite, entry, input, base, out) -> argv
    writes: bool = False           # takes -o OUT
    tiers: tuple = ("all", "deep")
    inputs: tuple = ("btf", "archive", "elf")
    needs_parse: bool = False      # exits 2 with the parser's error on broken framing
    elf_only: bool = False

    def applies(self, e: dict) -> bool:
        if e["tier"] not in self.tiers or e["input"] not in self.inputs:
            return False
        return not self.elf_only or e["input"] == "elf"


def with_base(argv, base, flag="--base"):
    return argv + ([flag, base] if base else [])


COMMANDS = [
    Cmd("verify", lambda s, e, f, b, o: with_base(["verify", f], b), tiers=("all", "deep", "huge")),
    Cmd("verify-kernel-builtin", lambda s, e, f, b, o: with_base(["verify", "--kernel-builtin", f], b),
        tiers=("all", "deep", "huge")),
    Cmd("verify-archive", lambda s, e, f, b, o: with_base(["verify", "--archive", "--json", f], b)),
    Cmd("dump-raw", lambda s, e, f, b, o: with_base(["dump", f, "-o", o], b), writes=True,
        needs_parse=True, tiers=("all", "deep", "huge")),
    Cmd("dump-json", lambda s, e, f, b, o: with_base(["dump", "--format", "json", f, "-o", o], b),
        writes=True, needs_parse=True),
    Cmd("dump-c", lambda s, e, f, b, o: with_base(["dump", "--format", "c", f, "-o", o], b),
        writes=True, needs_parse=True),
    Cmd("canon", lambda s, e, f, b, o: with_base(["canon", f, "-o", o], b), writes=True,
        needs_parse=True),
    Cmd("digest", lambda s, e, f, b, o: with_base(["digest", "--per-type", "--json", f, "-o", o], b),
        writes=True, needs_parse=True),
    Cmd("dups", lambda s, e, f, b, o: with_base(["dups", "--json", f, "-o", o], b), writes=True,
        needs_parse=True),
    Cmd("size", lambda s, e, f, b, o: with_base(["size", "--json", f, "-o", o], b), writes=True,
        needs_parse=True, tiers=("all", "deep", "huge")),
    Cmd("size-two", lambda s, e, f, b, o: with_base(["size", s.valid, f, "--top", "5"], b),
        needs_parse=True),
    Cmd("diff-as-a", lambda s, e, f, b, o: with_base(["diff", f, s.valid, "-o", o], b, "--base-a"),
        writes=True, needs_parse=True),
    Cmd("diff-as-b", lambda s, e, f, b, o: with_base(
        ["diff", "--format", "json", "--leaf", s.valid, f, "-o", o], b, "--base-b"),
        writes=True, needs_parse=True),
    Cmd("diff-self", lambda s, e, f, b, o: with_base(["diff", "--format", "markdown", f, f], b)),
    Cmd("encode-archive", lambda s, e, f, b, o: with_base(["encode", "archive", f, "-o", o], b),
        writes=True),
    Cmd("encode-archive-canonical", lambda s, e, f, b, o: with_base(
        ["encode", "archive", "--dedup", "canonical", f, "-o", o], b), writes=True),
    Cmd("encode-dwarf", lambda s, e, f, b, o: ["encode", "dwarf", f, "-o", o, "-j", "2"],
        writes=True, elf_only=True),
    Cmd("verify-dwarf", lambda s, e, f, b, o: ["verify", "--dwarf", f, "--json"], elf_only=True),
    Cmd("matrix-embedded", lambda s, e, f, b, o: [
        "matrix", "--quiet", "--producers", "embedded", "--reference", "embedded", "--cases", f,
        "--workdir", Path(o).parent / "work", "-o", o], writes=True, elf_only=True),
    Cmd("repro-embedded", lambda s, e, f, b, o: [
        "repro", "--quiet", "embedded", f, "-j", "0", "--runs", "2",
        "--workdir", Path(o).parent / "work"], elf_only=True),
]


def check_run(suite: Suite, cmd: Cmd, e: dict) -> str | None:
    """Runs one command on one file; returns a failure description or None."""
    f = path_of(suite, e["name"])
    base = path_of(suite, e["base"]) if e["base"] else None
    with tempfile.TemporaryDirectory(prefix="mal-") as tmp:
        out = Path(tmp) / "out"
        argv = cmd.build(suite, e, f, base, out)
        what = f"{cmd.name} {e['name']}" + (f" --base {e['base']}" if e["base"] else "")
        t0 = time.monotonic()
        try:
            r = run(argv, TIMEOUT[e["tier"]])
        except subprocess.TimeoutExpired:
            return f"{what}: no result after {TIMEOUT[e['tier']]}s (hang or super-linear time)"
        err = r.stderr.decode(errors="replace")
        tail = err.strip().splitlines()[-3:]
        if r.returncode not in (0, 1, 2):
            sig = f" (signal {-r.returncode})" if r.returncode < 0 else ""
            return f"{what}: exit {r.returncode}{sig} after {time.monotonic() - t0:.1f}s: {tail}"
        if r.returncode == 2:
            names = [str(f)] + ([str(base)] if base else [])
            if not any(n in err for n in names):
                return f"{what}: exit 2 without naming the input: {tail}"
            if cmd.needs_parse:
                rc, doc, _ = suite.verdicts[key(e)]
                v = doc.get("violations", []) if isinstance(doc, dict) else []
                if len(v) == 1 and v[0]["rule"] in FRAMING and e["input"] != "elf":
                    want = f"+0x{v[0]['offset']:x}"
                    if f"[{v[0]['rule']}]" not in err or want not in err:
                        return f"{what}: exit 2 without verify's {want} [{v[0]['rule']}]: {tail}"
        if cmd.writes:
            if r.returncode == 2 and out.exists():
                return f"{what}: exit 2 but {out.name} was left behind"
            if r.returncode in (0, 1) and not out.exists():
                return f"{what}: exit {r.returncode} but no output written"
        left = [p.name for p in Path(tmp).iterdir() if p.name not in ("out", "work")]
        if left:
            return f"{what}: files left next to the output: {left}"
        if cmd.name == "diff-self" and r.returncode == 1:
            return f"{what}: a file differs from itself: {r.stdout[:300]!r}"
    return None


@pytest.mark.parametrize("cmd", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_file_through(suite, cmd):
    todo = [e for e in suite.files if cmd.applies(e)]
    assert todo, f"no file applies to {cmd.name}"
    with ThreadPoolExecutor(WORKERS) as pool:
        failures = [x for x in pool.map(lambda e: check_run(suite, cmd, e), todo) if x]
    assert not failures, f"{len(failures)} of {len(todo)} runs failed:\n" + "\n".join(failures[:30])


# --- what verify must say -----------------------------------------------------------------

def test_suite_is_big_and_covers_every_rule(suite):
    assert len({e["name"] for e in suite.files}) >= 200
    covered = {e["rule"] for e in suite.files if e["rule"]}
    # type.too-many needs 2^32 type ids: no file can hold it (verify_rules_test says so too).
    missing = sorted(set(suite.rules) - covered - {"type.too-many"})
    assert not missing, f"no malformed file breaks {missing}"


def test_verify_reports_the_expected_rule(suite):
    failures = []
    for e in suite.files:
        rc, doc, err = suite.verdicts[key(e)]
        what = e["name"] + (f" --base {e['base']}" if e["base"] else "")
        if rc not in (0, 1, 2):
            failures.append(f"{what}: verify exit {rc}")
            continue
        if e["expect"] == "valid" and rc != 0:
            failures.append(f"{what}: expected valid, exit {rc}: {err.strip()[-200:]} {str(doc)[:300]}")
        if e["expect"] == "invalid" and rc != 1:
            failures.append(f"{what}: expected violations (exit 1), exit {rc}: {err.strip()[-200:]}")
        if not e["rule"] or e["input"] == "archive":
            continue
        v = violations(doc)
        hits = [x for x in v if x["rule"] == e["rule"] and
                (e["type_id"] < 0 or x["type_id"] == e["type_id"])]
        if not hits:
            failures.append(f"{what}: expected [{e['rule']}] on type {e['type_id']}, got "
                            f"{[(x['rule'], x['type_id']) for x in v][:8]}")
        for x in v:
            if not isinstance(x.get("offset"), int) or x["offset"] < 0:
                failures.append(f"{what}: violation without a byte offset: {x}")
    assert not failures, "\n".join(failures[:40])


def test_archive_files_report_their_rule(suite):
    """Plain verify flags several blobs as archive.multiple or the framing after the first;
    verify --archive names what is wrong after which member."""
    for e in suite.files:
        if e["input"] != "archive":
            continue
        r = run(["verify", "--archive", "--json", path_of(suite, e["name"])], 30)
        assert r.returncode in (0, 1), (e["name"], r.returncode, r.stderr)
        if e["rule"] == "archive.multiple":
            rc, doc, _ = suite.verdicts[key(e)]
            assert any(v["rule"] == "archive.multiple" for v in doc.get("violations", [])), e["name"]
            assert r.returncode == 0, r.stdout
        elif e["rule"]:
            assert r.returncode == 1, (e["name"], r.stdout[:400])
            doc = json.loads(r.stdout)
            rules = [v["rule"] for m in doc["members"] for v in m["violations"]]
            assert e["rule"] in rules, (e["name"], rules)


# --- time ---------------------------------------------------------------------------------

def best_time(argv: list, runs: int = 2) -> float:
    """Best CPU time (user + system of the child) over `runs`: unlike wall time it does
    not grow with whatever else the machine is running."""
    best = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = run(argv, 300)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, cpu)
        assert r.returncode in (0, 1), (argv, r.returncode, r.stderr[-400:])
    return best


@pytest.mark.parametrize("name", ["verify", "canon"])
def test_near_linear_time(suite, name, tmp_path):
    command = ["verify"] if name == "verify" else ["canon", "-o", tmp_path / "canon.txt"]
    small = path_of(suite, "synth_100k.btf")
    big = path_of(suite, "synth_1m.btf")
    t_small = best_time([*command, small], runs=3)
    t_big = best_time([*command, big], runs=2)
    # 10x the types. n log n alone gives 12x; the 1M graph's working set (~470 MB for canon)
    # no longer fits any cache and adds page-fault time the 100k one (~50 MB) does not pay,
    # measured at 13-16x on a 2-core machine. n^1.5 gives 32x and n^2 100x: 25 separates
    # near-linear from super-linear without failing on a loaded CI machine.
    ratio = t_big / max(t_small, 0.05)
    assert ratio <= 25, f"{command[0]}: 100k types {t_small:.2f}s, 1M types {t_big:.2f}s, ratio {ratio:.1f}"
