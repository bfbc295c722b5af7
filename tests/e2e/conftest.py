"""Session checks for the e2e suite, before any test runs:

- the btfcheck binary under test ($BTFCHECK, else $BTFCHECK_BINARY, else build/bin/btfcheck)
  must be an executable file: a mistyped path is a usage error, not a suite of skips;
- $BTFCHECK_REQUIRE may name only resources of tests/resources.txt (real_inputs.py's
  require_or_skip turns a skip for a listed one into a failure);
- tool overrides (BTFCHECK_CLANG, BTFCHECK_GCC, BTFCHECK_BPF_GCC, BTFCHECK_PAHOLE), when
  set, must name a program that exists.
The report header says which binary and which required resources the run uses."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from real_inputs import REPO, required_resources

TOOL_OVERRIDES = ("BTFCHECK_CLANG", "BTFCHECK_GCC", "BTFCHECK_BPF_GCC", "BTFCHECK_PAHOLE")


def btfcheck_binary() -> tuple[Path, str]:
    """(path, where it came from): the first of $BTFCHECK, $BTFCHECK_BINARY, build/bin/btfcheck."""
    for var in ("BTFCHECK", "BTFCHECK_BINARY"):
        if value := os.environ.get(var):
            return Path(value), f"${var}"
    return REPO / "build" / "bin" / "btfcheck", "the default (run ci/build, or set BTFCHECK)"


def pytest_configure(config):
    config.addinivalue_line("markers", "tiny: needs the tiny kernel (corpora/fetch-tiny-kernel); "
                                       "ci/test runs these after building it")
    path, origin = btfcheck_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise pytest.UsageError(f"btfcheck binary {path} from {origin} is not an executable file")
    for var in TOOL_OVERRIDES:
        if (value := os.environ.get(var)) and shutil.which(value) is None:
            raise pytest.UsageError(f"${var}={value} is not a program on PATH")
    try:
        required_resources()
    except ValueError as e:
        raise pytest.UsageError(str(e)) from None


def pytest_report_header(config):
    path, _ = btfcheck_binary()
    required = ",".join(sorted(required_resources())) or "(none)"
    return [f"btfcheck: {path}", f"BTFCHECK_REQUIRE: {required}"]
