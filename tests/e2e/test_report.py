"""btfcheck report on a real matrix run: files written, deterministic, history appended once
per run, escaping, and the page rendered in headless Chromium (marks per chart, no console
errors, no network request, a screenshot kept in the test's tmp dir)."""
from __future__ import annotations

import json
from html import escape
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
sys.path.insert(0, str(REPO / "reports"))
import page_check  # noqa: E402  reports/page_check.py
from real_inputs import require_module, require_or_skip, tool_resource  # noqa: E402

PRODUCERS = "pahole,gcc,clang-14"
# A feature-cost document as `btfcheck size --features --json` writes it (its figures are
# those of Debian's 6.12 vmlinux; tests/e2e/test_size.py runs the real thing).
FEATURE_COST = {
    "schema": "btfcheck-feature-cost/1", "input": "vmlinux-6.12", "producer": "pahole-master",
    "version": "v1.31", "baseline": {"features": "default", "bytes": 4688861},
    "rows": [
        {"feature": "global_var", "in_default": False, "without": "default",
         "with": "default,global_var", "bytes_without": 4688861, "bytes_with": 6394551,
         "delta": 1705690, "families": [{"name": "static calls (__SCK__*, __SCT__*)", "delta": 260711},
                                        {"name": "variables security_*", "delta": 199490}]},
        {"feature": "decl_tag_kfuncs", "in_default": True,
         "without": "encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func",
         "with": "default", "bytes_without": 4686739, "bytes_with": 4688861, "delta": 2122,
         "families": [{"name": "bpf_* kfunc tags", "delta": 2122}]},
        {"feature": "layout", "in_default": False, "without": "default", "with": "default,layout",
         "bytes_without": 4688861, "bytes_with": 4688941, "delta": 80,
         "families": [{"name": "other sections and padding", "delta": 80}]},
        {"feature": "true_signature", "in_default": False, "without": "default",
         "with": "default,true_signature", "bytes_without": 4688861, "bytes_with": 4713720,
         "delta": 24859, "families": [{"name": "functions trace_*", "delta": 2380},
                                      {"name": "unreachable anonymous types", "delta": -744}]}]}
CASES = "bitfields,floats,enum64,float16"


def run(*args, timeout=900, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    for t in ("pahole", "gcc", "clang-14"):
        if shutil.which(t) is None:
            require_or_skip(tool_resource(t), f"{t} is not installed")
    d = tmp_path_factory.mktemp("report")
    r = run("matrix", "--producers", PRODUCERS, "--cases", CASES, "--workdir", d / "w",
            "-o", d / "r.json")
    assert r.returncode == 0, r.stderr
    return d / "r.json"


def test_report_writes_page_summary_json_and_is_deterministic(results, tmp_path):
    env = {**os.environ, "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567"}
    hist = tmp_path / "history.jsonl"
    for out in ("a", "b"):
        r = run("report", results, "-o", tmp_path / out, "--history", hist, "--title", "t <1>", env=env)
        assert r.returncode == 0, r.stderr
    for f in ("index.html", "summary.md", "report.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    lines = hist.read_text().splitlines()
    assert len(lines) == 1, "the same run is not appended twice"
    entry = json.loads(lines[0])
    assert entry["commit"].startswith("0123456789abcdef")
    assert set(entry["producers"]) == set(PRODUCERS.split(","))
    doc = json.loads(results.read_text())
    rep = json.loads((tmp_path / "a" / "report.json").read_text())
    ok = {p: sum(1 for x in doc["runs"] if x["producer"] == p and x["status"] == "ok")
          for p in PRODUCERS.split(",")}
    assert {p["producer"]: p["runs"]["ok"] for p in rep["producers"]} == ok
    skipped = [(x["input"], x["producer"]) for x in doc["runs"] if x["status"] == "skipped"]
    assert sorted((x["input"], x["producer"]) for x in rep["not_run"]) == sorted(skipped)
    md = (tmp_path / "a" / "summary.md").read_text()
    assert "| clang-14 |" in md and "Worst first" in md
    html = (tmp_path / "a" / "index.html").read_text()
    assert "t &lt;1&gt;" in html and "<script" not in html
    for x in doc["runs"]:
        if x["status"] == "skipped":
            assert escape(x["reason"], quote=True).replace("&#x27;", "&#39;") in html, x


def test_report_escapes_hostile_input(tmp_path):
    doc = {"schema": "btfcheck-matrix/1", "reference": "pahole", "created": 1,
           "runs": [{"input": "<img src=x onerror=alert(1)>", "producer": "gcc\"><b>",
                     "status": "skipped", "reason": "</td><script>alert(2)</script>"}]}
    (tmp_path / "r.json").write_text(json.dumps(doc))
    r = run("report", tmp_path / "r.json", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "out" / "index.html").read_text()
    assert "<script" not in html and "<img" not in html and '"><b>' not in html


def test_report_errors(tmp_path):
    assert run("report", tmp_path / "missing.json", "-o", tmp_path).returncode == 2
    (tmp_path / "x.json").write_text('{"schema": "other/1", "runs": []}')
    r = run("report", tmp_path / "x.json", "-o", tmp_path / "o")
    assert r.returncode == 2 and "schema" in r.stderr
    assert run("report", tmp_path / "x.json").returncode == 2   # no -o


def test_page_renders_in_chromium(results, tmp_path):
    if page_check.find_chromium() is None:
        require_or_skip("chromium", "chromium is not installed (ci/bootstrap installs it)")
    require_module("websocket", "python-websocket")
    hist = tmp_path / "history.jsonl"
    older = {"schema": "btfcheck-history/1", "commit": "older", "created": 1, "date": "x",
             "producers": {"pahole": {"ok": 1, "size": 10, "wall_s": 0.1}}}
    hist.write_text(json.dumps(older) + "\n")
    cost = tmp_path / "feature-cost.json"
    cost.write_text(json.dumps(FEATURE_COST))
    out = tmp_path / "out"
    r = run("report", results, cost, "-o", out, "--history", hist)
    assert r.returncode == 0, r.stderr
    res = page_check.check(out / "index.html", out / "screenshot.png")
    doc = json.loads(results.read_text())
    ok_runs = [x for x in doc["runs"] if x["status"] == "ok"]
    producers_ok = {x["producer"] for x in ok_runs}
    marks = res["marks"]
    for chart in ("size-by-case", "time-by-case", "rss-by-case"):
        assert marks[chart] == len(ok_runs), (chart, marks)
    for chart in ("size-by-producer", "time-by-producer", "rss-by-producer", "kinds-by-producer"):
        assert marks[chart] == len(producers_ok), (chart, marks)
    # Size breakdown: one stacked bar per ok run, by family and by kind.
    assert all("size_breakdown" in x for x in ok_runs)
    for chart in ("size-families", "size-kinds"):
        assert marks[chart] == len(ok_runs), (chart, marks)
    assert page_check.chart_problems(res, ["size-families", "size-kinds", "feature-cost"],
                                     [f"feature-cost={len(FEATURE_COST['rows'])}"]) == []
    page = (out / "index.html").read_text()
    for pct in ("+36.38%", "+0.045%", "+0.002%", "+0.53%"):   # each feature's row
        assert f"<td class=n>{pct}</td>" in page, pct
    # Trend points: the older entry has pahole only, this run every producer.
    assert marks["trend-size"] == 1 + len(producers_ok)
    assert marks["trend-families"] >= 1   # this run's largest families (the older line has none)
    assert res["unrendered"] == {}
    assert res["console_errors"] == []
    assert res["requests"] == [], "the page must not fetch anything"
    shot = out / "screenshot.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10000
