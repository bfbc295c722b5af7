"""Targets (issue 13): the pointer size and byte order come from the ELF header, --target, or
the BTF's own long.

  * a 32-bit kernel's vmlinux (resource i386-vmlinux: an i386 tinyconfig 6.1 with
    DEBUG_INFO_BTF, from corpora/fetch-tiny-kernel --variants i386) verifies clean as the
    ELF and as raw BTF, both pahole 1.24's .BTF and btfcheck's own encoding of it; as a
    64-bit target it does not;
  * a 32-bit object clang compiles (always available) does the same, encoded by pahole 1.24
    and by btfcheck;
  * a 64-bit vmlinux still verifies clean;
  * an ELF whose class contradicts its BTF is target.mismatch (exit 1); a --target that
    contradicts the ELF header is exit 2;
  * diff refuses two targets unless --allow-target-mismatch.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import require_cloud, require_or_skip, tiny_kernel_dir

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))


def run(*argv, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, check=False)


def extract(elf: Path, out: Path) -> Path:
    objcopy = shutil.which("objcopy") or shutil.which("llvm-objcopy")
    if objcopy is None:
        require_or_skip("binutils", "objcopy not installed")
    subprocess.run([objcopy, "-O", "binary", "--only-section=.BTF", elf, out], check=True)
    return out


def require_i386_vmlinux() -> Path:
    """Resource i386-vmlinux: $BTFCHECK_VMLINUX_I386, else the i386 tinyconfig vmlinux that
    corpora/fetch-tiny-kernel --variants i386 builds (ci/test does not ask for it)."""
    __tracebackhide__ = True
    v = os.environ.get("BTFCHECK_VMLINUX_I386")
    p = Path(v) if v else tiny_kernel_dir() / "i386" / "vmlinux"
    if not p.is_file():
        require_or_skip("i386-vmlinux", f"no 32-bit vmlinux ({p}): corpora/fetch-tiny-kernel --variants i386 "
                        "builds one (an i386 tinyconfig 6.1 with DEBUG_INFO_BTF), or set BTFCHECK_VMLINUX_I386")
    return p


@pytest.fixture(scope="module")
def i386(tmp_path_factory):
    return require_i386_vmlinux(), tmp_path_factory.mktemp("i386")


def target_of(doc: dict) -> tuple[int, str]:
    return doc["target"]["pointer_size"], doc["target"]["from"]


def assert_32bit_raw(raw: Path) -> None:
    """Raw 32-bit BTF: clean, its target inferred from its long; judged as a 64-bit target,
    its 4-byte pointers do not fit."""
    r = run("verify", "--json", raw)
    assert r.returncode == 0, r.stdout[-3000:]
    assert target_of(json.loads(r.stdout)) == (4, "btf")
    r = run("verify", "--json", "--target", "64le", raw)
    assert r.returncode == 1
    rules = {v["rule"] for v in json.loads(r.stdout)["violations"]}
    assert "target.mismatch" in rules and "struct.member-size" in rules, rules


def test_i386_pahole_btf_clean_in_elf_and_raw(i386):
    elf, tmp = i386
    r = run("verify", "--json", elf)
    assert r.returncode == 0, r.stdout[-3000:]
    assert target_of(json.loads(r.stdout)) == (4, "elf")
    assert_32bit_raw(extract(elf, tmp / "pahole.btf"))


def test_i386_btfcheck_encoding_clean(i386):
    elf, tmp = i386
    out = tmp / "btfcheck.btf"
    r = run("encode", "dwarf", elf, "-o", out, "-j2", timeout=1200)
    assert r.returncode == 0, r.stderr[-2000:]
    r = run("verify", out)
    assert r.returncode == 0, r.stdout[-3000:]
    objcopy = shutil.which("objcopy")
    if objcopy:   # the same BTF inside the ELF, in place of pahole's
        copy = tmp / "vmlinux-btfcheck"
        subprocess.run([objcopy, "--update-section", f".BTF={out}", elf, copy], check=True)
        r = run("verify", copy)
        assert r.returncode == 0, r.stdout[-3000:]
    d = run("diff", elf, out)
    assert d.returncode in (0, 1), d.stderr


I386_C = """
struct list_head { struct list_head *next, *prev; };
struct task { int pid; long state; unsigned long flags; void *stack; struct list_head tasks;
              char comm[16]; long long start; };
struct task init_task;
int use(struct task *t, long n) { return t->pid + (int)n + (int)t->state; }
"""


def test_i386_object_pahole_and_btfcheck_clean(tmp_path):
    """Runs everywhere (no kernel build): a 32-bit object from clang, encoded by pahole 1.24
    (raw and into the ELF) and by btfcheck, verifies clean with 4-byte pointers, and as a
    64-bit target it does not."""
    for tool in ("clang", "pahole"):
        if shutil.which(tool) is None:
            require_or_skip(tool, f"{tool} not installed")
    src, obj = tmp_path / "p.c", tmp_path / "p.o"
    src.write_text(I386_C)
    subprocess.run(["clang", "-target", "i386-linux-gnu", "-g", "-O1", "-c", src, "-o", obj],
                   check=True)
    raw = tmp_path / "pahole.btf"
    subprocess.run(["pahole", f"--btf_encode_detached={raw}", obj], check=True, capture_output=True)
    assert_32bit_raw(raw)
    ours = tmp_path / "ours.btf"
    r = run("encode", "dwarf", obj, "-o", ours)
    assert r.returncode == 0, r.stderr
    assert run("verify", ours).returncode == 0
    assert run("diff", raw, ours).returncode == 0
    subprocess.run(["pahole", "-J", obj], check=True, capture_output=True)   # .BTF in the ELF
    r = run("verify", "--json", obj)
    assert r.returncode == 0, r.stdout[-2000:]
    assert target_of(json.loads(r.stdout)) == (4, "elf")


def test_64bit_vmlinux_still_clean():
    v = require_cloud()
    r = run("verify", "--json", v)
    assert r.returncode == 0 and target_of(json.loads(r.stdout)) == (8, "elf"), r.stdout[-2000:]


def test_contradictions_and_diff(tmp_path):
    v = require_cloud()
    raw = extract(v, tmp_path / "v.btf")
    r = run("verify", "--target", "i386", v)   # the option contradicts the ELF header
    assert r.returncode == 2 and "[target.option]" in r.stderr, r.stderr
    r = run("verify", "--json", "--target", "32le", raw)   # the BTF's long contradicts it
    assert r.returncode == 1
    assert any(x["rule"] == "target.mismatch" for x in json.loads(r.stdout)["violations"])


def test_diff_refuses_two_targets(i386):
    elf, _ = i386
    v = require_cloud()
    d = run("diff", elf, v)
    assert d.returncode == 2 and "[target.differ]" in d.stderr, d.stderr
    d = run("diff", "--allow-target-mismatch", "--json", elf, v, timeout=1200)
    assert d.returncode in (0, 1), d.stderr
    doc = json.loads(d.stdout)
    assert doc["target_a"]["pointer_size"] == 4 and doc["target_b"]["pointer_size"] == 8
