"""clang -target bpf vs gcc -gbtf (x86) and bpf-gcc -gbtf on the built-in corpus.

With --rules=cross-producer, every difference that remains must be a real one, and each
is named below: a regular expression over "category path :: before -> after" and the
producer behaviour behind it. The test fails on an unexplained difference, and on an
explanation that no longer matches anything (so this table stays true). The expectations
are for clang 14 and gcc 12 (Debian 12); other versions skip the exact check, saying so,
but still require a clean, parseable diff.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import producers

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
     r"^(enumerator enum e64_\w+\.E64\w+ :: .* -> $|removed enum ak_e64 )",
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
     r"^(added datasec \.data .*g_cv_cv|datasec datasec \.rodata\.var g_cv_cv :: )",
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
    ("x86-long-double", {"gcc"},
     r"^size long double :: 8 -> 16",
     "target ABI: long double is 8 bytes on BPF, 16 on x86-64 (gcc here builds for x86)"),
]

PAIRS = [("clang", "bpf-gcc"), ("clang", "gcc")]
EXACT_VERSIONS = {"clang": "14.", "gcc": "12.", "bpf-gcc": "12."}


def describe(change: dict) -> str:
    return f"{change['category']} {change['path']} :: {change['before']} -> {change['after']}"


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    out = tmp_path_factory.mktemp("xprod")
    objs = {}
    for case in producers.cases():
        for prod in ("clang", "gcc", "bpf-gcc"):
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
        if reason := producers.missing_reason(prod):
            pytest.skip(reason)
    exact = all(producers.version(p).startswith(EXACT_VERSIONS[p]) for p in pair)
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
        pytest.skip(f"explanations are for clang 14 / gcc 12; have "
                    f"{producers.version(a_prod)} / {producers.version(b_prod)}")
    assert not unexplained, "unexplained cross-producer differences:\n" + "\n".join(unexplained)
    stale = [e[0] for e in EXPLAINED if b_prod in e[1] and e[0] not in used]
    assert not stale, f"explanations that matched nothing: {stale}"


def test_strict_mode_reports_what_rules_absorb(objects):
    """Without rules, the same pair differs in ways cross-producer absorbs (names, enc...)."""
    if producers.missing_reason("clang") or producers.missing_reason("gcc"):
        pytest.skip("clang and gcc are both needed")
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
        pytest.skip("clang and gcc are both needed")
    a, b = objects[("floats", "clang")], objects[("floats", "gcc")]
    rc, report = run_diff(a, b)
    assert rc == 1 and report["summary"] == {"size": 1}
    sup = tmp_path / "known.supp"
    sup.write_text("[suppress]\ncategory = size\nname = ^long double$\n"
                   "reason = x86 long double is 16 bytes\n")
    rc, report = run_diff(a, b, "--suppress", str(sup))
    assert rc == 0 and report["equal"]
    assert [c["suppressed"] for c in report["changes"]] == [True]
