"""btfcheck gate with real producers (pahole, clang-14) on a copy of the corpus:
a baseline from one run gates an identical second run green; changing a member's type in
a case turns it red with an annotation naming the case source, the producer and the member
path; pahole without --btf_gen_floats (FLOAT becomes INT) turns it red; a suppression turns
that green again; --update rewrites the baseline and says what changed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from real_inputs import require_or_skip, tool_resource

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
PRODUCERS = "pahole,clang-14"
CASES = "floats,bitfields"


def run(*args, cwd=None, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=cwd)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    for t in ("pahole", "clang-14", "gcc"):
        if shutil.which(t) is None:
            require_or_skip(tool_resource(t), f"{t} is not installed")
    d = tmp_path_factory.mktemp("gate")
    shutil.copytree(REPO / "corpora", d / "corpora", ignore=shutil.ignore_patterns("tiny"))

    def matrix(name: str, *extra) -> Path:
        out = d / f"{name}.json"
        r = run("matrix", "--corpus", d / "corpora", "--producers", PRODUCERS, "--cases", CASES,
                "--workdir", d / f"w-{name}", "-o", out, *extra)
        assert r.returncode == 0, r.stderr
        return out

    first = matrix("first")
    r = run("gate", "--baseline", d / "baseline.json", "--update", first)
    assert r.returncode == 0, r.stderr
    assert "new baseline with 4 run(s)" in r.stdout
    return d, matrix


def gate(d: Path, results: Path, *extra) -> subprocess.CompletedProcess:
    # From d, so annotation paths are relative to it (corpora/cases/X.c), as in a checkout.
    return run("gate", "--baseline", d / "baseline.json", "--corpus", d / "corpora",
               "--junit", d / "junit.xml", "--summary", d / "summary.md", *extra, results, cwd=d)


def test_baseline_names_its_btf_in_a_content_addressed_store(env, tmp_path):
    d, _ = env
    doc = json.loads((d / "baseline.json").read_text())
    assert doc["schema"] == "btfcheck-baseline/2"
    assert len(doc["runs"]) == 4 and "blobs" not in doc
    store = d / "baseline.blobs"
    keys = {r["btf"] for r in doc["runs"] if r["status"] == "ok"}
    assert keys and {p.name for p in store.iterdir()} == {k + ".btf.xz" for k in keys}
    # An unchanged rerun writes no file; --blobs puts the store elsewhere (a CI cache).
    before = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    r = run("gate", "--baseline", d / "baseline.json", "--update", d / "first.json")
    assert r.returncode == 0 and ", 0 new, 0 pruned" in r.stdout, r.stdout + r.stderr
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == before
    cache = tmp_path / "cache"
    r = run("gate", "--baseline", tmp_path / "b.json", "--blobs", cache, "--update", d / "first.json")
    assert r.returncode == 0 and f", {len(keys)} new" in r.stdout, r.stdout + r.stderr
    assert {p.name for p in cache.iterdir()} == {k + ".btf.xz" for k in keys}
    assert not (tmp_path / "b.blobs").exists()


def test_identical_run_is_green(env):
    d, matrix = env
    r = gate(d, matrix("second"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS: 4 run(s) compared, 0 failure(s)" in r.stdout
    assert "::error" not in r.stdout
    suite = ET.parse(d / "junit.xml").getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "0"
    assert "PASS" in (d / "summary.md").read_text()


def test_changed_member_type_is_red_with_precise_annotation(env):
    d, matrix = env
    src = d / "corpora/cases/floats.c"
    orig = src.read_text()
    assert "\tfloat hist[4];" in orig
    try:
        src.write_text(orig.replace("\tfloat hist[4];", "\tint hist[4];"))
        res = matrix("changed")
    finally:
        src.write_text(orig)
    r = gate(d, res)
    assert r.returncode == 1, r.stdout + r.stderr
    line = orig.splitlines().index("\tfloat hist[4];") + 1
    for producer in ("pahole", "clang-14"):
        want = (f"::error file=corpora/cases/floats.c,line={line},"
                f"title=btfcheck gate%3A {producer} on floats%3A type struct fl_point.hist[]::")
        assert want in r.stdout, r.stdout
    assert "float -> int" in r.stdout
    assert "bitfields" not in r.stdout   # the other case is unchanged
    suite = ET.parse(d / "junit.xml").getroot()
    assert suite.get("failures") == "2"
    failed = {tc.get("classname") + "/" + tc.get("name") for tc in suite.iter("testcase")
              if tc.find("failure") is not None}
    assert failed == {"btfcheck.gate.pahole/floats", "btfcheck.gate.clang-14/floats"}
    assert "struct fl_point.hist" in (d / "summary.md").read_text()


def test_producer_change_is_red_and_a_suppression_makes_it_green(env):
    d, matrix = env
    res = matrix("nofloats", "--pahole-flags", "--lang_exclude=rust")
    r = gate(d, res)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "::error file=corpora/cases/floats.c,title=btfcheck gate%3A pahole on floats%3A kind double::" \
        "kind double: float -> int" in r.stdout, r.stdout
    assert "clang-14 on" not in r.stdout
    supp = d / "floats.supp"
    supp.write_text("# pahole without --btf_gen_floats encodes floating types as INT\n"
                    "[suppress]\ncategory = kind\npath = ^(float|double|long double)$\nreason = pahole run without --btf_gen_floats\n")
    r = gate(d, res, "--suppress", supp)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 suppressed change(s)" in r.stdout
    assert "::notice" in r.stdout and "all suppressed" in r.stdout
    assert "pahole run without --btf_gen_floats" in (d / "summary.md").read_text()


def test_budgets_and_errors(env):
    d, matrix = env
    second = d / "second.json"
    if not second.exists():
        matrix("second")
    r = gate(d, second, "--speed-budget", "clang-14=0.001")
    assert r.returncode == 1 and "clang-14%3A over the speed budget" in r.stdout, r.stdout
    r = gate(d, second, "--speed-budget", "clang-14=fast")
    assert r.returncode == 2
    r = run("gate", "--baseline", d / "nonexistent.json", second)
    assert r.returncode == 2 and "nonexistent.json" in r.stderr
    r = run("gate", second)
    assert r.returncode == 2


def test_update_prints_what_changed(env, tmp_path):
    d, matrix = env
    base = tmp_path / "b.json"
    shutil.copy(d / "baseline.json", base)
    res = d / "nofloats.json"
    if not res.exists():
        res = matrix("nofloats", "--pahole-flags", "--lang_exclude=rust")
    r = run("gate", "--baseline", base, "--update", res)
    assert r.returncode == 0, r.stderr
    assert "pahole on floats: digest " in r.stdout
    r = run("gate", "--baseline", base, "--corpus", d / "corpora", res)
    assert r.returncode == 0, r.stdout
