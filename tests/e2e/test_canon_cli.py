"""canon, digest, diff and dups through the btfcheck binary: formats, exit codes, errors."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import producers
from real_inputs import require_or_skip, require_producer

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
SYSFS = Path("/sys/kernel/btf/vmlinux")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def objs(tmp_path_factory):
    require_producer("clang")
    out = tmp_path_factory.mktemp("canon")
    cases = {c["name"]: c for c in producers.cases()}
    return {name: producers.compile(cases[name]["path"], "clang", out)
            for name in ("bitfields", "recursive", "fwd_decl", "enums_signed")}


def test_canon_is_sorted_and_id_free(objs):
    r = run("canon", objs["recursive"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines == sorted(lines) and lines
    assert "[" not in "".join(l.split(":=")[0] for l in lines)   # no type ids in keys
    assert any(l.startswith("struct rc_tree := ") for l in lines)


def test_digest_per_type_and_json(objs):
    r = run("digest", "--per-type", "--json", objs["bitfields"])
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert len(d["digest"]) == 16 and d["types"]
    again = json.loads(run("digest", "--per-type", "--json", objs["bitfields"]).stdout)
    assert d == again


def test_diff_exit_codes_and_formats(objs, tmp_path):
    a, b = objs["bitfields"], objs["recursive"]
    assert run("diff", a, a).returncode == 0
    r = run("diff", "--format", "json", a, b)
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    assert not rep["equal"] and rep["summary"] and all(c["path"] for c in rep["changes"])
    md = run("diff", "--format", "markdown", a, b)
    assert md.returncode == 1 and md.stdout.startswith("### BTF diff")
    out = tmp_path / "report.txt"
    assert run("diff", "-o", out, a, b).returncode == 1
    assert out.read_text().endswith("difference(s): " + out.read_text().split("difference(s): ")[-1])
    assert not list(tmp_path.glob("*.tmp.*"))   # no temporary left behind


def test_diff_errors_name_the_input(objs, tmp_path):
    missing = tmp_path / "nope.btf"
    r = run("diff", objs["bitfields"], missing)
    assert r.returncode == 2 and str(missing) in r.stderr
    r = run("diff", "--bisect-exit", objs["bitfields"], missing)
    assert r.returncode == 125
    assert run("diff", "--bisect-exit", objs["bitfields"], objs["bitfields"]).returncode == 0
    assert run("diff", "--bisect-exit", objs["bitfields"], objs["recursive"]).returncode == 1
    assert run("diff", "--rules=no-such-rule", objs["bitfields"], objs["bitfields"]).returncode == 2
    bad = tmp_path / "bad.supp"
    bad.write_text("[suppress]\ncategory = size\n")   # no reason
    r = run("diff", "--suppress", bad, objs["bitfields"], objs["recursive"])
    assert r.returncode == 2 and "reason" in r.stderr
    out = tmp_path / "never.txt"
    assert run("diff", "-o", out, objs["bitfields"], missing).returncode == 2
    assert not out.exists()


def test_dups_on_clean_object(objs):
    r = run("dups", objs["fwd_decl"])
    assert r.returncode == 0, r.stdout
    assert "0 class(es) with copies, 0 same-named families" in r.stdout


def test_running_kernel_self_diff_is_empty():
    if not SYSFS.exists():
        require_or_skip("sysfs", f"{SYSFS} not present")
    r = run("diff", "--leaf", SYSFS, SYSFS)
    assert r.returncode == 0 and r.stdout.strip() == "no differences"
