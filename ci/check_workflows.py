#!/usr/bin/env python3
"""Checks .github/workflows/*.yml: each parses as YAML and has `on` and `jobs`; each job has
steps, each step exactly one of `uses`/`run`; `needs` names existing jobs; every repository
script a `run:` block calls (as a command, or through bash/sh/python3) exists and is
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


def called_scripts(script: str) -> list[tuple[str, bool]]:
    """Repository paths a shell script runs: (path, via_interpreter)."""
    out = []
    joined = GH_EXPR.sub("GHEXPR", script.replace("\\\n", " "))
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


def check_file(path: Path) -> list[str]:
    problems = []
    rel = path.relative_to(REPO)
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        return [f"{rel}: does not parse: {e}"]
    if not isinstance(doc, dict):
        return [f"{rel}: not a mapping"]
    if "on" not in doc and True not in doc:   # YAML 1.1 reads a bare `on` key as true
        problems.append(f"{rel}: no `on` trigger")
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
        for i, step in enumerate(steps, 1):
            label = f"{where} step {i} ({step.get('name', '') if isinstance(step, dict) else '?'})"
            if not isinstance(step, dict) or ("uses" in step) == ("run" in step):
                problems.append(f"{label}: needs exactly one of uses/run")
                continue
            if "run" not in step:
                continue
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


def main() -> int:
    global REPO
    if len(sys.argv) > 2 and sys.argv[1] == "--root":   # check another checkout (tests)
        REPO = Path(sys.argv[2]).resolve()
    files = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
    if not files:
        print("check_workflows: no workflow files", file=sys.stderr)
        return 1
    problems = [p for f in files for p in check_file(f)]
    for p in problems:
        print(p)
    print(f"check_workflows: {len(files)} workflow file(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
