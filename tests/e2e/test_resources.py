"""Skips go through one helper per language and name a resource of tests/resources.txt;
BTFCHECK_REQUIRE turns them into failures; ci/test requires only known names; ctest's
skips are listed with their reasons (ci/ctest_skips.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from real_inputs import FINDERS, REPO, known_resources

TESTS = REPO / "tests"
# A literal resource at a skip site: require_or_skip("x", ...), require_input("x", ...),
# require_module(..., "x"), BTFCHECK_SKIP("x").
SITE = re.compile(r'(?:require_or_skip|require_input|BTFCHECK_SKIP)\(\s*"([^"]+)"'
                  r'|require_module\([^,]+,\s*"([^"]+)"')


# The helpers themselves, and this file (its probes misname resources on purpose).
HELPERS = {TESTS / "e2e" / "real_inputs.py", TESTS / "unit" / "require.h", Path(__file__).resolve()}


def sources() -> list[Path]:
    """Test sources other than HELPERS."""
    return sorted(p for p in TESTS.rglob("*") if p.suffix in (".py", ".cc", ".h") and p not in HELPERS)


def test_every_skip_goes_through_the_helpers():
    """No bare pytest.skip / skipif / importorskip / GTEST_SKIP outside the helpers."""
    bare = re.compile(r"\bGTEST_SKIP\b|pytest\.skip\(|@pytest\.mark\.skip|skipif|importorskip")
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
             for p in sources()
             for n, line in enumerate(p.read_text().splitlines(), 1) if bare.search(line)]
    assert not found, "skips that bypass require_or_skip / BTFCHECK_SKIP:\n" + "\n".join(found)


def test_skip_sites_and_ci_name_known_resources():
    known = known_resources()
    assert {"cloud", "tiny", "kernel-load", "sysfs", "pahole-master", "bpftool", "clang",
            "gcc-bpf"} <= known.keys()
    used = {}
    for p in sources():
        for m in SITE.finditer(p.read_text()):
            for name in (m.group(1) or m.group(2)).split("|"):
                used.setdefault(name, p.relative_to(REPO))
    assert len(used) > 10, used
    unknown = {n: str(p) for n, p in used.items() if n not in known}
    assert not unknown, unknown
    assert FINDERS.keys() <= known.keys(), FINDERS.keys() - known.keys()
    names = ci_required()
    assert names <= known.keys(), names - known.keys()
    # What tests/resources.txt says CI does not fetch or build, CI must not require.
    not_in_ci = {n for n, what in known.items() if re.search(r"not (fetched|built) by ci/test", what)}
    assert {"cloud-6.12", "arm64", "pahole-master"} <= not_in_ci, not_in_ci
    assert not names & not_in_ci, names & not_in_ci


def ci_required() -> set[str]:
    """Every resource ci/test can put in BTFCHECK_REQUIRE: its require=(...) list, what it
    adds after a fetch or build (require+=(x), BTFCHECK_REQUIRE+=",x") and what
    ci/machine_resources can detect (found+=(x))."""
    ci_test = (REPO / "ci" / "test").read_text()
    listed = re.search(r"^require=\(([^)]*)\)", ci_test, re.M)
    assert listed, "ci/test has no require=(...) list"
    names = set(listed.group(1).split())
    names |= set(re.findall(r"require\+=\(([\w.-]+)\)", ci_test))
    names |= set(re.findall(r'BTFCHECK_REQUIRE\+=",([\w.-]+)"', ci_test))
    names |= set(re.findall(r"found\+=\(([\w.-]+)\)", (REPO / "ci" / "machine_resources").read_text()))
    assert {"cloud", "tiny", "kernel-load", "cmake-build"} <= names, names
    return names


def run_pytest(tmp_path: Path, body: str, require: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_probe.py"
    test.write_text("from real_inputs import require_or_skip\n\n\ndef test_probe():\n" + body)
    env = {**os.environ, "BTFCHECK_REQUIRE": require}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "-c", os.devnull, str(test)],
                          capture_output=True, text=True, env=env, cwd=tmp_path,
                          check=False, timeout=120)


def test_require_turns_a_skip_into_a_failure(tmp_path):
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / 'tests' / 'e2e')!r})\n")
    body = '    require_or_skip("cloud|sysfs", "not here")\n'
    r = run_pytest(tmp_path, body, "")
    assert r.returncode == 0 and "SKIPPED" in r.stdout and "[cloud|sysfs] not here" in r.stdout, r.stdout
    r = run_pytest(tmp_path, body, "gcc,sysfs")
    assert r.returncode == 1 and "BTFCHECK_REQUIRE lists sysfs, but: not here" in r.stdout, r.stdout
    r = run_pytest(tmp_path, '    require_or_skip("clod", "typo")\n', "")
    assert r.returncode == 1 and "unknown test resource clod" in r.stdout, r.stdout


def run_suite_file(**env) -> subprocess.CompletedProcess:
    """pytest on one quick e2e file with ENV on top of ours (conftest.py's session checks)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(REPO / "tests" / "e2e" / "test_corpus_manifest.py")],
                          capture_output=True, text=True, env={**os.environ, **env}, cwd=REPO,
                          check=False, timeout=120)


def test_a_mistyped_btfcheck_is_an_error():
    r = run_suite_file(BTFCHECK=str(REPO / "build" / "bin" / "btfchek"))
    assert r.returncode == 4 and "btfchek" in r.stderr and "not an executable file" in r.stderr, r
    r = run_suite_file(BTFCHECK=str(REPO / "README.md"))   # a file, but not a program
    assert r.returncode == 4 and "not an executable file" in r.stderr, r


def test_unknown_name_in_btfcheck_require_is_an_error():
    r = run_suite_file(BTFCHECK_REQUIRE="cloud,clod")
    assert r.returncode == 4 and "unknown resource(s) clod" in r.stderr, r
    assert "passed" not in r.stdout and "skipped" not in r.stdout, r.stdout


LAST_TEST_LOG = """\
1/3 Testing: A.Ok
Output:
----------------------------------------------------------
[ RUN      ] A.Ok
[       OK ] A.Ok (1 ms)
<end of output>
2/3 Testing: B.Cloud
Output:
----------------------------------------------------------
[ RUN      ] B.Cloud
../tests/unit/x_test.cc:12: Skipped
[cloud] /nonexistent is not present
(fetch it)
[  SKIPPED ] B.Cloud (0 ms)
[  SKIPPED ] 1 test, listed below:
[  SKIPPED ] B.Cloud
<end of output>
3/3 Testing: C.Fails
[ RUN      ] C.Fails
../tests/unit/x_test.cc:20: Failure
BTFCHECK_REQUIRE lists sysfs, but: absent
[  FAILED  ] C.Fails (0 ms)
"""


def test_ctest_skips_lists_each_skip_with_its_reason(tmp_path):
    log = tmp_path / "Testing" / "Temporary" / "LastTest.log"
    log.parent.mkdir(parents=True)
    log.write_text(LAST_TEST_LOG)
    r = subprocess.run([sys.executable, str(REPO / "ci" / "ctest_skips.py"), str(tmp_path)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("ctest: 1 skipped test(s):\n"
                        "  B.Cloud: [cloud] /nonexistent is not present (fetch it) "
                        "(../tests/unit/x_test.cc:12)\n"), r.stdout
    r = subprocess.run([sys.executable, str(REPO / "ci" / "ctest_skips.py"), str(tmp_path / "no")],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 2 and "LastTest.log" in r.stderr
