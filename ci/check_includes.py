#!/usr/bin/env python3
"""ci/check_includes.py: the stage graph of DESIGN.md, enforced.

Every project `#include "dir/..."` in a stage directory and every btfcheck library a stage's
CMakeLists.txt links must be an allowed edge below. Arrows point down the data flow: a stage
uses the stages below it, never above or beside it. The canonical graph is a core library
(the encoder and the comparators use it); an oracle (comparator/dwarfcheck) shares no code
with what it checks; reports render results and never run producers. Exit 0 when every edge
is allowed, 1 listing each offending file and line, 2 on a broken tree.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# stage -> stages it may use (itself always allowed).
ALLOWED = {
    "btf": set(),
    "canon": {"btf"},
    "comparator/verify": {"btf"},
    "comparator/dwarfcheck": {"btf"},
    "comparator/diff": {"btf", "canon"},
    "comparator/size": {"btf"},
    "encoder/fixup": {"btf"},
    "encoder/producers": {"btf"},
    "encoder/dwarf": {"btf", "canon"},
    "encoder/archive": {"btf", "canon"},
    "matrix": {"btf", "canon", "comparator/verify", "comparator/diff", "comparator/size",
               "encoder/archive", "encoder/producers"},
    "reports": {"btf", "canon", "comparator/verify", "comparator/diff"},
}
# Everything may be used by the CLI, benchmarks and tests.
TOP = {"cli", "bench", "tests"}
# CMake library -> stage.
LIBS = {
    "btfcheck_btf": "btf", "btfcheck_dump": "btf", "btfcheck_canon": "canon",
    "btfcheck_verify": "comparator/verify", "btfcheck_dwarfcheck": "comparator/dwarfcheck",
    "btfcheck_diff": "comparator/diff", "btfcheck_size": "comparator/size", "btfcheck_fixup": "encoder/fixup",
    "btfcheck_producers": "encoder/producers", "btfcheck_encoder_dwarf": "encoder/dwarf",
    "btfcheck_archive": "encoder/archive", "btfcheck_matrix": "matrix",
    "btfcheck_report": "reports", "btfcheck_cli": "cli",
}
STAGE_DIRS = sorted(ALLOWED, key=len, reverse=True)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def stage_of(rel):
    """The stage a repository-relative path belongs to, or None."""
    for s in STAGE_DIRS:
        if rel == s or rel.startswith(s + "/"):
            return s
    first = rel.split("/", 1)[0]
    return first if first in TOP else None


def check_file(path, stage, problems):
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        target = stage_of(m.group(1))
        if target is None or target == stage:
            continue
        if target in TOP or target not in ALLOWED[stage]:
            problems.append(f"{path.relative_to(ROOT)}:{n}: {stage} includes {m.group(1)} "
                            f"({target} is not below {stage})")


def check_cmake(path, stage, problems):
    text = path.read_text()
    for m in re.finditer(r"target_link_libraries\s*\(([^)]*)\)", text):
        for word in m.group(1).split():
            target = LIBS.get(word)
            if target and target != stage and (target in TOP or target not in ALLOWED[stage]):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {stage} links {word} "
                                f"({target} is not below {stage})")


def main():
    problems = []
    seen = 0
    for stage in ALLOWED:
        d = ROOT / stage
        if not d.is_dir():
            print(f"check_includes: stage directory {stage}/ is missing", file=sys.stderr)
            return 2
        for path in sorted(d.rglob("*")):
            if path.suffix in (".cc", ".h"):
                seen += 1
                check_file(path, stage_of(str(path.relative_to(ROOT))), problems)
            elif path.name == "CMakeLists.txt":
                check_cmake(path, stage_of(str(path.relative_to(ROOT))), problems)
    for p in problems:
        print(p)
    print(f"check_includes: {seen} files, {len(problems)} disallowed edge(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
