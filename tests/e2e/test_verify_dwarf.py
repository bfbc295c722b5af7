"""`btfcheck verify --dwarf ELF [BTF]`: the DWARF cross-check through the CLI.

- A small C program (gcc, clang-14; DWARF 4 and 5) converted by pahole -J checks clean,
  with the ELF's own .BTF (one path) and with a detached raw BTF (two paths); --json
  parses; usage errors and DWARF-less inputs exit 2; pahole's ENUM truncation exits 1.
- Debian's cloud vmlinux ($BTFCHECK_VMLINUX or the corpora cache) against its own .BTF
  (pahole 1.24 at Debian's build). Every finding is explained and asserted exactly:
  * no finding, but counted (funcs_by_definition, 361): gcc's identical-code folding
    (-fipa-icf) or an alias attribute left no DWARF subprogram of the FUNC's name at the
    symbol's address (a thunk to, or an alias of, an identical function); the name's other
    definitions agree on one prototype, and BTF has it.
  * dwarf.func-wrong-origin (37): pahole 1.24 gave the FUNC the prototype of another
    same-named function (another CU's static, an inline-only copy such as the fortified
    string helpers or a BPF_CALL wrapper), not of the code at the symbol's address: the
    "prototype != code at that address" bug class fixed in later pahole releases.
- A few modules of the same kernel as split BTF on the vmlinux: clean.
"""
from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from real_inputs import cloud_modules_dir, cloud_vmlinux, require_cloud, require_or_skip, tool_resource

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK") or os.environ.get("BTFCHECK_BINARY")
                or REPO / "build" / "bin" / "btfcheck")
CACHE = Path(os.environ.get("BTFCHECK_CACHE", Path.home() / ".cache" / "btfcheck"))
VMLINUX = cloud_vmlinux()
MODULES = cloud_modules_dir()

SOURCE = r"""
typedef unsigned int u32;
typedef struct { int counter; } atomic_t;
enum color { RED, GREEN = 5, BLUE = -3 };
enum big { BIG = 0x100000000ULL, SMALL = 1 };
struct inner { char c; short s; };
struct foo {
  int a;
  unsigned b : 3, c : 5;
  union { int x; float y; };
  struct { long p, q; } pair;
  struct inner *ptr;
  atomic_t cnt;
  void (*cb)(int, struct foo *);
  char arr[2][3];
  char flex[];
};
struct foo g_foo;
enum big g_big;
u32 add(u32 a, struct foo *f, ...) { return a + f->a; }
"""

# Per Debian release of the cloud kernel: its units, the 37 FUNCs of its .BTF whose
# prototype is another same-named function's (see the module docstring), and how many
# FUNCs were checked against their name's definitions (no subprogram at the address).
_COMMON = """
acpi_power_off bpf_probe_read_kernel bq_enqueue bsg_timeout buffer_io_error
check_and_free_fields compute_score copy_array deflate_compress
deflate_decompress elf_map errpos ext4_update_super format_flags kmem_cache_release
kmemdup m_start match_any memchr memchr_inv memcmp mm_init msg_init next_entry
parse_options rc_normalize store_status strcat strcpy strlcpy strncat strncpy strnlen
strscpy unsolicited_report_interval watchdog
""".split()
EXPECTED = {
    "6.1.0-56-cloud-amd64": (2172, sorted(_COMMON + ["compute_score"]), 361),
    "6.1.0-57-cloud-amd64": (2172, sorted(_COMMON + ["cookie_hash"]), 359),
}


def run(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        require_or_skip(tool_resource(tool), f"{tool} is not installed")


@pytest.fixture(scope="module")
def binary():
    assert BTFCHECK.exists(), f"btfcheck binary absent: {BTFCHECK} (build it or set $BTFCHECK)"
    return BTFCHECK


def build(tmp: Path, cc: str, version: int, *pahole_flags: str) -> Path:
    need(cc)
    need("pahole")
    src = tmp / "prog.c"
    src.write_text(SOURCE)
    obj = tmp / f"prog_{cc}_{version}.o"
    subprocess.run([cc, "-g", f"-gdwarf-{version}", "-O1", "-c", str(src), "-o", str(obj)],
                   check=True, capture_output=True)
    subprocess.run(["pahole", "-J", *pahole_flags, str(obj)], check=True, capture_output=True)
    return obj


@pytest.mark.parametrize("cc", ["gcc", "clang-14"])
@pytest.mark.parametrize("version", [4, 5])
def test_small_program_clean(binary, tmp_path, cc, version):
    obj = build(tmp_path, cc, version)
    r = run("verify", "--dwarf", obj)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ": OK against DWARF of " in r.stdout and " FUNCs: 1 at their symbol's entry" in r.stdout
    # x86-64 code starts at its symbol: no ftrace table in a plain object, offset 0 learned.
    assert r.stdout.endswith("function entries (x86-64): symbol+0 (learned from 1 of 1 names); "
                             "no ftrace table in the ELF)\n"), r.stdout
    # Detached raw BTF as the second path.
    raw = tmp_path / "prog.btf"
    subprocess.run(["pahole", f"--btf_encode_detached={raw}", str(obj)], check=True,
                   capture_output=True)
    r = run("verify", "--dwarf", obj, raw, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["valid"] is True and doc["findings"] == [] and doc["file"] == str(raw)
    assert doc["dwarf_types"] >= 5 and doc["funcs"] == 1   # u32 atomic_t big inner foo


def test_identical_code_folding_matched_by_definition(binary, tmp_path):
    """gcc -O2 folds g into f (-fipa-icf): g's symbol has no DWARF subprogram at its address,
    only an address-less definition. Its one prototype is what the FUNC is checked against."""
    need("gcc")
    src = tmp_path / "icf.c"
    src.write_text(
        "int f(int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i] * 3; return s; }\n"
        "int g(int *q, int m) { int s = 0; for (int i = 0; i < m; i++) s += q[i] * 3; return s; }\n"
        "int (*volatile fp[2])(int *, int) = {f, g};\n"
        "int main(void) { int a[2] = {1, 2}; return fp[0](a, 2) + fp[1](a, 2); }\n")
    prog = tmp_path / "icf"
    subprocess.run(["gcc", "-g", "-O2", str(src), "-o", str(prog)], check=True)
    btf = tmp_path / "icf.btf"
    assert run("encode", "dwarf", prog, "-o", btf).returncode == 0
    r = run("verify", "--dwarf", prog, btf, "--json")
    assert r.returncode == 0, r.stdout
    doc = json.loads(r.stdout)
    assert doc["funcs"] == 3 and doc["funcs_by_definition"] == 1, doc


def test_truncated_enum64_exits_1(binary, tmp_path):
    obj = build(tmp_path, "gcc", 5, "--skip_encoding_btf_enum64")
    r = run("verify", "--dwarf", obj, "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert [(f["rule"], f["path"], f["expected"], f["found"]) for f in doc["findings"]] == [
        ("dwarf.enum-value", "enum big.BIG", "4294967296 (0x100000000)", "0 (0x0)")]
    text = run("verify", "--dwarf", obj).stdout
    assert "[dwarf.enum-value]" in text and "1 finding(s)" in text


@pytest.mark.parametrize("cc", ["gcc", "bpf-gcc"])
def test_gcc_gbtf_dropped_enum64_enumerators_named(binary, tmp_path, cc):
    """gcc 12 -gbtf drops every enumerator whose value needs 64 bits (enum big loses BIG;
    enum wide keeps only its 32-bit one): one finding per dropped enumerator, naming it and
    its value, with the ENUM's type id and the enum's DIE offset."""
    need(cc)
    src = tmp_path / "enums.c"
    src.write_text("enum big { BIG = 0x100000000ULL, SMALL = 1 };\n"
                   "enum wide { W_MIN = -0x7fffffffffffffffLL - 1, W_MID = 7, W_TOP = 0x1234567890LL };\n"
                   "enum big g_big;\nenum wide g_wide;\n"
                   "int use(void) { return g_big + g_wide; }\n")
    obj = tmp_path / "enums.o"
    subprocess.run([cc, "-gbtf", "-g", "-O1", "-c", str(src), "-o", str(obj)], check=True,
                   capture_output=True)
    dump = run("dump", obj).stdout
    kept = {name: int(vlen) for name, vlen in
            re.findall(r"ENUM '(\w+)' encoding=\w+ size=\d+ vlen=(\d+)", dump)}
    if kept.get("big") != 1 or kept.get("wide") != 1:
        require_or_skip("debian12-tools", f"{cc} keeps 64-bit enumerators (gcc 12's -gbtf drops "
                        f"them; no bug to name): {kept}")
    r = run("verify", "--dwarf", obj, "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    got = [(f["rule"], f["path"], f["expected"], f["found"]) for f in doc["findings"]]
    assert got == [
        ("dwarf.enum-missing", "enum big.BIG", "4294967296 (0x100000000)", "(none)"),
        ("dwarf.enum-missing", "enum wide.W_MIN", "-9223372036854775808 (0x8000000000000000)", "(none)"),
        ("dwarf.enum-missing", "enum wide.W_TOP", "78187493520 (0x1234567890)", "(none)"),
    ], doc
    assert all(f["type_id"] > 0 and f["kind"] == "ENUM" and f["die"] for f in doc["findings"])
    text = run("verify", "--dwarf", obj).stdout
    assert ": enum big.BIG: enumerator missing from BTF: expected 4294967296 (0x100000000), " \
           f"found (none) (CU '{src}' DIE 0x" in text, text
    assert "[dwarf.enum-missing]" in text and "3 finding(s)" in text
    assert "number of enumerators" not in text


def test_usage_and_unreadable_inputs_exit_2(binary, tmp_path):
    obj = build(tmp_path, "gcc", 5)
    assert run("verify", "--dwarf", obj, obj, obj).returncode == 2
    assert run("verify", "--dwarf", obj, "--archive").returncode == 2
    assert run("verify", "--strict-arrays", obj).returncode == 2
    assert run("verify", "--dwarf", tmp_path / "absent.o").returncode == 2
    btf_only = tmp_path / "btf_only.o"
    src = tmp_path / "x.c"
    src.write_text("int x(void) { return 1; }\n")
    subprocess.run(["gcc", "-gbtf", "-c", str(src), "-o", str(btf_only)], check=True)
    r = run("verify", "--dwarf", btf_only)
    assert r.returncode == 2 and "dwarf.no-debug-info" in r.stderr
    # --strict-arrays: pahole flattens char arr[2][3] into one ARRAY of 6.
    r = run("verify", "--dwarf", obj, "--strict-arrays")
    assert r.returncode == 1 and "struct foo.arr" in r.stdout and "[dwarf.member-type]" in r.stdout
    help_text = run("verify", "--help").stdout
    for rule in ("dwarf.enum-value", "dwarf.enum-missing", "dwarf.enum-extra", "dwarf.func-proto",
                 "dwarf.func-wrong-origin"):
        assert rule in help_text


@pytest.fixture(scope="module")
def cloud_dwarf(binary):
    """`verify --dwarf` of the cloud vmlinux's own .BTF: (result, parsed JSON, by rule)."""
    require_cloud()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    r = run("verify", "--dwarf", VMLINUX, VMLINUX, "--json", timeout=1200)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"verify --dwarf vmlinux: {wall:.1f}s wall, "
          f"{after.ru_utime - before.ru_utime:.1f}s user, max RSS {after.ru_maxrss // 1024} MB")
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    by_rule: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    return r, doc, by_rule


def test_cloud_vmlinux(cloud_dwarf):
    r, doc, by_rule = cloud_dwarf
    assert doc["funcs"] > 40000 and doc["dwarf_types"] > 10000
    # Entries: at the symbol for both kinds (ftrace's `call __fentry__` comes first and gcc's
    # low_pc is the symbol); almost every FUNC has its subprogram there.
    e = doc["entry"]
    assert e["machine"] == "x86-64" and e["table"].startswith("__start_mcount_loc..__stop_mcount_loc")
    assert (e["patchable"]["offset"], e["other"]["offset"]) == (0, 0)
    assert e["patchable"]["symbols"] > 30000 and e["patchable"]["agree"] == e["patchable"]["samples"]
    assert doc["funcs_at_entry"] + doc["funcs_by_definition"] == doc["funcs"]
    assert doc["funcs_at_entry"] >= 0.98 * doc["funcs"]
    assert set(by_rule) <= {"dwarf.func-wrong-origin"}, sorted(set(by_rule))
    for f in by_rule.get("dwarf.func-wrong-origin", []):
        assert f["kind"] == "FUNC" and f["expected"] != f["found"]
        assert "BTF has the prototype of another" in f["message"]
    # Deterministic: the same bytes on a second run (one path: the ELF's own .BTF).
    assert run("verify", "--dwarf", VMLINUX, "--json", timeout=1200).stdout == r.stdout


def test_cloud_vmlinux_exact_findings(cloud_dwarf):
    """The exact findings, for the Debian releases they were recorded with."""
    r, doc, by_rule = cloud_dwarf
    release = VMLINUX.name.removeprefix("vmlinux-")
    if release not in EXPECTED:
        require_or_skip("cloud", f"no findings recorded for release {release} (have: {', '.join(EXPECTED)})")
    units, wrong_origin, by_definition = EXPECTED[release]
    assert r.returncode == 1 and doc["units"] == units
    wrong = sorted(f["path"].removeprefix("func ") for f in by_rule["dwarf.func-wrong-origin"])
    assert wrong == wrong_origin
    assert doc["funcs_by_definition"] == by_definition


def test_cloud_modules_as_split_btf(binary):
    if not VMLINUX.exists() or not MODULES.exists():
        require_or_skip("cloud", f"cloud vmlinux or modules absent: {VMLINUX}, {MODULES}")
    mods = sorted(MODULES.rglob("*.ko"))[::12][:8]
    if not mods:
        require_or_skip("cloud", f"no .ko under {MODULES}")
    for mod in mods:
        r = run("verify", "--dwarf", mod, mod, "--base", VMLINUX)
        assert r.returncode == 0, r.stdout + r.stderr
        assert ": OK against DWARF of " in r.stdout
