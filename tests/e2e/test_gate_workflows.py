"""ci/check_workflows.py: the repository's workflows and its composite action pass; a broken
copy is caught (YAML syntax, a missing script, a script that is not executable, an unknown
`needs`; in a reusable workflow or an action: an undeclared or untyped input, a step id that
does not exist, a composite run step without a shell, a missing script under the action's
path)."""
from __future__ import annotations

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


def test_reusable_workflow_and_action_call_the_one_script():
    yaml = require_module("yaml", "python-yaml")
    wf = yaml.safe_load((REPO / ".github/workflows/btf-gate.yml").read_text())
    on = wf.get("on", wf.get(True))
    inputs = on["workflow_call"]["inputs"]
    assert {"suite", "baseline", "producer-repository", "producer-ref", "reference",
            "baseline-cache-key", "kernel-releases"} <= set(inputs)
    assert all(spec.get("type") in ("string", "boolean", "number") for spec in inputs.values())
    steps = wf["jobs"]["gate"]["steps"]
    assert any(s.get("uses") == "./.btfcheck" for s in steps), "the workflow runs the action"
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    runs = [s["run"] for s in action["runs"]["steps"] if "run" in s]
    assert sum("ci/gate-suite" in r for r in runs) >= 1
    assert not any("btfcheck matrix" in r or "btfcheck gate" in r for r in runs), \
        "the action's steps call ci/gate-suite, which does the work"
    # Every input the workflow passes on is one the action declares.
    gate_step = next(s for s in steps if s.get("uses") == "./.btfcheck")
    assert set(gate_step["with"]) <= set(action["inputs"])


def test_broken_reusable_workflow_and_action_are_reported(tmp_path):
    require_module("yaml", "python-yaml")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/call.yml").write_text(
        "on:\n  workflow_call:\n    inputs:\n      suite: {description: s}\n"
        "    outputs:\n      v: {description: v}\n"
        "jobs:\n  a:\n    runs-on: x\n    outputs: {r: '${{ steps.nope.outputs.r }}'}\n"
        "    steps:\n      - run: echo ${{ inputs.suite }} ${{ inputs.typo }}\n")
    (tmp_path / "action.yml").write_text(
        "name: a\ndescription: d\ninputs:\n  x: {description: x}\n"
        "runs:\n  using: composite\n  steps:\n"
        "    - run: python3 \"$GITHUB_ACTION_PATH/ci/gone\" ${{ inputs.y }}\n"
        "    - id: k\n      shell: bash\n      run: echo ${{ steps.other.outputs.z }}\n")
    r = check(tmp_path)
    assert r.returncode == 1
    out = r.stdout
    assert "input suite has type None" in out
    assert "output v has no value" in out
    assert "uses inputs.typo, which is not declared" in out
    assert "outputs refer to steps.nope" in out
    assert "action.yml: uses inputs.y, which is not declared" in out
    assert "a composite action's run step needs a shell" in out
    assert "calls ci/gone, which does not exist" in out
    assert "refers to steps.other, no step has that id" in out


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


def test_readme_example_calls_the_reusable_workflow_with_its_inputs():
    """README "A gate others call": the lines pahole would add are a valid caller."""
    yaml = require_module("yaml", "python-yaml")
    readme = (REPO / "README.md").read_text()
    section = readme.split("### A gate others call", 1)[1].split("\n### ", 1)[0]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert len(block.splitlines()) <= 15, "about ten lines"
    caller = yaml.safe_load(block)
    on = caller.get("on", caller.get(True))
    assert "push" in on or "pull_request" in on
    (job,) = caller["jobs"].values()
    assert job["uses"].split("@")[0].endswith("/.github/workflows/btf-gate.yml")
    wf = yaml.safe_load((REPO / ".github/workflows/btf-gate.yml").read_text())
    inputs = wf.get("on", wf.get(True))["workflow_call"]["inputs"]
    assert set(job["with"]) <= set(inputs), set(job["with"]) - set(inputs)
    assert {k for k, spec in inputs.items() if spec.get("required")} <= set(job["with"])
    assert job["with"]["suite"] in inputs["suite"]["description"]
