"""ci/check_workflows.py: the repository's workflows pass; a broken copy is caught (YAML
syntax, a missing script, a script that is not executable, an unknown `needs`)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from real_inputs import require_module

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "ci" / "check_workflows.py"


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), "--root", str(root)], capture_output=True,
                          text=True, check=False)


def test_repository_workflows_are_valid():
    require_module("yaml", "python-yaml")
    r = check(REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "gate.yml" not in r.stdout.split("check_workflows:")[0]
    wf = (REPO / ".github/workflows/gate.yml").read_text()
    for needle in ("--shard", "matrix --merge", "btfcheck gate", "btfcheck report",
                   "GITHUB_STEP_SUMMARY", "workflow_dispatch", "upload-artifact"):
        assert needle in wf, needle


def test_broken_workflows_are_reported(tmp_path):
    require_module("yaml", "python-yaml")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci/notexec").write_text("#!/bin/sh\n")
    (tmp_path / ".github/workflows/a.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: x\n    needs: nope\n    steps:\n"
        "      - run: bash ci/missing --flag && ci/notexec\n")
    (tmp_path / ".github/workflows/b.yml").write_text("on: [push\n")
    r = check(tmp_path)
    assert r.returncode == 1
    assert "needs unknown job nope" in r.stdout
    assert "calls ci/missing, which does not exist" in r.stdout
    assert "calls ci/notexec, which is not executable" in r.stdout
    assert "b.yml: does not parse" in r.stdout
