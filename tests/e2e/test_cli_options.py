"""Options and inputs are the same across commands.

* `-o OUT` (alias `--output OUT`) writes exactly what stdout would get, for every command that
  reads BTF and prints a result (verify, dump, canon, digest, dups, diff);
* `--json` is valid JSON wherever a command reports (verify, dump, digest, dups, diff, and
  `diff --json` is `diff --format json`);
* `-j N` (alias `--jobs N`, attached `-jN`) is spelled and checked alike by encode dwarf,
  encode archive and matrix;
* a module under /sys/kernel/btf/ is split BTF on /sys/kernel/btf/vmlinux for every command,
  as for `bpftool btf dump file` (cli/input.h's one rule).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import producers
from real_inputs import require_or_skip, require_producer

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
SYSFS = Path("/sys/kernel/btf")

# command -> arguments after the input(s); each reads BTF and prints a result
READERS = {
    "verify": [],
    "dump": [],
    "canon": [],
    "digest": ["--per-type"],
    "dups": [],
    "diff": [],
}
REPORTERS = ("verify", "dump", "digest", "dups", "diff")


def run(*args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, timeout=timeout,
                          check=False)


def argv(cmd: str, inp: Path, extra=()) -> list:
    inputs = [inp, inp] if cmd == "diff" else [inp]
    return [cmd, *READERS[cmd], *extra, *inputs]


@pytest.fixture(scope="module")
def obj(tmp_path_factory) -> Path:
    assert BTFCHECK.exists(), f"btfcheck binary not built: {BTFCHECK}"
    require_producer("clang")
    cases = {c["name"]: c for c in producers.cases()}
    return producers.compile(cases["bitfields"]["path"], "clang",
                             tmp_path_factory.mktemp("cli-options"))


@pytest.mark.parametrize("cmd", READERS)
def test_output_file_is_stdout(cmd, obj, tmp_path):
    plain = run(*argv(cmd, obj))
    assert plain.returncode in (0, 1), plain.stderr
    for spelling in ("-o", "--output"):
        out = tmp_path / f"{cmd}{spelling}.out"
        r = run(*argv(cmd, obj, [spelling, out]))
        assert r.returncode == plain.returncode, r.stderr
        assert r.stdout == b"", f"{cmd} {spelling} still printed to stdout"
        assert out.read_bytes() == plain.stdout, f"{cmd} {spelling}"


@pytest.mark.parametrize("cmd", REPORTERS)
def test_json_where_a_command_reports(cmd, obj):
    r = run(*argv(cmd, obj, ["--json"]))
    assert r.returncode in (0, 1), r.stderr
    assert isinstance(json.loads(r.stdout), (dict, list)), cmd


def test_diff_json_is_format_json(obj):
    assert run("diff", "--json", obj, obj).stdout == run("diff", "--format", "json", obj, obj).stdout
    r = run("diff", "--json", "--format", "text", obj, obj)
    assert r.returncode == 2 and b"--json conflicts with --format text" in r.stderr


@pytest.mark.parametrize("cmd", ["encode dwarf", "encode archive", "matrix"])
def test_jobs_spelled_and_checked_alike(cmd):
    words = cmd.split()
    help_text = run(*words, "--help").stdout.decode()
    assert "-j, --jobs N" in help_text, help_text
    for bad in ("-jx", "--jobs=-1", "-j2000"):
        r = run(*words, "in.o", "-o", "/nonexistent/out", bad) if cmd != "matrix" \
            else run(*words, "--cases", "x", bad)
        assert r.returncode == 2, (cmd, bad, r.stderr)
        assert b"-j wants a thread count from 0 to 1024" in r.stderr, (cmd, bad, r.stderr)


def test_help_lists_shared_spellings():
    for cmd in ("verify", "dump", "canon", "digest", "dups", "diff", "repro", "bisect",
                "matrix", "encode"):
        text = run(*cmd.split(), "--help").stdout.decode()
        assert "-o, --output OUT" in text, cmd
    for cmd in REPORTERS + ("repro", "bisect", "matrix"):
        assert "--json" in run(cmd, "--help").stdout.decode(), cmd


def _sysfs_module() -> Path:
    if not (SYSFS / "vmlinux").exists():
        require_or_skip("sysfs", f"{SYSFS / 'vmlinux'} is absent (kernel without CONFIG_DEBUG_INFO_BTF)")
    mods = sorted(p for p in SYSFS.glob("*") if p.name != "vmlinux")
    if not mods:
        require_or_skip("sysfs-modules", f"no module BTF in {SYSFS} on this kernel")
    return mods[0]


@pytest.mark.parametrize("cmd", READERS)
def test_sysfs_module_is_split_on_vmlinux(cmd):
    mod = _sysfs_module()
    implicit = run(*argv(cmd, mod))
    explicit = run(*argv(cmd, mod, ["--base", SYSFS / "vmlinux"]))
    assert implicit.returncode in (0, 1), implicit.stderr
    assert (implicit.returncode, implicit.stdout) == (explicit.returncode, explicit.stdout), cmd


def _available(*names: str) -> list[str]:
    r = run("matrix", "--list", "--json")
    listed = {p["name"]: p for p in json.loads(r.stdout)}
    return [n for n in names if n in listed and listed[n]["available"]]


def test_repro_json_and_output_file(tmp_path):
    if not _available("clang-14"):
        require_or_skip("clang-14", "clang-14 is not installed")
    r = run("repro", "clang-14", "bitfields", "--runs", "2", "--quiet", "--json",
            "--workdir", tmp_path / "w")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["producer"] == "clang-14" and doc["input"] == "bitfields"
    assert doc["reproducible"] is True and doc["differing_bytes"] == 0 and doc["diffs"] == []
    assert [x["verdict"] for x in doc["runs"]] == ["reference", "identical"]
    assert all(x["bytes"] > 0 for x in doc["runs"])
    # text to a file: the same lines stdout gets, nothing on stdout
    out = tmp_path / "repro.txt"
    r = run("repro", "clang-14", "bitfields", "--runs", "2", "--quiet", "-o", out,
            "--workdir", tmp_path / "w2")
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    text = out.read_text()
    assert text.count("clang-14 serial #") == 2 and text.endswith("reproducible\n"), text


def test_bisect_json_is_one_object(tmp_path):
    clangs = _available("clang-14", "clang-15")
    if len(clangs) < 2:
        require_or_skip("clang-14|clang-15", f"clang-14 and clang-15 are needed (enum64 changes "
                        f"between them); available: {clangs}")
    r = run("bisect", "--producers", ",".join(clangs), "--case", "enum64", "--json", "--quiet",
            "--workdir", tmp_path / "w")
    assert r.returncode == 1, r.stderr
    assert r.stderr == b""   # --quiet: no progress lines
    doc = json.loads(r.stdout)
    assert doc["case"] == "enum64" and doc["type"] is None
    assert doc["reference"]["name"] == "clang-14"
    assert doc["first_change"]["name"] == "clang-15" and doc["last_equal"]["name"] == "clang-14"
    assert any(c["category"] == "kind" for c in doc["diff"]["changes"]), doc["diff"]
    same = run("bisect", "--producers", "clang-14,clang-14", "--case", "enum64", "--json",
               "--workdir", tmp_path / "w2")
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout)["first_change"] is None
