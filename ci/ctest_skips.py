#!/usr/bin/env python3
"""ctest_skips.py BUILD_DIR: lists every GoogleTest skip of the last ctest run with its reason.

ctest prints "Skipped" for a GTEST_SKIP but not why; its log (BUILD_DIR/Testing/Temporary/
LastTest.log) keeps each test's output, where GoogleTest writes "FILE:LINE: Skipped", the
reason and "[  SKIPPED ] NAME". Prints one line per skipped test, "  NAME: REASON (FILE:LINE)",
after a count. Exit 0, or 2 when the log is missing.
"""
import re
import sys
from pathlib import Path

SKIP_AT = re.compile(r"^(\S+:\d+): Skipped$")
RUN = re.compile(r"^\[ RUN      \] (\S+)$")
SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+) \(\d+ ms\)$")


def skips(log: str) -> list[tuple[str, str, str]]:
    """(test, reason, file:line) for each skipped test, in log order."""
    out = []
    test = where = None
    reason: list[str] = []
    for line in log.splitlines():
        if m := RUN.match(line):
            test, where, reason = m.group(1), None, []
        elif m := SKIP_AT.match(line):
            where, reason = m.group(1), []
        elif (m := SKIPPED.match(line)) and m.group(1) == test:
            out.append((test, " ".join(r.strip() for r in reason if r.strip()), where or "?"))
            test = where = None
        elif where is not None:
            reason.append(line)
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: ctest_skips.py BUILD_DIR", file=sys.stderr)
        return 2
    log = Path(sys.argv[1]) / "Testing" / "Temporary" / "LastTest.log"
    if not log.is_file():
        print(f"ctest_skips: no {log}", file=sys.stderr)
        return 2
    found = skips(log.read_text(errors="replace"))
    print(f"ctest: {len(found)} skipped test(s)" + (":" if found else ""))
    for test, reason, where in found:
        print(f"  {test}: {reason} ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
