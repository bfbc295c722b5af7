#!/usr/bin/env python3
"""Checks .github/workflows/*.yml and the composite action action.yml at the root.

Workflows: each parses as YAML and has `on` and `jobs`; each job has steps (or `uses` a
reusable workflow), each step exactly one of `uses`/`run`; `needs` names existing jobs.
Reusable workflows (`on: workflow_call`) and dispatch inputs: every input is a mapping with a
`description` and a `type` (string, boolean, number; dispatch also choice, environment), and
every `inputs.NAME` the file uses is declared; `outputs` have a `value`.
action.yml: `name`, `description`, `runs.using: composite` and `runs.steps`, each step either
`uses` or `run` with a `shell`; inputs are mappings with a `description`, every
`inputs.NAME` used is declared, outputs have a `value`.
Both: `steps.ID.outputs` names a step id of the same job (or action); every repository
script a `run:` block calls (as a command, or through bash/sh/python3; a path under
$GITHUB_ACTION_PATH or ${{ github.action_path }} is one of this repository's) exists and is
executable. Prints one line per problem; exit 0 clean, 1 problems, 2 could not run."""
from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    print("check_workflows: python3-yaml is not installed", file=sys.stderr)
    sys.exit(2)

REPO = Path(__file__).resolve().parents[1]
INTERPRETERS = {"bash", "sh", "python3", "python", "exec", "env"}
SPLIT = re.compile(r"&&|\|\||[;|\n]")
GH_EXPR = re.compile(r"\$\{\{.*?\}\}")


ACTION_PATH = re.compile(r"\$\{\{\s*github\.action_path\s*\}\}/|\$\{?GITHUB_ACTION_PATH\}?/")
INPUT_REF = re.compile(r"\binputs\.([A-Za-z_][A-Za-z0-9_-]*)")
STEP_REF = re.compile(r"\bsteps\.([A-Za-z_][A-Za-z0-9_-]*)\.(?:outputs|outcome|conclusion)\b")
INPUT_TYPES = {"string", "boolean", "number"}


def called_scripts(script: str) -> list[tuple[str, bool]]:
    """Repository paths a shell script runs: (path, via_interpreter)."""
    out = []
    joined = GH_EXPR.sub("GHEXPR", ACTION_PATH.sub("", script).replace("\\\n", " "))
    for cmd in SPLIT.split(joined):
        try:
            words = shlex.split(cmd, comments=True)
        except ValueError:
            words = cmd.split()
        while words and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]) or
                         words[0] in ("if", "then", "else", "do", "!", "time", "set", "-e", "-eu")):
            words = words[1:]
        if not words:
            continue
        via = False
        if words[0] in INTERPRETERS and len(words) > 1:
            rest = [w for w in words[1:] if not w.startswith("-")]
            if not rest:
                continue
            words, via = rest, True
        first = words[0]
        if "/" not in first or first.startswith(("/", "$", "~", "http")) or "${{" in first:
            continue
        out.append((first, via))
    return out


def load_mapping(path: Path) -> tuple[str, dict | None, list[str]]:
    """(relative name, the YAML document when it is a mapping, problems)."""
    rel = str(path.relative_to(REPO))
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        return rel, None, [f"{rel}: does not parse: {e}"]
    return (rel, doc, []) if isinstance(doc, dict) else (rel, None, [f"{rel}: not a mapping"])


def missing_step_refs(mapping, steps: list, where: str) -> list[str]:
    """`steps.ID` references in `mapping` (outputs) to ids no step has."""
    ids = {st.get("id") for st in steps if isinstance(st, dict)}
    return [f"{where}: outputs refer to steps.{ref}, no step has that id"
            for ref in sorted(set(STEP_REF.findall(yaml.safe_dump(mapping or {})))) if ref not in ids]


def check_file(path: Path) -> list[str]:
    rel, doc, problems = load_mapping(path)
    if doc is None:
        return problems
    if "on" not in doc and True not in doc:   # YAML 1.1 reads a bare `on` key as true
        problems.append(f"{rel}: no `on` trigger")
    on = doc.get("on", doc.get(True))
    declared: set[str] = set()
    if isinstance(on, dict):
        for trigger in ("workflow_call", "workflow_dispatch"):
            spec = on.get(trigger)
            if isinstance(spec, dict):
                # A dispatch input's type is optional (string); a reusable workflow's is not.
                types = INPUT_TYPES | ({"choice", "environment", None} if trigger == "workflow_dispatch" else set())
                problems += check_inputs(spec.get("inputs"), f"{rel}: {trigger}", types)
                declared |= set(spec.get("inputs") or {})
                if trigger == "workflow_call":
                    problems += check_outputs(spec.get("outputs"), f"{rel}: {trigger}")
                    jobs_used = set(re.findall(r"\bjobs\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs",
                                               yaml.safe_dump(spec.get("outputs") or {})))
                    for j in sorted(jobs_used - set(doc.get("jobs") or {})):
                        problems.append(f"{rel}: {trigger} outputs refer to jobs.{j}, which does not exist")
    problems += undeclared_inputs(path.read_text(), declared, str(rel))
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return problems + [f"{rel}: no jobs"]
    for name, job in jobs.items():
        where = f"{rel}: job {name}"
        if not isinstance(job, dict):
            problems.append(f"{where}: not a mapping")
            continue
        needs = job.get("needs", [])
        for n in [needs] if isinstance(needs, str) else needs or []:
            if n not in jobs:
                problems.append(f"{where}: needs unknown job {n}")
        if "uses" in job:   # a reusable workflow call
            continue
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append(f"{where}: no steps")
            continue
        problems += check_steps(steps, where) + missing_step_refs(job.get("outputs"), steps, where)
    return problems


def check_steps(steps: list, where: str, composite: bool = False) -> list[str]:
    """Each step: exactly one of uses/run (a composite action's run also needs a shell); the
    step ids `steps.ID` refers to exist; the repository scripts a run block calls exist and
    are executable."""
    problems = []
    ids = {st.get("id") for st in steps if isinstance(st, dict) and st.get("id")}
    for i, step in enumerate(steps, 1):
        label = f"{where} step {i} ({step.get('name', '') if isinstance(step, dict) else '?'})"
        if not isinstance(step, dict) or ("uses" in step) == ("run" in step):
            problems.append(f"{label}: needs exactly one of uses/run")
            continue
        for ref in sorted(set(STEP_REF.findall(yaml.safe_dump(step)))):
            if ref not in ids:
                problems.append(f"{label}: refers to steps.{ref}, no step has that id")
        if "run" not in step:
            continue
        if composite and "shell" not in step:
            problems.append(f"{label}: a composite action's run step needs a shell")
        for script, via in called_scripts(str(step["run"])):
            p = REPO / script
            if not p.is_file():
                # Paths made by earlier steps (build outputs, downloaded artifacts) are
                # not repository scripts.
                top = script.removeprefix("./").split("/")[0]
                if top.startswith("build") or top in ("matrix-work", "gate-history") or \
                        script.removeprefix("./").startswith("reports/out/"):
                    continue
                problems.append(f"{label}: calls {script}, which does not exist")
            elif not os.access(p, os.X_OK):
                problems.append(f"{label}: calls {script}, which is not executable")
    return problems


def check_inputs(inputs, where: str, types: set[str] | None) -> list[str]:
    """Each input a mapping with a description (and, in workflows, a known type)."""
    if inputs is None:
        return []
    if not isinstance(inputs, dict):
        return [f"{where}: inputs is not a mapping"]
    problems = []
    for name, spec in inputs.items():
        if not isinstance(spec, dict):
            problems.append(f"{where}: input {name} is not a mapping")
            continue
        if not spec.get("description"):
            problems.append(f"{where}: input {name} has no description")
        if types is not None and spec.get("type") not in types:
            problems.append(f"{where}: input {name} has type {spec.get('type')!r}, want one of "
                            + ", ".join(sorted(t for t in types if t)))
    return problems


def check_outputs(outputs, where: str) -> list[str]:
    if outputs is None:
        return []
    if not isinstance(outputs, dict):
        return [f"{where}: outputs is not a mapping"]
    return [f"{where}: output {n} has no value" for n, spec in outputs.items()
            if not isinstance(spec, dict) or "value" not in spec]


def undeclared_inputs(text: str, declared: set[str], where: str) -> list[str]:
    used = set(INPUT_REF.findall(text))
    return [f"{where}: uses inputs.{n}, which is not declared" for n in sorted(used - declared)]


def check_action(path: Path) -> list[str]:
    """A composite action (action.yml at the repository's root)."""
    rel, doc, problems = load_mapping(path)
    if doc is None:
        return problems
    problems = [f"{rel}: no {k}" for k in ("name", "description") if not doc.get(k)]
    problems += check_inputs(doc.get("inputs"), str(rel), None)
    problems += check_outputs(doc.get("outputs"), str(rel))
    problems += undeclared_inputs(path.read_text(), set(doc.get("inputs") or {}), str(rel))
    runs = doc.get("runs")
    if not isinstance(runs, dict) or runs.get("using") != "composite":
        return problems + [f"{rel}: runs.using is not composite"]
    steps = runs.get("steps")
    if not isinstance(steps, list) or not steps:
        return problems + [f"{rel}: runs has no steps"]
    return (problems + missing_step_refs(doc.get("outputs"), steps, rel) +
            check_steps(steps, f"{rel}: runs", composite=True))


def main() -> int:
    global REPO
    if len(sys.argv) > 2 and sys.argv[1] == "--root":   # check another checkout (tests)
        REPO = Path(sys.argv[2]).resolve()
    files = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
    if not files:
        print("check_workflows: no workflow files", file=sys.stderr)
        return 1
    problems = [p for f in files for p in check_file(f)]
    action = REPO / "action.yml"
    if action.is_file():
        problems += check_action(action)
    for p in problems:
        print(p)
    print(f"check_workflows: {len(files)} workflow file(s){', action.yml' if action.is_file() else ''}, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
