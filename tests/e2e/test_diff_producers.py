"""clang -target bpf vs gcc -gbtf (x86) and bpf-gcc -gbtf, and gcc -gbtf vs pahole -J (both
x86-64: the compiler's BTF against DWARF->BTF of the same code), on the built-in corpus.

With --rules=cross-producer, every difference that remains must be a real one, and each
is named below: a regular expression over "category path :: before -> after" and the
producer behaviour behind it. The test fails on an unexplained difference, and on an
explanation that no longer matches anything (so this table stays true). The expectations
are for clang 14, gcc 12 and pahole 1.24 (Debian 12); other versions skip the exact check,
saying so, but still require a clean, parseable diff. Cases of several units (ld -r
archives from compilers) are not diffed pairwise; test_two_cu_clash_kept_apart checks them.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import producers
from real_inputs import require_or_skip, require_producer

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(__import__("os").environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))

# (name, producer pairs it applies to, regex, why)
EXPLAINED = [
    ("gcc-no-btf-tags", {"gcc", "bpf-gcc"},
     r'^(removed decl_tag\(|type .* :: type_tag\()',
     "GCC 12 emits no DECL_TAG/TYPE_TAG: btf_decl_tag/btf_type_tag are clang-only there"),
    ("gcc-anon-func", {"gcc", "bpf-gcc"},
     r"^added anon := func static fn\(",
     "GCC 12 emits an unnamed FUNC for every function type (kernel rejects: name.required)"),
    ("enum64-lost", {"gcc", "bpf-gcc"},
     r"^(enumerator enum e64x?_\w+\.E64X?\w+ :: .* -> $|removed enum ak_e64 )",
     "64-bit enumerators: clang 14 truncates them into ENUM (val=0), GCC 12 drops them (vlen=0)"),
    ("gcc-drops-u32-max-enumerator", {"gcc", "bpf-gcc"},
     r"^enumerator enum es_unsigned\.EU_MAX :: -1 -> $",
     "GCC 12 drops an enumerator whose value (0xffffffff) does not fit a signed int"),
    ("clang-drops-unused-anon-enum", {"gcc", "bpf-gcc"},
     r"^added anon := enum size=4 unsigned \{ ES_ANON_X",
     "clang emits no anonymous enum type when only its constants are used"),
    ("gcc-keeps-unused-static-var", {"gcc", "bpf-gcc"},
     r"^(added var (s_ak_static|s_sec_static) |datasec datasec \.\w+\.var (s_ak_static|s_sec_static) :: )",
     "GCC keeps a VAR (and DATASEC entry) for a static variable the optimizer removed"),
    ("clang-sra-split-var", {"gcc", "bpf-gcc"},
     r"^(added var sra_state |removed var sra_state\.0 |datasec datasec \.bss\.var sra_state(\.0)? :: )",
     "clang -O2 splits the static struct sra_state (globalopt SRA) and names the VAR sra_state.0"),
    ("cv-var-section", {"gcc", "bpf-gcc"},
     r"^(added datasec \.data .*(g_cv_cv|g_cvp_cv_both)|"
     r"datasec datasec \.rodata\.var (g_cv_cv|g_cvp_cv_both) :: )",
     "a const volatile global: clang places it in .rodata, GCC in .data"),
    ("extern-var-linkage", {"gcc", "bpf-gcc"},
     r"^(linkage var \w+ :: 2 -> 1|added datasec \.bss .*el_shared_counter)",
     "extern variables: clang emits linkage extern (2), GCC global (1) and puts them in .bss"),
    ("gcc-no-ksyms-funcs", {"gcc", "bpf-gcc"},
     r"^datasec datasec \.ksyms\.func ks_\w+ :: 0\+0 -> $",
     "clang lists extern kfuncs in the .ksyms DATASEC, GCC 12 does not"),
    ("clang-fwd-only-member-type", {"gcc", "bpf-gcc"},
     r"^added long :: ",
     "clang emits struct fw_b (reached through a pointer) as FWD, so 'long', used only by its "
     "definition, exists only in GCC's output"),
    ("gcc-array-typedef-inlined", {"gcc", "bpf-gcc"},
     r"^removed td_arr4 :: ",
     "GCC inlines the array typedef td_arr4 into td_arr4x2 and emits no td_arr4"),
    ("gcc-reversed-multidim-arrays", {"gcc", "bpf-gcc"},
     r"^type .+ :: .+?(?:\[(\d+)\]\[(\d+)\] -> .+\[\2\]\[\1\]|"
     r"\[(\d+)\]\[(\d+)\]\[(\d+)\] -> .+\[\5\]\[\4\]\[\3\])$",
     "GCC 12 -gbtf nests a multi-dimensional array in reverse (int m[3][4] as 4 of 3 ints, "
     "clang as 3 of 4); array-flatten keeps it a difference (tests/e2e/test_array_shapes.py)"),
    ("x86-long-double", {"gcc"},
     r"^size long double :: 8 -> 16",
     "target ABI: long double is 8 bytes on BPF, 16 on x86-64 (gcc here builds for x86)"),
    ("bpf-int128-align", {"bpf-gcc"},
     r"^(size struct bi_wide :: 64 -> 48|offset struct bi_wide\.(s|u|p) :: )",
     "BPF ABI disagreement: clang -target bpf aligns __int128 to 16 bytes, bpf-gcc 12 to 8"),
    # gcc -gbtf (x86-64) vs pahole -J on gcc -g (x86-64): same layout, different encoders.
    ("pahole-percpu-vars-only", {"pahole"},
     r"^removed (var \S+|datasec (?!\.data\.\.percpu )\S+) :: ",
     "pahole 1.24 encodes VARs (and so DATASECs) only for .data..percpu, its per-CPU rule"),
    ("pahole-no-var-only-base-types", {"pahole"},
     r"^removed [A-Za-z_0-9 ]+ :: [A-Za-z_0-9 ]+ := (int|float) size=",
     "base types used only by VARs pahole does not encode (e.g. int_types' globals) are absent"),
    ("gcc-anon-func-vs-pahole", {"pahole"},
     r"^removed anon := func static fn\(",
     "GCC 12 emits an unnamed FUNC for every function type; pahole does not"),
    ("pahole-defined-funcs-only", {"pahole"},
     r"^removed func (fp_static_helper|va_extern|el_helper|ks_add|ks_task_acquire|"
     r"ks_task_release) :: ",
     "pahole encodes FUNCs only for functions with a symbol in the object: gcc -gbtf also "
     "emits extern declarations and a static helper inlined away"),
    ("pahole-enum64", {"pahole"},
     r"^enumerator enum (e64x?_\w+\.E64\w+|es_unsigned\.EU_MAX) ::  -> -?\d+$",
     "pahole 1.24 emits ENUM64 / unsigned values; GCC 12 drops enumerators that do not fit "
     "a signed 32-bit int"),
    ("gcc-float16-void", {"pahole"},
     r"^(type f16_t :: void -> _Float16|added _Float16 ::  -> _Float16 := float size=2)$",
     "GCC 12 -gbtf encodes _Float16 as void; pahole as INT '_Float16' size 2 (float-int rule "
     "makes it a float)"),
]

PAIRS = [("clang", "bpf-gcc"), ("clang", "gcc"), ("gcc", "pahole")]
EXACT_VERSIONS = {"clang": "14.", "gcc": "12.", "bpf-gcc": "12.", "pahole": "1.24"}


def describe(change: dict) -> str:
    return f"{change['category']} {change['path']} :: {change['before']} -> {change['after']}"


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    out = tmp_path_factory.mktemp("xprod")
    objs = {}
    for case in producers.cases():
        if case.get("extra_sources"):
            continue    # ld -r archives: test_two_cu_clash_kept_apart
        for prod in producers.PRODUCERS:
            if producers.missing_reason(prod) or prod not in case["producers"]:
                continue
            objs[(case["name"], prod)] = producers.compile(case["path"], prod, out)
    return objs


def run_diff(a: Path, b: Path, *extra: str) -> tuple[int, dict]:
    r = subprocess.run([str(BTFCHECK), "diff", "--rules=cross-producer", "--leaf",
                        "--format", "json", *extra, str(a), str(b)],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0]}-vs-{p[1]}")
def test_cross_producer_differences_are_explained(objects, pair):
    a_prod, b_prod = pair
    for prod in pair:
        require_producer(prod)
    exact = all((producers.version(p) + ".").startswith(EXACT_VERSIONS[p]) for p in pair)
    used = set()
    unexplained = []
    compared = 0
    for (name, prod), obj in sorted(objects.items()):
        if prod != a_prod or (name, b_prod) not in objects:
            continue
        compared += 1
        rc, report = run_diff(obj, objects[(name, b_prod)])
        assert rc == (1 if report["changes"] else 0)
        for change in report["changes"]:
            assert change["category"] and change["path"], change
            text = describe(change)
            hits = [e for e in EXPLAINED if b_prod in e[1] and re.search(e[2], text)]
            if hits:
                used.add(hits[0][0])
            else:
                unexplained.append(f"{name}: {text}")
    assert compared >= 16
    if not exact:
        require_or_skip("debian12-tools", f"explanations are for clang 14 / gcc 12; have "
                                          f"{producers.version(a_prod)} / {producers.version(b_prod)}")
    assert not unexplained, "unexplained cross-producer differences:\n" + "\n".join(unexplained)
    stale = [e[0] for e in EXPLAINED if b_prod in e[1] and e[0] not in used]
    assert not stale, f"explanations that matched nothing: {stale}"


def test_strict_mode_reports_what_rules_absorb(objects):
    """Without rules, the same pair differs in ways cross-producer absorbs (names, enc...)."""
    if producers.missing_reason("clang") or producers.missing_reason("gcc"):
        require_or_skip("clang|gcc", "clang and gcc are both needed")
    a, b = objects[("int_types", "clang")], objects[("int_types", "gcc")]
    strict = subprocess.run([str(BTFCHECK), "diff", "--format", "json", str(a), str(b)],
                            capture_output=True, text=True, check=False)
    assert strict.returncode == 1
    cats = {c["category"] for c in json.loads(strict.stdout)["changes"]}
    assert {"encoding", "linkage"} <= cats
    rc, report = run_diff(a, b)
    assert rc == 0 and report["equal"], report


def test_suppression_file_accepts_known_difference(objects, tmp_path):
    if producers.missing_reason("clang") or producers.missing_reason("gcc"):
        require_or_skip("clang|gcc", "clang and gcc are both needed")
    a, b = objects[("floats", "clang")], objects[("floats", "gcc")]
    rc, report = run_diff(a, b)
    assert rc == 1 and report["summary"] == {"size": 1}
    sup = tmp_path / "known.supp"
    sup.write_text("[suppress]\ncategory = size\nname = ^long double$\n"
                   "reason = x86 long double is 16 bytes\n")
    rc, report = run_diff(a, b, "--suppress", str(sup))
    assert rc == 0 and report["equal"]
    assert [c["suppressed"] for c in report["changes"]] == [True]


def test_two_cu_clash_kept_apart(tmp_path):
    """Two units, two different 'struct clash': compilers leave a two-member archive whose
    members differ in that struct; pahole's one BTF of the linked object keeps both."""
    case = next(c for c in producers.cases() if c["name"] == "two_cu_clash")
    assert len(producers.sources(case)) == 2
    if reason := producers.missing_reason("pahole"):
        require_or_skip("pahole", reason)
    obj = producers.compile_case(case, "pahole", tmp_path)
    r = subprocess.run([str(BTFCHECK), "dump", str(obj)], capture_output=True, text=True,
                       timeout=60, check=True)
    clashes = sorted(re.findall(r"STRUCT 'clash' size=(\d+)", r.stdout))
    assert clashes == ["24", "8"], r.stdout
    assert len(re.findall(r"TYPEDEF 'clash_t'", r.stdout)) == 2, r.stdout
    r = subprocess.run([str(BTFCHECK), "verify", str(obj)], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    for prod in ("clang", "gcc", "bpf-gcc"):
        if producers.missing_reason(prod):
            continue
        obj = producers.compile_case(case, prod, tmp_path)
        r = subprocess.run([str(BTFCHECK), "verify", "--archive", "--json", str(obj)],
                           capture_output=True, text=True, timeout=60, check=False)
        members = json.loads(r.stdout)["members"]
        assert len(members) == 2, (prod, r.stdout[:400])
