"""The corpus manifest (corpora/manifest.json) is complete and consistent with the files.

Every corpora/cases/*.c is one case of the manifest, every source the manifest names exists,
each case has a feature line and its C source a header comment saying what it checks and
what the producers are expected to emit, there are at least 40 cases, and every producer the
manifest names (in producers or not_applicable) is one producers.py knows.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import producers  # noqa: E402

CORPUS = producers.CORPUS
MANIFEST = json.loads(producers.MANIFEST.read_text())
CASES = MANIFEST["cases"]
HEADER = re.compile(r"\s*/\*(.*?)\*/", re.S)


def test_at_least_40_cases():
    assert len(CASES) >= 40, len(CASES)


def test_names_unique_and_sorted():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    assert names == sorted(names)


def test_every_case_file_is_in_the_manifest():
    listed = {(CORPUS / c["source"]).resolve() for c in CASES}
    files = {p.resolve() for p in (CORPUS / "cases").glob("*.c")}
    assert files - listed == set(), sorted(str(p) for p in files - listed)
    for c in CASES:
        assert (CORPUS / c["source"]).is_file(), c["source"]
        assert Path(c["source"]).stem == c["name"], c
        for extra in c.get("extra_sources", []):
            assert (CORPUS / extra).is_file(), (c["name"], extra)
            assert not extra.startswith("cases/") or "/" in extra[len("cases/"):], (
                f"{c['name']}: extra source {extra} must not sit in cases/ (it would be a case)")


def test_every_case_has_a_feature_and_a_header_comment():
    for c in CASES:
        assert c.get("feature", "").strip(), c["name"]
        for src in [c["source"], *c.get("extra_sources", [])]:
            m = HEADER.match((CORPUS / src).read_text())
            assert m and len(m.group(1).split()) >= 8, f"{src}: no header comment"
        head = HEADER.match((CORPUS / c["source"]).read_text()).group(1)
        assert head.lstrip(" *\n").startswith("Feature:"), f"{c['source']}: no 'Feature:' line"


def test_every_producer_named_exists():
    known = set(producers.PRODUCERS)
    for c in CASES:
        assert c["producers"], c["name"]
        assert set(c["producers"]) <= known, (c["name"], c["producers"])
        na = c.get("not_applicable", {})
        assert set(na) <= known, (c["name"], na)
        assert not set(na) & set(c["producers"]), c["name"]
        assert all(isinstance(v, str) and v for v in na.values()), c["name"]
        # A producer is either applied or excluded with a reason.
        assert set(c["producers"]) | set(na) == known, (
            f"{c['name']}: producers {sorted(known - set(c['producers']) - set(na))} "
            "neither listed nor marked not_applicable")


def test_new_cases_state_producer_expectations():
    """Cases beyond the first corpus carry an 'Expect:' paragraph in their header."""
    for c in CASES:
        head = HEADER.match((CORPUS / c["source"]).read_text()).group(1)
        if c["name"] in FIRST_CORPUS:
            continue
        assert "Expect:" in head, f"{c['source']}: header says nothing about producers"


FIRST_CORPUS = {
    "all_kinds", "anon_nested", "arrays_flex", "arrays_multidim", "bitfields", "cv_restrict",
    "decl_tag", "enum64", "enums_signed", "floats", "func_ptrs", "fwd_decl", "int_types",
    "packed_aligned", "recursive", "sections", "type_tag", "typedef_chain", "unions",
    "varargs", "vars_extern_link", "vars_hidden", "vars_kconfig", "vars_ksyms",
    "vars_sections", "vars_sra", "vars_static",
}


def test_producers_cases_agree_with_the_manifest():
    got = {c["name"]: c for c in producers.cases()}
    assert set(got) == {c["name"] for c in CASES}
    for c in CASES:
        srcs = producers.sources(got[c["name"]])
        assert len(srcs) == 1 + len(c.get("extra_sources", []))
        assert all(s.is_file() for s in srcs)
