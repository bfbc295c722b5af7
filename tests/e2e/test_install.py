"""`cmake --install BUILD --prefix P` gives a working P/bin/btfcheck.

The build tree is the one the tested binary lives in ($BTFCHECK, default build/bin/btfcheck:
BUILD is two directories up). It is installed into a fresh temporary prefix and run from a
working directory outside the source tree, with $BTFCHECK_CORPORA unset; the source tree is
neither moved nor hidden. Proof that the installed binary reads the installed corpus and not
the source tree's: the prefix's copy of one case is edited (its manifest feature and its C
source, which gains a type no source-tree file has), and `matrix` reports the edited feature
and a BTF holding that type. A binary run from the build tree still finds the source tree's
corpus, and $BTFCHECK_CORPORA overrides both.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import require_or_skip

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK") or os.environ.get("BTFCHECK_BINARY")
                or REPO / "build" / "bin" / "btfcheck")
VERSION_RE = re.compile(r"^btfcheck \d+\.\d+\.\d+ "
                        r"\((git [0-9a-f]{7,40}(-dirty)?|not built from a git checkout)\)$")
SENTINEL = "btfcheck_installed_corpus_sentinel"


def env_without_corpus() -> dict:
    env = dict(os.environ)
    env.pop("BTFCHECK_CORPORA", None)
    return env


def run(exe: Path, *args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env if env is not None else env_without_corpus(), timeout=600,
                          check=False)


@pytest.fixture(scope="module")
def build_dir() -> Path:
    assert BTFCHECK.exists(), f"btfcheck binary not built: {BTFCHECK}"
    build = BTFCHECK.resolve().parents[1]
    if not (build / "CMakeCache.txt").exists():
        require_or_skip("cmake-build", f"{BTFCHECK} is not in a CMake build tree "
                        f"({build}/CMakeCache.txt absent)")
    if shutil.which("cmake") is None:
        require_or_skip("cmake-build", "cmake is not installed")
    return build


@pytest.fixture(scope="module")
def prefix(build_dir, tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("prefix")
    r = subprocess.run(["cmake", "--install", str(build_dir), "--prefix", str(p)],
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    return p


@pytest.fixture()
def outside(tmp_path) -> Path:
    """A working directory outside the source tree."""
    d = tmp_path / "cwd"
    d.mkdir()
    assert REPO not in d.resolve().parents
    return d


def test_layout(prefix):
    exe = prefix / "bin" / "btfcheck"
    assert exe.is_file() and os.access(exe, os.X_OK)
    corpus = prefix / "share" / "btfcheck" / "corpora"
    manifest = json.loads((corpus / "manifest.json").read_text())
    for case in manifest["cases"]:
        for src in [case["source"], *case.get("extra_sources", [])]:
            assert (corpus / src).is_file(), f"{src} of case {case['name']} not installed"
    installed = sorted(p.name for p in (corpus / "suppressions").iterdir())
    assert installed == sorted(p.name for p in (REPO / "corpora" / "suppressions").iterdir())
    doc = prefix / "share" / "doc" / "btfcheck"
    assert (doc / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    assert (doc / "README.md").is_file()


def test_version(prefix, outside):
    r = run(prefix / "bin" / "btfcheck", "--version", cwd=outside)
    assert r.returncode == 0, r.stderr
    line = r.stdout.rstrip("\n")
    assert VERSION_RE.match(line), line
    # the installed binary is the built one
    assert line == run(BTFCHECK, "--version", cwd=outside).stdout.rstrip("\n")
    project = re.search(r"project\(btfcheck VERSION (\d+\.\d+\.\d+)",
                        (REPO / "CMakeLists.txt").read_text())
    assert project and line.startswith(f"btfcheck {project.group(1)} "), line


def test_matrix_list(prefix, outside):
    exe = prefix / "bin" / "btfcheck"
    r = run(exe, "matrix", "--list", "--json", cwd=outside)
    assert r.returncode == 0, r.stderr
    listed = {p["name"]: p for p in json.loads(r.stdout)}
    # btfcheck's own producers run the installed binary and report its version line
    me = listed["btfcheck"]
    assert me["available"] and me["tool"] == str(exe), me
    assert me["version"] == run(exe, "--version", cwd=outside).stdout.strip()


def _clang(prefix: Path, cwd: Path) -> str | None:
    r = run(prefix / "bin" / "btfcheck", "matrix", "--list", "--json", cwd=cwd)
    names = [p["name"] for p in json.loads(r.stdout)
             if p["available"] and p["family"] == "clang"]
    return names[0] if names else None


def test_reads_the_installed_corpus(prefix, outside, tmp_path):
    exe = prefix / "bin" / "btfcheck"
    corpus = prefix / "share" / "btfcheck" / "corpora"
    # Where it looks: an unknown case names the installed manifest, not the source tree's.
    r = run(exe, "matrix", "--cases", "no_such_case", "--workdir", tmp_path / "w0", cwd=outside)
    assert r.returncode == 2
    assert f"{corpus}/manifest.json" in r.stderr, r.stderr

    clang = _clang(prefix, outside)
    if clang is None:
        require_or_skip("clang", "no clang producer available to compile a corpus case")
    manifest_path = corpus / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    case = next(c for c in manifest["cases"]
                if not c.get("extra_sources") and "clang" in c.get("producers", ["clang"]))
    case["feature"] = SENTINEL
    manifest_path.write_text(json.dumps(manifest, indent=2))
    with open(corpus / case["source"], "a") as f:
        f.write(f"\nstruct {SENTINEL} {{ int x; }} {SENTINEL}_var;\n")

    out = tmp_path / "results.json"
    r = run(exe, "matrix", "--cases", case["name"], "--producers", clang, "--reference", clang,
            "--quiet", "--workdir", tmp_path / "w", "-o", out, cwd=outside)
    assert r.returncode == 0, r.stderr
    runs = json.loads(out.read_text())["runs"]
    assert [x["producer"] for x in runs] == [clang]
    assert runs[0]["status"] == "ok", runs[0]
    assert runs[0]["feature"] == SENTINEL
    dump = run(exe, "dump", runs[0]["output"], cwd=outside)
    assert dump.returncode == 0, dump.stderr
    assert f"STRUCT '{SENTINEL}'" in dump.stdout


def test_build_tree_binary_uses_the_source_corpus(build_dir, outside, tmp_path):
    r = run(BTFCHECK, "matrix", "--cases", "no_such_case", "--workdir", tmp_path / "w",
            cwd=outside)
    assert r.returncode == 2
    assert f"{REPO / 'corpora'}/manifest.json" in r.stderr, r.stderr


def test_env_overrides_the_corpus(prefix, outside, tmp_path):
    mine = tmp_path / "my-corpus"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"cases": []}')
    env = dict(env_without_corpus(), BTFCHECK_CORPORA=str(mine))
    r = run(prefix / "bin" / "btfcheck", "matrix", "--cases", "no_such_case", "--workdir",
            tmp_path / "w", cwd=outside, env=env)
    assert r.returncode == 2
    assert f"{mine}/manifest.json" in r.stderr, r.stderr
