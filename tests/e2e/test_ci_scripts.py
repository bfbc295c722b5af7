"""The CI plumbing itself: the workflow parses and calls scripts that exist, every script
is executable and syntactically valid, .ci/run hands over to ci/test, the fuzz seeds are
real BTF, and the harness report and bpftool comparison produce what they promise."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from real_inputs import require_or_skip

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
SCRIPTS = ["ci/bootstrap", "ci/build", "ci/test", "ci/asan", "ci/tsan", "ci/fuzz", "ci/harness", ".ci/run",
           "ci/machine_resources", "corpora/fetch-tiny-kernel",
           "bench/compare_bpftool.sh", "bench/encode_vs_pahole.sh", "bench/archive_merge.sh",
           "tests/fuzz/make_seeds.sh"]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build" / "bin" / "btfcheck"))


def is_executable(p: Path) -> bool:
    return p.is_file() and bool(p.stat().st_mode & stat.S_IXUSR)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def test_workflow_parses_with_the_required_jobs_and_triggers():
    wf = workflow()
    # YAML 1.1 reads the bare key `on` as True.
    on = wf.get("on", wf.get(True))
    assert on, "workflow has no triggers"
    for event in ("push", "pull_request"):
        assert sorted(on[event]["branches"]) == ["master", "next"], event
    jobs = wf["jobs"]
    assert {"test", "sanitizers"} <= set(jobs)
    for name in ("test", "sanitizers"):
        image = jobs[name]["container"]["image"]
        assert image in ("debian:12", "debian:bookworm"), image
        assert jobs[name]["runs-on"].startswith("ubuntu")
    test_runs = " ".join(s.get("run", "") for s in jobs["test"]["steps"])
    assert "ci/test" in test_runs



def test_ci_jobs_run_the_scripts_ci_test_runs():
    """Each sanitizer and fuzz job runs the very script ci/test runs for that step, so the
    workflow and ci/test cannot drift apart (they once did: the tsan job ran one of ci/test's
    three TSan tests)."""
    jobs = workflow()["jobs"]
    ci_test = (REPO / "ci" / "test").read_text()
    for job, script in (("sanitizers", "ci/asan"), ("tsan", "ci/tsan"), ("fuzz", "ci/fuzz")):
        assert re.search(rf"^\s+(\S+=\S+ )*(ci_step \S+ )?{script}\b", ci_test, re.M), script
        runs = [s.get("run", "") for s in jobs[job]["steps"]]
        assert any(re.search(rf"^(bash )?{script}$", r.strip()) for r in runs), (job, runs)
    assert "--sanitize address" in (REPO / "ci" / "asan").read_text()
    assert "--sanitize thread" in (REPO / "ci" / "tsan").read_text()


def test_every_script_the_workflow_runs_exists_and_is_executable():
    referenced = set()
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            for m in re.finditer(r"(?:^|\s)((?:\.ci|ci|bench|tests)/[\w./-]+)", step.get("run", "")):
                referenced.add(m.group(1))
    assert referenced, "the workflow calls none of the repository's scripts"
    for rel in sorted(referenced):
        assert is_executable(REPO / rel), f"{rel} (called by the workflow) missing or not executable"


def test_scripts_called_by_ci_test_and_harness_exist():
    for script in ("ci/test", "ci/asan", "ci/tsan", "ci/harness", "ci/fuzz"):
        text = (REPO / script).read_text()
        for m in re.finditer(r"(?<![\w/.-])((?:ci|bench|reports|tests/fuzz)/[\w.-]+(?:\.py|\.sh)?)\b", text):
            rel = m.group(1)
            if rel.endswith(("/", "crashes", "seeds", "regressions", "out")) or rel in ("reports/out",):
                continue
            p = REPO / rel
            if p.is_dir():
                continue
            assert p.is_file(), f"{script} refers to {rel}, which does not exist"


@pytest.mark.parametrize("rel", SCRIPTS)
def test_script_is_executable_with_valid_bash_syntax(rel):
    p = REPO / rel
    assert is_executable(p), f"{rel} missing or not executable"
    assert p.read_text().startswith("#!/usr/bin/env bash"), f"{rel} lacks a bash shebang"
    r = subprocess.run(["bash", "-n", str(p)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("rel", ["ci/harness_run.py", "reports/harness_report.py", "ci/ctest_skips.py"])
def test_python_helpers_compile(rel):
    source = (REPO / rel).read_text()
    compile(source, rel, "exec")


def test_ci_run_hands_over_to_ci_test():
    text = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^exec ci/test\b", text, re.M), text


def test_ci_test_runs_every_stage_and_guards_against_empty_suites():
    text = (REPO / "ci" / "test").read_text()
    for needle in ("ci/bootstrap", "ci/build", "unit_tests build", "-m pytest -q -rs",
                   "ci/asan", "ci/tsan", "ci/fuzz"):
        assert needle in text, needle
    asan = (REPO / "ci" / "asan").read_text()
    assert "ctest --test-dir build-asan" in asan
    assert (text + asan).count("--no-tests=error") >= 2


def test_bootstrap_installs_what_the_tests_need():
    text = (REPO / "ci" / "bootstrap").read_text()
    for pkg in ("python3-yaml", "python3-pytest", "googletest", "libbenchmark-dev", "bpftool",
                "clang", "libclang-rt-14-dev", "gcc-bpf", "dwarves", "ninja-build"):
        assert re.search(rf"(?<![\w-]){re.escape(pkg)}(?![\w-])", text), pkg


def test_ci_build_rejects_bad_usage():
    r = subprocess.run([str(REPO / "ci" / "build"), "--sanitize", "memory"],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "address or thread" in r.stderr
    r = subprocess.run([str(REPO / "ci" / "build"), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--sanitize" in r.stdout


def test_fuzz_seeds_are_small_real_btf_blobs():
    seeds = sorted((REPO / "tests" / "fuzz" / "seeds").glob("*.btf"))
    assert len(seeds) >= 10, "run tests/fuzz/make_seeds.sh"
    orders = set()
    for s in seeds:
        data = s.read_bytes()
        assert 24 <= len(data) <= 64 * 1024, s.name
        assert data[:2] in (b"\x9f\xeb", b"\xeb\x9f"), f"{s.name} does not start with the BTF magic"
        orders.add(data[:2])
    assert len(orders) == 2, "seeds should cover both byte orders"
    names = {s.name for s in seeds}
    assert "archive.gcc.btf" in names and "split.pahole.btf" in names


def test_harness_report_renders_results(tmp_path):
    raw = {
        "btfcheck": "build/bin/btfcheck", "git": "abc1234",
        "producers": {"clang": "14.0.6", "gcc": "12.2.0"},
        "inputs": [
            {"input": "corpora/cases/b.c", "name": "b", "producer": "gcc", "kind": "corpus",
             "types": 7, "btf_bytes": 300,
             "verify": {"exit": 0, "valid": True, "violations": 0, "by_rule": {}, "ms": 2.0},
             "verify_fixup": {"exit": 0, "valid": True, "violations": 0, "by_rule": {}, "ms": 2.5},
             "dump": {"exit": 0, "ms": 1.0, "vs_bpftool": "identical"},
             "kernel": {"verdict": "rejected", "message": "Unsupported encoding", "agrees": False}},
            {"input": "corpora/cases/a.c", "name": "a", "producer": "clang", "kind": "corpus",
             "types": 9, "btf_bytes": 400,
             "verify": {"exit": 1, "valid": False, "violations": 2,
                        "by_rule": {"datasec.size": 1, "var.linkage": 1}, "ms": 2.0},
             "verify_fixup": {"exit": 0, "valid": True, "violations": 0, "by_rule": {}},
             "dump": {"exit": 0, "ms": 1.0, "vs_bpftool": "differs"},
             "kernel": {"verdict": "rejected", "message": "[6] DATASEC .bss size == 0",
                        "agrees": True}},
            {"input": "corpora/cases/c.c", "name": "c", "producer": "bpf-gcc", "kind": "corpus",
             "skipped": "bpf-gcc not installed (producer bpf-gcc)"},
            {"input": "corpora/cases/d.c", "name": "d", "producer": "clang", "kind": "corpus",
             "error": "compile failed: d.c:1: error: x"},
        ],
        "compare_bpftool": {"runs": 3, "inputs": [
            {"file": "/sys/kernel/btf/vmlinux", "bytes": 10,
             "bpftool_dump": {"median_ms": 100.0, "peak_rss_kb": 10240, "exit": 0},
             "btfcheck_verify": {"median_ms": 20.0, "peak_rss_kb": 5120, "exit": 0,
                                 "time_ratio": 0.2, "rss_ratio": 0.5},
             "btfcheck_dump": {"median_ms": 50.0, "peak_rss_kb": 20480, "exit": 0,
                               "time_ratio": 0.5, "rss_ratio": 2.0}}]},
    }
    src = tmp_path / "results.json"
    src.write_text(json.dumps(raw))
    r = subprocess.run([sys.executable, str(REPO / "reports" / "harness_report.py"), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [(i["name"], i["status"]) for i in summary["inputs"]] == [
        ("a", "valid-after-fixup"), ("b", "valid"), ("c", "skipped"), ("d", "error")]
    t = summary["totals"]
    assert t["inputs"] == 4 and t["violations_by_rule"] == {"datasec.size": 1, "var.linkage": 1}
    assert (t["dump_identical_to_bpftool"], t["dump_compared"]) == (1, 2)
    md = (tmp_path / "summary.md").read_text()
    assert (t["kernel_compared"], t["kernel_agrees"]) == (2, 1)
    assert t["kernel_disagreements"] == ["b (gcc)"]
    assert ("| a | clang | 9 | 400 | 2: datasec.size×1, var.linkage×1 | OK | "
            "rejected ([6] DATASEC .bss size == 0) | differs |") in md
    assert "rejected (Unsupported encoding) **DISAGREES**" in md
    assert "agrees with the running kernel's" in md and "on 1 of 2 inputs: disagrees on b (gcc)." in md
    assert "compile failed: d.c:1: error: x" in md
    assert "| /sys/kernel/btf/vmlinux | btfcheck verify | 20.0 | 5.0 | 0 | 0.20 | 0.50 |" in md
    first = (tmp_path / "summary.json").read_bytes()
    subprocess.run([sys.executable, str(REPO / "reports" / "harness_report.py"), str(src)], check=True,
                   capture_output=True)
    assert (tmp_path / "summary.json").read_bytes() == first, "report is not deterministic"


def test_compare_bpftool_measures_both_tools(tmp_path):
    bpftool = shutil.which("bpftool") or ("/usr/sbin/bpftool" if Path("/usr/sbin/bpftool").exists() else None)
    if bpftool is None:
        require_or_skip("bpftool", "bpftool not installed")
    assert is_executable(BTFCHECK), f"{BTFCHECK} not built (run ci/build)"
    seed = REPO / "tests" / "fuzz" / "seeds" / "all_kinds.clang.btf"
    prefix = tmp_path / "cmp"
    r = subprocess.run([str(REPO / "bench" / "compare_bpftool.sh"), "-n", "2", "-o", str(prefix),
                        str(seed)], capture_output=True, text=True,
                       env={**os.environ, "BTFCHECK": str(BTFCHECK), "BPFTOOL": bpftool})
    assert r.returncode == 0, r.stderr
    doc = json.loads(Path(f"{prefix}.json").read_text())
    assert doc["runs"] == 2 and len(doc["inputs"]) == 1
    row = doc["inputs"][0]
    assert row["file"] == str(seed) and row["bytes"] == seed.stat().st_size
    assert row["bpftool_dump"]["exit"] == 0 and row["bpftool_dump"]["peak_rss_kb"] > 0
    for key in ("btfcheck_verify", "btfcheck_dump"):
        assert row[key]["median_ms"] > 0 and row[key]["peak_rss_kb"] > 0
        assert row[key]["exit"] in (0, 1, 2)
        if row[key]["exit"] < 2:
            assert row[key]["time_ratio"] > 0
    assert "| btfcheck dump |" in Path(f"{prefix}.md").read_text()


def test_compare_bpftool_rejects_bad_usage():
    script = str(REPO / "bench" / "compare_bpftool.sh")
    assert subprocess.run([script], capture_output=True).returncode == 2
    assert subprocess.run([script, "-n", "x", "/dev/null"], capture_output=True).returncode == 2


def test_kernel_btf_load_gives_a_verdict(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        require_or_skip("gcc", "no C compiler")
    exe = tmp_path / "kernel_btf_load"
    r = subprocess.run([cc, "-O2", "-o", str(exe), str(REPO / "ci" / "kernel_btf_load.c"), "-lbpf"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe), str(tmp_path / "absent.btf")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout.startswith("unavailable: ")
    # Clang leaves DATASEC sizes 0 for libbpf to fill in: the kernel refuses the raw blob.
    seed = REPO / "tests" / "fuzz" / "seeds" / "sections.clang.btf"
    r = subprocess.run([str(exe), str(seed)], capture_output=True, text=True)
    if r.stdout.startswith("unavailable"):
        require_or_skip("kernel-load", f"BPF_BTF_LOAD not permitted here: {r.stdout.strip()}")
    assert r.returncode == 1 and r.stdout.startswith("rejected: "), r.stdout
    assert "DATASEC" in r.stdout


def test_dwarf_walk_counts_what_readelf_lists(tmp_path):
    """bench/dwarf_walk.cc (the libdw floor encode_vs_pahole.sh prints) visits every DIE: its
    count equals readelf's DIEs (null entries aside) minus one unit DIE per unit, at -j1
    and -j2, on a gcc object with nested scopes and types."""
    walk = BTFCHECK.parent / "btfcheck_dwarf_walk"
    assert is_executable(walk), f"{walk} not built (ci/build builds bench/ with btfcheck)"
    cc, readelf = shutil.which("gcc"), shutil.which("readelf")
    if cc is None:
        require_or_skip("gcc", "gcc is not installed: no object to walk")
    if readelf is None:
        require_or_skip("binutils", "readelf (binutils) is not installed: no DIE count to compare with")
    src = tmp_path / "t.c"
    src.write_text("struct s { int a; struct { char b[4]; } in; };\n"
                   "static int f(struct s *p) { int x = p->a; { int y = x * 2; return y; } }\n"
                   "int g(struct s *p, int n) { enum e { A, B } v = n ? A : B; return f(p) + v; }\n")
    obj = tmp_path / "t.o"
    subprocess.run([cc, "-g", "-O1", "-c", "-o", str(obj), str(src)], check=True)
    dump = subprocess.run([readelf, "--debug-dump=info", str(obj)], capture_output=True, text=True,
                          check=True).stdout
    dies = len(re.findall(r"^ <\d+><[0-9a-f]+>: Abbrev Number: [1-9]", dump, re.M))
    units = len(re.findall(r"^ <0><", dump, re.M))
    assert units >= 1 and dies > 20
    for jobs in ("1", "2"):
        r = subprocess.run([str(walk), str(obj), "-j", jobs], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(f"{units} units, {dies - units} DIEs, "), r.stdout
    r = subprocess.run([str(walk), str(src)], capture_output=True, text=True)
    assert r.returncode == 2 and "no DWARF" in r.stderr
