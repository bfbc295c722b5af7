"""`btfcheck dump` against the real bpftool (Debian's v7.1.0, libbpf 1.1).

For every input bpftool reads, `btfcheck dump` must print exactly what bpftool prints:

* raw: byte for byte the same as `bpftool btf dump file F`;
* json: its "types" equal to `bpftool -j btf dump file F` when parsed, followed by
  btfcheck's own "target" (and "layout" when the blob has one);
* c: byte for byte the same as `bpftool btf dump file F format c`.

Inputs: every corpus case (corpora/cases/*.c) and the dump-specific programs in
tests/e2e/c/*.c, compiled with each installed producer (clang -target bpf, gcc -gbtf,
bpf-gcc -gbtf) plus clang -target bpfeb (big-endian BTF); the ELF objects and their raw
.BTF sections; /sys/kernel/btf/vmlinux; Debian's cloud vmlinux; split BTF (a module
encoded by `pahole -J --btf_base`, the cloud kernel's modules on the cloud vmlinux, and
/sys/kernel/btf/<module> when the running kernel has any). A producer, tool or input that
is absent is skipped with the reason.

Binary: env BTFCHECK (or BTFCHECK_BINARY), else build/bin/btfcheck in the repository.

Speed is not tested here (a wall-clock assertion fails on a busy machine, not on slow code):
bench/compare_bpftool.sh times `btfcheck dump` and `verify` against bpftool on the same
files and reports the ratios.
"""
from __future__ import annotations

import difflib
import json
import signal
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from real_inputs import cloud_modules_dir, cloud_vmlinux, require_cloud, require_or_skip, require_producer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import producers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK") or os.environ.get("BTFCHECK_BINARY")
                or REPO / "build" / "bin" / "btfcheck")
BPFTOOL = shutil.which("bpftool", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
DUMP_C_DIR = Path(__file__).resolve().parent / "c"
SYS_VMLINUX = Path("/sys/kernel/btf/vmlinux")
CLOUD_VMLINUX = cloud_vmlinux()
CLOUD_MODULES = cloud_modules_dir()

# clang for big-endian BPF: same flags as the clang producer, other target.
BPFEB = "clang-bpfeb"


def _need_tools():
    assert BTFCHECK.exists(), f"btfcheck binary not built: {BTFCHECK}"
    if BPFTOOL is None:
        require_or_skip("bpftool", "bpftool not installed")


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, timeout=600, check=False)


def _first_diff(a: bytes, b: bytes, what: str) -> str:
    al = a.decode(errors="replace").splitlines()
    bl = b.decode(errors="replace").splitlines()
    diff = list(difflib.unified_diff(bl, al, "bpftool", "btfcheck", n=1, lineterm=""))
    return f"{what} differs ({len(b)} vs {len(a)} bytes):\n" + "\n".join(diff[:40])


def bpftool(file: Path, fmt: str, base: Path | None = None) -> bytes:
    cmd = [BPFTOOL]
    if fmt == "json":
        cmd.append("-j")
    if base is not None:
        cmd += ["-B", str(base)]
    cmd += ["btf", "dump", "file", str(file)]
    if fmt == "c":
        cmd += ["format", "c"]
    r = _run(cmd)
    assert r.returncode == 0, f"{' '.join(cmd)}: {r.stderr.decode(errors='replace')}"
    return r.stdout


def btfcheck(file: Path, fmt: str, base: Path | None = None, extra=()) -> bytes:
    cmd = [str(BTFCHECK), "dump", str(file), "--format", fmt, *extra]
    if base is not None:
        cmd += ["--base", str(base)]
    r = _run(cmd)
    assert r.returncode == 0, f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.decode(errors='replace')}"
    return r.stdout


def _bpftool_c_crashes(file: Path, base: Path | None) -> bool:
    """bpftool v7.1's C dump dies with SIGFPE on a member or variable of an unsized type
    (clang's _Complex as type 0, gcc 12's _Float16 encoded as void): btf_dump divides by
    the alignment it computes as 0. btfcheck refuses such BTF with exit 2 and a rule id."""
    cmd = [BPFTOOL, *(["-B", str(base)] if base else []), "btf", "dump", "file", str(file),
           "format", "c"]
    return _run(cmd).returncode == -signal.SIGFPE


def assert_same(file: Path, base: Path | None = None, formats=("raw", "json", "c")):
    for fmt in formats:
        if fmt == "c" and _bpftool_c_crashes(file, base):
            cmd = [str(BTFCHECK), "dump", str(file), "--format", "c",
                   *(["--base", str(base)] if base else [])]
            r = _run(cmd)
            assert r.returncode == 2 and b"[dump.c-unsized]" in r.stderr, (cmd, r.returncode, r.stderr)
            continue
        mine, theirs = btfcheck(file, fmt, base), bpftool(file, fmt, base)
        if fmt == "json":
            # bpftool's document, then btfcheck's own keys: the target and any layout section.
            doc = json.loads(mine)
            assert set(doc) - {"types"} <= {"target", "layout"} and "target" in doc, sorted(doc)
            assert doc["target"]["pointer_size"] in (4, 8), doc["target"]
            assert {"types": doc["types"]} == json.loads(theirs), _first_diff(mine, theirs, f"{file} json")
            continue
        assert mine == theirs, _first_diff(mine, theirs, f"{file} {fmt}")


# --- compiled programs ------------------------------------------------------------------

def _sources() -> list[tuple[str, Path]]:
    out = [(c["name"], Path(c["path"])) for c in producers.cases()]
    out += [(f"e2e_{p.stem}", p) for p in sorted(DUMP_C_DIR.glob("*.c"))]
    return out


SOURCES = _sources()
PRODUCERS = [*producers.PRODUCERS, BPFEB]


@pytest.fixture(scope="session")
def objdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dump-objs")


@lru_cache(maxsize=None)
def _compile_cached(src: Path, producer: str, outdir: Path) -> Path:
    if producer == BPFEB:
        out = outdir / f"{src.stem}.bpfeb.o"
        cmd = [producers.PRODUCERS["clang"][0], "-target", "bpfeb", "-g", "-O2", "-c",
               str(src), "-o", str(out)]
        r = _run(cmd)
        if r.returncode != 0:
            raise producers.CompileError(f"{' '.join(cmd)}:\n{r.stderr.decode(errors='replace')}")
        return out
    return producers.compile(src, producer, outdir)


def compile_or_skip(src: Path, producer: str, outdir: Path) -> Path:
    tool = "clang" if producer == BPFEB else producer
    require_producer(tool)
    return _compile_cached(src, producer, outdir)


def extract_btf(obj: Path) -> Path:
    """The object's .BTF section as a raw file (bpf-objcopy also knows big-endian BPF)."""
    out = obj.with_suffix(".btf")
    if not out.exists():
        for tool in ("objcopy", "bpf-objcopy", "llvm-objcopy"):
            exe = shutil.which(tool)
            if exe and _run([exe, "--dump-section", f".BTF={out}", str(obj)]).returncode == 0:
                break
        else:
            require_or_skip("binutils", f"no objcopy could extract .BTF from {obj.name}")
    return out


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("name,src", SOURCES, ids=[n for n, _ in SOURCES])
def test_compiled_object(name, src, producer, objdir):
    _need_tools()
    obj = compile_or_skip(src, producer, objdir)
    assert_same(obj)


@pytest.mark.parametrize("producer", PRODUCERS)
def test_raw_btf_sections(producer, objdir):
    """The same BTF as a raw .btf file (bpftool's other input path)."""
    _need_tools()
    for name, src in SOURCES:
        obj = compile_or_skip(src, producer, objdir)
        assert_same(extract_btf(obj))


def test_output_file_equals_stdout(objdir, tmp_path):
    _need_tools()
    obj = compile_or_skip(SOURCES[0][1], "clang", objdir)
    for fmt in ("raw", "json", "c"):
        out = tmp_path / f"out.{fmt}"
        btfcheck(obj, fmt, extra=["-o", str(out)])
        assert out.read_bytes() == btfcheck(obj, fmt)
        if fmt != "json":   # json: bpftool's types plus btfcheck's target (assert_same)
            assert out.read_bytes() == bpftool(obj, fmt)


# --- kernels ------------------------------------------------------------------------------

def test_sys_vmlinux():
    _need_tools()
    if not SYS_VMLINUX.exists():
        require_or_skip("sysfs", f"{SYS_VMLINUX} absent (kernel built without CONFIG_DEBUG_INFO_BTF)")
    assert_same(SYS_VMLINUX)


def test_cloud_vmlinux():
    _need_tools()
    require_cloud()
    assert_same(CLOUD_VMLINUX)


# --- split BTF ------------------------------------------------------------------------------

def test_split_pahole_module(tmp_path):
    """A module encoded by pahole on the running kernel's BTF: ELF and raw .btf."""
    _need_tools()
    if not SYS_VMLINUX.exists():
        require_or_skip("sysfs", f"{SYS_VMLINUX} absent: no base for split BTF")
    pahole = shutil.which("pahole")
    if pahole is None:
        require_or_skip("pahole", "pahole not installed")
    require_producer("gcc")
    obj = tmp_path / "module.o"
    r = _run([producers.PRODUCERS["gcc"][0], "-g", "-O2", "-c",
              str(DUMP_C_DIR / "split" / "module.c"), "-o", str(obj)])
    assert r.returncode == 0, r.stderr
    r = _run([pahole, "-J", "--btf_base", str(SYS_VMLINUX), str(obj)])
    assert r.returncode == 0, r.stderr
    assert_same(obj, base=SYS_VMLINUX)
    raw = extract_btf(obj)
    assert_same(raw, base=SYS_VMLINUX)
    # its ids continue the base's
    first = btfcheck(raw, "raw", SYS_VMLINUX).split(b"]", 1)[0]
    base_last = bpftool(SYS_VMLINUX, "raw").rsplit(b"\n[", 1)[1].split(b"]", 1)[0]
    assert int(first.lstrip(b"[")) == int(base_last) + 1


def _cloud_modules(limit: int) -> list[Path]:
    if not CLOUD_MODULES.exists():
        return []
    mods = sorted(CLOUD_MODULES.rglob("*.ko"))
    # a spread over the sorted list rather than one directory
    step = max(1, len(mods) // limit)
    return mods[::step][:limit]


def test_split_cloud_modules():
    _need_tools()
    require_cloud()
    mods = _cloud_modules(12)
    if not mods:
        require_or_skip("cloud", f"no kernel modules under {CLOUD_MODULES} (set BTFCHECK_MODULES_DIR)")
    for i, m in enumerate(mods):
        assert_same(m, base=CLOUD_VMLINUX, formats=("raw", "json", "c") if i < 2 else ("raw", "json"))


def test_split_sysfs_modules_use_vmlinux_base():
    """bpftool takes /sys/kernel/btf/vmlinux as base for other sysfs files; so do we."""
    _need_tools()
    mods = sorted(p for p in Path("/sys/kernel/btf").glob("*") if p.name != "vmlinux") \
        if Path("/sys/kernel/btf").exists() else []
    if not mods:
        require_or_skip("sysfs-modules", "no module BTF in /sys/kernel/btf on this kernel")
    for m in mods[:8]:
        assert_same(m, formats=("raw", "json"))


# --- failure behaviour ----------------------------------------------------------------------

def test_unreadable_input_exit_2(tmp_path):
    _need_tools()
    bad = tmp_path / "bad.btf"
    bad.write_bytes(b"\x9f\xeb\x01\x00\x18\x00\x00\x00" + b"\xff" * 16)
    r = _run([str(BTFCHECK), "dump", str(bad)])
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "bad.btf" in err and "[sec.past-end]" in err and "+0x" in err, err
    out = tmp_path / "out.txt"
    r = _run([str(BTFCHECK), "dump", str(bad), "-o", str(out)])
    assert r.returncode == 2 and not out.exists()


def test_complex_member_where_bpftool_crashes(objdir):
    """clang's _Complex member (type id 0) crashes bpftool's C dump; we refuse it cleanly."""
    _need_tools()
    src = DUMP_C_DIR / "bpftool_crash" / "complex.c"
    for producer in ("clang", "gcc", "bpf-gcc"):
        if producers.missing_reason(producer):
            continue
        obj = compile_or_skip(src, producer, objdir)
        assert_same(obj, formats=("raw", "json"))
        theirs = _run([BPFTOOL, "btf", "dump", "file", str(obj), "format", "c"])
        mine = _run([str(BTFCHECK), "dump", str(obj), "--format", "c"])
        if theirs.returncode == 0:
            assert mine.returncode == 0 and mine.stdout == theirs.stdout, producer
        else:
            # bpftool died (SIGFPE) or failed; btfcheck must exit 2 naming the rule
            assert mine.returncode == 2, (producer, mine.returncode, mine.stderr)
            assert b"[dump.c-unsized]" in mine.stderr and b"member 1" in mine.stderr, mine.stderr


def test_archive_from_ld_r(objdir, tmp_path):
    """`ld -r` concatenates .BTF sections; bpftool (libbpf) reads the first blob only."""
    _need_tools()
    linkers = {"gcc": "ld", "bpf-gcc": "bpf-ld"}
    done = 0
    for producer, ld in linkers.items():
        exe = shutil.which(ld)
        if producers.missing_reason(producer) or exe is None:
            continue
        objs = [compile_or_skip(SOURCES[i][1], producer, objdir) for i in (0, 1)]
        out = tmp_path / f"archive.{producer}.o"
        r = _run([exe, "-r", *map(str, objs), "-o", str(out)])
        assert r.returncode == 0, r.stderr
        assert_same(out)
        note = _run([str(BTFCHECK), "dump", str(out)]).stderr
        assert b"BTF archive of 2 blobs" in note, note
        second = _run([str(BTFCHECK), "dump", str(out), "--member", "1"])
        assert second.returncode == 0
        assert second.stdout == btfcheck(objs[1], "raw")
        done += 1
    if not done:
        require_or_skip("gcc|gcc-bpf", "neither gcc+ld nor bpf-gcc+bpf-ld installed")
