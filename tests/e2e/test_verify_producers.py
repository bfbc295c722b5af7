"""Compiler-produced BTF through `btfcheck verify` and `verify --fixup=libbpf`.

Every corpus case (corpora/manifest.json, including the vars_*.c cases about VAR/DATASEC,
.kconfig/.ksyms externs and visibility) is compiled with each producer of producers.py the
manifest lists for it (clang -target bpf, gcc -gbtf for x86-64, bpf-gcc -gbtf, pahole -J on
a host gcc -g object) and checked three ways:

1. raw object BTF: `verify` must report the violations the kernel would, exit 1;
2. `verify --fixup=libbpf`: what is left after libbpf 1.1's load-time fixups (exit 0 when
   the BTF is then kernel-valid, 1 with the remaining rule ids or the fixup.* rule of the
   libbpf refusal otherwise);
3. where this process may call BPF_BTF_LOAD (root / CAP_BPF), the running kernel is the
   oracle: it accepts a blob exactly when `verify` finds nothing, and the message it
   rejects with maps (through `verify --help`'s rule table) to a violation btfcheck
   reports for the same type id. For the fixed-up case the kernel gets libbpf's own
   output (bpf_object__open + btf__raw_data through ctypes), so btfcheck's fixup is
   judged against the real thing.

A case of several units (manifest "extra_sources", linked with ld -r) leaves compilers'
per-unit BTF concatenated: its raw check runs `verify --archive` (every member). libbpf and
the kernel load one blob per object, so the fixup and kernel checks do not apply to such an
archive (it must be merged first: `bpftool gen object` or `btfcheck encode archive`);
pahole, run on the linked object, gives one BTF and is checked like any other.

Exact rule sets are recorded for the Debian 12 toolchain (clang 14, gcc/bpf-gcc 12,
pahole 1.24); with
other compiler versions those assertions are skipped (with the reason) and only the
version-independent ones (exit codes, kernel agreement, no crash) run.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import producers  # noqa: E402
from real_inputs import require_or_skip, require_producer  # noqa: E402

CASES_DIR = producers.CORPUS / "cases"
CASES = {c["name"]: c for c in producers.cases()}
CASE_NAMES = sorted(CASES)
PRODUCER_NAMES = list(producers.PRODUCERS)
# Cases whose compiler objects carry a BTF archive (several units linked with ld -r).
ARCHIVE_CASES = {n for n, c in CASES.items() if c.get("extra_sources")}
# Producers that build for x86-64: libbpf 1.1 refuses their objects (no libbpf oracle).
X86_PRODUCERS = {"gcc", "pahole"}
# $BTFCHECK, as every e2e test and ci/test use it (BTFCHECK_BINARY still accepted).
BTFCHECK = Path(os.environ.get("BTFCHECK") or os.environ.get("BTFCHECK_BINARY")
                or producers.REPO / "build" / "bin" / "btfcheck")

# Toolchain the exact expectations below were recorded with (version prefixes).
RECORDED_VERSION = {"clang": "14", "gcc": "12", "bpf-gcc": "12", "pahole": "1.24"}

# Rules that follow from a DATASEC of size 0 with entries at offset 0 (clang and gcc leave
# every DATASEC like that): the kernel stops at "size == 0", btfcheck also reports what
# else is wrong with such a DATASEC. Which of them appear depends on the layout.
ZERO_SIZE_RULES = {"datasec.size", "datasec.sum", "datasec.offset", "datasec.entry-size",
                   "datasec.overlap"}

# Producer quirks (gcc/bpf-gcc 12, clang 14) -> the rules they violate.
QUIRK_RULES = {
    # gcc encodes `char`/`signed char` INTs as CHAR|SIGNED; the kernel accepts one
    # encoding bit only ("Unsupported encoding", -ENOTSUPP).
    "char-encoding": {"int.encoding"},
    # gcc's FWD records carry a non-zero type field ("type != 0").
    "fwd-type": {"fwd.type"},
    # gcc emits an anonymous FUNC (with unnamed parameters) for a function type reached
    # through a function-pointer member or typedef ("Invalid name", "Invalid arg#N").
    "anon-func": {"name.required", "func.arg-name"},
    # FUNC records of function declarations carry no parameter names ("Invalid arg#N").
    "decl-params": {"func.arg-name"},
    # clang: extern FUNC/VAR keep linkage extern; kfuncs sit in DATASEC '.ksyms'.
    "extern-func": {"func.linkage"},
    "extern-var": {"var.linkage"},
    "ksyms-func": {"datasec.not-var"},
    # clang 14 -O2 globalopt splits a static struct; the VAR keeps the struct type but its
    # DATASEC entry has the piece's size ("Invalid size").
    "sra-var": {"datasec.var-size"},
    # gcc writes 0 for every VAR offset; libbpf fixes only non-static VARs, so the static
    # ones overlap their neighbours after the fixup ("Invalid offset").
    "static-offset0": {"datasec.overlap"},
    # gcc (x86) keeps the VAR of a variable it optimized away in the DATASEC; after the
    # fixup the entries add up to more than the ELF section ("Invalid btf_info size").
    "dead-var": {"datasec.sum"},
    # gcc 12 -gbtf (x86-64) encodes _Float16 as void: the typedef f16_t points at type 0,
    # so every member, parameter and VAR of that type has no size ("Invalid member",
    # "Invalid arg#N", "Invalid type_id").
    "float16-void": {"struct.member-type", "proto.arg", "var.type"},
}

# Quirks per (case, producer) in the raw object BTF, beyond the ZERO_SIZE_RULES.
GCC_RAW = {
    "all_kinds": {"char-encoding", "fwd-type", "anon-func"},
    "arrays_flex": {"char-encoding"}, "arrays_multidim": {"char-encoding"},
    "bitfields": {"char-encoding"}, "cv_restrict": {"char-encoding"},
    "decl_tag": {"char-encoding"}, "enums_signed": {"char-encoding"},
    "int_types": {"char-encoding"}, "packed_aligned": {"char-encoding"},
    "sections": {"char-encoding"}, "type_tag": {"char-encoding"},
    "unions": {"char-encoding"}, "vars_kconfig": {"char-encoding"},
    "vars_sections": {"char-encoding"},
    "func_ptrs": {"char-encoding", "anon-func"},
    "fwd_decl": {"fwd-type"},
    "recursive": {"anon-func"}, "typedef_chain": {"anon-func"},
    "varargs": {"char-encoding", "anon-func"},
    "vars_extern_link": {"decl-params"},
    "vars_ksyms": {"fwd-type", "decl-params"},
    "anon_union_in_union": {"char-encoding"}, "bool_int128": {"char-encoding"},
    "cv_pointers": {"char-encoding"}, "enum_negative": {"char-encoding"},
    "holes_large": {"char-encoding"}, "nested_struct_arrays": {"char-encoding"},
    "pack_pragma": {"char-encoding"}, "restrict_ptrs": {"char-encoding"},
    "tags_params_typedefs": {"char-encoding"}, "two_cu_clash": {"char-encoding"},
    "fnptr_chains": {"char-encoding", "anon-func"},
    "fnptr_arrays": {"anon-func"}, "recursive_typedefs": {"anon-func"},
    "fwd_only": {"fwd-type"},
}
RAW_QUIRKS = {
    "clang": {
        "varargs": {"extern-func", "decl-params"},
        "vars_extern_link": {"extern-func", "extern-var", "decl-params"},
        "vars_kconfig": {"extern-var"},
        "vars_ksyms": {"extern-func", "extern-var", "decl-params", "ksyms-func"},
        "vars_sra": {"sra-var"},
    },
    "gcc": {**GCC_RAW, "float16": {"float16-void"}},
    "bpf-gcc": GCC_RAW,
    # pahole 1.24 -J on a host object: kernel-valid as is (names every parameter, no
    # zero-size DATASEC: it encodes VARs of .data..percpu only, with real offsets).
    "pahole": {},
}
# Cases whose object BTF has no DATASEC at all (so no datasec.size).
NO_DATASEC = {("vars_extern_link", "clang")}
# Producers whose output is expected to be kernel-valid as is (no DATASEC left at size 0).
VALID_AS_IS = {"pahole"}

# After `--fixup=libbpf`: a fixup.* rule when libbpf refuses the object, else the quirks
# libbpf does not repair.
FIXUP_REFUSED = {
    # Plain extern variables/functions: no DATASEC names their section; libbpf:
    # "failed to find BTF for extern ... section" (needs static linking first).
    ("varargs", "clang"): "fixup.extern-section",
    ("vars_extern_link", "clang"): "fixup.extern-section",
}
for _case in ("varargs", "vars_extern_link", "vars_kconfig", "vars_ksyms"):
    for _prod in ("gcc", "bpf-gcc"):
        # gcc 12 writes extern VARs with linkage global and extern FUNCs with linkage
        # static: libbpf cannot tell them from definitions ("failed to find BTF for
        # extern": -EINVAL) and refuses the object.
        FIXUP_REFUSED[(_case, _prod)] = "fixup.extern-linkage"
FIXED_EXTRA = {
    ("vars_static", "gcc"): {"static-offset0"}, ("vars_static", "bpf-gcc"): {"static-offset0"},
    ("vars_sections", "gcc"): {"static-offset0"},
    ("vars_sections", "bpf-gcc"): {"static-offset0"},
    ("all_kinds", "gcc"): {"static-offset0", "dead-var"},
    ("sections", "gcc"): {"static-offset0", "dead-var"},
}
# Quirks libbpf repairs (the rest of the raw quirks stay). decl-params only ever occurs
# on .ksyms kfuncs (fixed: named 'dummy_ksym') or in objects libbpf refuses.
FIXED_BY_LIBBPF = {"extern-func", "extern-var", "ksyms-func", "decl-params"}


def rules_of(quirks) -> set[str]:
    out: set[str] = set()
    for q in quirks:
        out |= QUIRK_RULES[q]
    return out


def expected_raw_extra(case: str, producer: str) -> set[str]:
    return rules_of(RAW_QUIRKS[producer].get(case, set()))


def expected_fixed(case: str, producer: str) -> set[str]:
    if (case, producer) in FIXUP_REFUSED:
        return {FIXUP_REFUSED[(case, producer)]}
    quirks = RAW_QUIRKS[producer].get(case, set()) - FIXED_BY_LIBBPF
    return rules_of(quirks | FIXED_EXTRA.get((case, producer), set()))


def exact_expectations(producer: str) -> str | None:
    """None when the recorded toolchain is installed, else why exact sets are skipped."""
    v = producers.version(producer) or ""
    want = RECORDED_VERSION[producer]
    if v != want and not v.startswith(want + "."):
        return f"exact rule sets recorded for {producer} {want}.x, found {v}"
    return None


# ---------------------------------------------------------------------------------------
# Running btfcheck

def run_verify(*args: str) -> tuple[int, dict, str]:
    r = subprocess.run([str(BTFCHECK), "verify", "--json", *args], capture_output=True,
                       text=True, timeout=120, check=False)
    assert r.returncode >= 0, f"btfcheck killed by signal {-r.returncode}: {r.stderr}"
    assert r.returncode in (0, 1), f"exit {r.returncode}: {r.stderr}"
    report = json.loads(r.stdout)
    assert r.returncode == (0 if report["valid"] else 1)
    if "members" in report:     # --archive: one report per member
        assert report["members"], report
        for m in report["members"]:
            assert m["valid"] == (not m["violations"])
        report["violations"] = [v for m in report["members"] for v in m["violations"]]
    assert report["valid"] == (not report["violations"])
    return r.returncode, report, r.stderr


def rule_set(report: dict) -> set[str]:
    return {v["rule"] for v in report["violations"]}


def archive_args(case: str, producer: str) -> list[str]:
    return ["--archive"] if case in ARCHIVE_CASES and producer != "pahole" else []


# ---------------------------------------------------------------------------------------
# Oracles: the kernel (BPF_BTF_LOAD through the raw syscall) and libbpf (ctypes)

_SYS_BPF = {"x86_64": 321, "aarch64": 280, "riscv64": 280, "s390x": 351,
            "ppc64le": 361}.get(platform.machine())
_BPF_BTF_LOAD = 18


class _BtfLoadAttr(ctypes.Structure):
    _fields_ = [("btf", ctypes.c_uint64), ("btf_log_buf", ctypes.c_uint64),
                ("btf_size", ctypes.c_uint32), ("btf_log_size", ctypes.c_uint32),
                ("btf_log_level", ctypes.c_uint32)]


def kernel_load(blob: bytes) -> tuple[bool, str] | None:
    """(accepted, verifier log) from BPF_BTF_LOAD; None when not permitted here."""
    if _SYS_BPF is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    data = ctypes.create_string_buffer(blob, len(blob))
    log = ctypes.create_string_buffer(1 << 16)
    attr = _BtfLoadAttr(ctypes.addressof(data), ctypes.addressof(log), len(blob),
                        len(log), 1)
    fd = libc.syscall(ctypes.c_long(_SYS_BPF), ctypes.c_int(_BPF_BTF_LOAD),
                      ctypes.byref(attr), ctypes.c_uint(ctypes.sizeof(attr)))
    if fd >= 0:
        os.close(fd)
        return True, ""
    err = ctypes.get_errno()
    if err in (1, 13, 38):   # EPERM, EACCES, ENOSYS
        return None
    return False, log.value.decode(errors="replace")


def _libbpf():
    try:
        lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
    except OSError:
        return None
    lib.bpf_object__open.restype = ctypes.c_void_p
    lib.bpf_object__open.argtypes = [ctypes.c_char_p]
    lib.bpf_object__btf.restype = ctypes.c_void_p
    lib.bpf_object__btf.argtypes = [ctypes.c_void_p]
    lib.btf__raw_data.restype = ctypes.c_void_p
    lib.btf__raw_data.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
    lib.bpf_object__close.argtypes = [ctypes.c_void_p]
    lib.libbpf_set_print.restype = ctypes.c_void_p
    lib.libbpf_set_print.argtypes = [ctypes.c_void_p]
    lib.libbpf_set_print(None)
    return lib


def libbpf_fixed_btf(obj: Path) -> bytes | None:
    """The BTF libbpf holds after bpf_object__open (its load-time fixups), or None when
    libbpf refuses the object."""
    lib = _libbpf()
    if lib is None:
        require_or_skip("libbpf", "libbpf.so.1 not available for the libbpf oracle")
    o = lib.bpf_object__open(str(obj).encode())
    if not o:
        return None
    try:
        btf = lib.bpf_object__btf(o)
        if not btf:
            return None
        size = ctypes.c_uint32(0)
        p = lib.btf__raw_data(btf, ctypes.byref(size))
        return ctypes.string_at(p, size.value) if p else None
    finally:
        lib.bpf_object__close(o)


def elf_section(path: Path, name: str) -> bytes:
    """One section of an ELF64 object (either byte order), without external tools."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2, f"{path}: not an ELF64 object"
    e = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(e + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x3A)

    def shdr(i):
        return struct.unpack_from(e + "IIQQQQIIQQ", data, shoff + i * shentsize)

    strtab = shdr(shstrndx)
    for i in range(shnum):
        sh = shdr(i)
        start = strtab[4] + sh[0]
        sname = data[start:data.index(b"\0", start)].decode()
        if sname == name:
            return data[sh[4]:sh[4] + sh[5]]
    raise AssertionError(f"{path}: no {name} section")


def kernel_rules() -> list[tuple[str, re.Pattern]]:
    """(rule id, pattern of the kernel's message) from `btfcheck verify --help`."""
    r = subprocess.run([str(BTFCHECK), "verify", "--help"], capture_output=True, text=True,
                       timeout=60, check=True)
    out = []
    for line in r.stdout.splitlines():
        m = re.match(r"^\s+(\S+)\s+.*\(\"(.+)\"\)\s*$", line)
        if m:
            pat = re.escape(m.group(2))
            pat = re.sub(r"\b[NMX]\b", r"\\S+", pat)
            out.append((m.group(1), re.compile(pat)))
    assert out, "verify --help lists no rules with kernel messages"
    return out


def check_kernel_agrees(report: dict, verdict: tuple[bool, str], what: str) -> None:
    accepted, log = verdict
    assert accepted == report["valid"], (
        f"{what}: kernel {'accepted' if accepted else 'rejected'} it, btfcheck says "
        f"{'valid' if report['valid'] else sorted(rule_set(report))}\n{log[-600:]}")
    if accepted:
        return
    lines = [ln for ln in log.splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    ids = [int(m.group(1)) for ln in lines if (m := re.match(r"^\[(\d+)\]", ln))]
    kernel_id = ids[-1] if ids else 0
    candidates = {rule for rule, pat in kernel_rules() if pat.search(last)}
    assert candidates, f"{what}: no btfcheck rule has the kernel's message: {last!r}"
    matching = [v for v in report["violations"]
                if v["rule"] in candidates and (not kernel_id or v["type_id"] == kernel_id)]
    assert matching, (f"{what}: kernel rejects type [{kernel_id}] with {last!r} "
                      f"(rules {sorted(candidates)}); btfcheck reports "
                      f"{sorted((v['type_id'], v['rule']) for v in report['violations'])}")


# ---------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="session")
def btfcheck_bin() -> Path:
    assert BTFCHECK.exists(), f"{BTFCHECK} not built (set BTFCHECK_BINARY or build build/bin/btfcheck)"
    return BTFCHECK


class Objects:
    """Compiled corpus objects, one per (case, producer), compiled on first use."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.cache: dict[tuple[str, str], Path] = {}

    def get(self, case: str, producer: str) -> Path:
        require_producer(producer)
        key = (case, producer)
        if key not in self.cache:
            self.cache[key] = producers.compile_case(CASES[case], producer,
                                                     self.outdir / producer)
        return self.cache[key]


@pytest.fixture(scope="session")
def objects(tmp_path_factory) -> Objects:
    return Objects(tmp_path_factory.mktemp("producers"))


@pytest.fixture(scope="session")
def kernel_ok(objects) -> bool:
    """Whether BPF_BTF_LOAD can be used here (probed with a tiny valid blob)."""
    # header + INT 'int' + strings "\0int\0"
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 16, 16, 5)
    types = struct.pack("<IIII", 1, 1 << 24, 4, (1 << 24) | 32)
    blob = hdr + types + b"\0int\0"
    return kernel_load(blob) is not None


# (case, producer) as the manifest lists them: a producer that cannot compile a case is
# not listed for it (the manifest's not_applicable says why), so it is not a test.
PARAMS = [pytest.param(c, p, id=f"{c}-{p}") for c in CASE_NAMES for p in PRODUCER_NAMES
          if p in CASES[c]["producers"]]
# The fixup and kernel checks take one blob per object: not the ld -r archives.
SINGLE_BLOB_PARAMS = [pytest.param(c, p, id=f"{c}-{p}") for c in CASE_NAMES
                      for p in PRODUCER_NAMES
                      if p in CASES[c]["producers"] and not archive_args(c, p)]


# ---------------------------------------------------------------------------------------
# Tests

def test_corpus_has_the_vars_cases():
    want = {"vars_sections", "vars_static", "vars_sra", "vars_kconfig", "vars_ksyms",
            "vars_hidden", "vars_extern_link"}
    assert want <= set(CASE_NAMES)


def test_manifest_producers_are_known():
    for name, case in CASES.items():
        assert set(case["producers"]) <= set(PRODUCER_NAMES), name
        for prod, why in case.get("not_applicable", {}).items():
            assert prod in PRODUCER_NAMES and prod not in case["producers"] and why, name


@pytest.mark.parametrize("case,producer", PARAMS)
def test_verify_raw_object(btfcheck_bin, objects, case, producer):
    obj = objects.get(case, producer)
    rc, report, _ = run_verify(*archive_args(case, producer), str(obj))
    rules = rule_set(report)
    if producer in VALID_AS_IS:
        assert rc == 0 and not rules, report["violations"]
        return
    # Compiler output is never kernel-valid as is (DATASEC sizes, extern linkage, ...).
    assert rc == 1 and rules
    if archive_args(case, producer):
        assert len(report["members"]) == len(producers.sources(CASES[case]))
    reason = exact_expectations(producer)
    if reason:
        require_or_skip("debian12-tools", reason)
    if (case, producer) not in NO_DATASEC:
        assert "datasec.size" in rules, "every DATASEC is left with size 0"
    extra = rules - ZERO_SIZE_RULES
    assert extra == expected_raw_extra(case, producer), report["violations"]


@pytest.mark.parametrize("case,producer", SINGLE_BLOB_PARAMS)
def test_verify_after_libbpf_fixup(btfcheck_bin, objects, case, producer):
    obj = objects.get(case, producer)
    rc, report, _ = run_verify("--fixup=libbpf", str(obj))
    rules = rule_set(report)
    if (case, producer) in FIXUP_REFUSED:
        # libbpf refuses the object: a finding, reported as the fixup rule, exit 1.
        assert rc == 1
        assert rules == {FIXUP_REFUSED[(case, producer)]}, report["violations"]
        return
    # libbpf's fixups leave no zero-size DATASEC and no extern linkage behind.
    assert not rules & {"datasec.size", "var.linkage", "func.linkage"}, rules
    reason = exact_expectations(producer)
    if reason:
        require_or_skip("debian12-tools", reason)
    assert rules == expected_fixed(case, producer), report["violations"]
    assert rc == (0 if not rules else 1)


@pytest.mark.parametrize("case,producer", SINGLE_BLOB_PARAMS)
def test_kernel_agrees_on_raw_object(btfcheck_bin, objects, kernel_ok, case, producer):
    if not kernel_ok:
        require_or_skip("kernel-load", "BPF_BTF_LOAD not permitted here (needs root or CAP_BPF)")
    obj = objects.get(case, producer)
    _, report, _ = run_verify(str(obj))
    verdict = kernel_load(elf_section(obj, ".BTF"))
    assert verdict is not None
    check_kernel_agrees(report, verdict, f"{obj.name} (raw)")


@pytest.mark.parametrize("case,producer", [p for p in SINGLE_BLOB_PARAMS
                                           if p.values[1] not in X86_PRODUCERS])
def test_kernel_agrees_after_libbpf_fixup(btfcheck_bin, objects, kernel_ok, case, producer):
    """The kernel judges libbpf's own fixed-up BTF; btfcheck's --fixup=libbpf verdict must
    match it (and libbpf refusing the object must match a fixup.* finding). BPF producers
    only: libbpf 1.1 refuses x86-64 objects ('not a valid eBPF object file')."""
    obj = objects.get(case, producer)
    _, report, _ = run_verify("--fixup=libbpf", str(obj))
    fixed = libbpf_fixed_btf(obj)
    fixup_rules = {r for r in rule_set(report) if r.startswith("fixup.")}
    if fixed is None:
        assert fixup_rules, f"libbpf refuses {obj.name}, btfcheck's fixup did not"
        return
    assert not fixup_rules, f"libbpf opens {obj.name}, btfcheck's fixup refused it"
    if not kernel_ok:
        require_or_skip("kernel-load", "BPF_BTF_LOAD not permitted here (needs root or CAP_BPF)")
    verdict = kernel_load(fixed)
    assert verdict is not None
    check_kernel_agrees(report, verdict, f"{obj.name} (libbpf-fixed)")


def test_fixup_needs_an_elf_object(btfcheck_bin, tmp_path, objects):
    obj = objects.get("vars_sections", "clang")
    raw = tmp_path / "raw.btf"
    raw.write_bytes(elf_section(obj, ".BTF"))
    r = subprocess.run([str(btfcheck_bin), "verify", "--fixup=libbpf", str(raw)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    r = subprocess.run([str(btfcheck_bin), "verify", "--fixup=nope", str(obj)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2, r.stdout + r.stderr
