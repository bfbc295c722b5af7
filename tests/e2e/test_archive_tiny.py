"""Archive merge on the tiny kernel (corpora/fetch-tiny-kernel builds it: ~2,050 s of CPU,
cached; ci/test runs these, marker 'tiny', once it is there; without it they skip as [tiny]).

gcc 12 `make KCFLAGS=-gbtf vmlinux_o` leaves per-object BTF concatenated in vmlinux.o's
.BTF (793 members, 1.38M types). libbpf's merge leaves hundreds of thousands of types and
hundreds of task_structs; `encode archive --dedup=canonical` must leave one task_struct,
named STRUCT/UNION/ENUM/TYPEDEF counts within 2% of pahole's DWARF->BTF of the same
vmlinux.o, and a canonical diff of the types against it in which every difference is
explained (rules + corpora/suppressions/gcc-12-btf-vs-pahole.supp). On the archive made
by pahole -J per object, the canonical merge equals libbpf's.
"""
from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import require_or_skip, tiny_output

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
SUPP = REPO / "corpora/suppressions/gcc-12-btf-vs-pahole.supp"
pytestmark = pytest.mark.tiny   # ci/test runs these once the tiny kernel is built
CANON_RULES = "param-names,type-tag-order,fwd-kind"


def run(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BTFCHECK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, check=False)


def need(variant: str) -> Path:
    return tiny_output(variant)


def named_kinds(btf: Path) -> collections.Counter:
    r = run("dump", btf)
    assert r.returncode == 0, r.stderr
    c = collections.Counter()
    for m in re.finditer(r"^\[\d+\] (\w+) '([^']*)'", r.stdout, re.M):
        if m.group(2) != "(anon)":
            c[m.group(1)] += 1
    return c


@pytest.fixture(scope="module")
def gcc_archive(tmp_path_factory):
    obj = need("gcc-btf")
    out = tmp_path_factory.mktemp("tiny") / "canonical.btf"
    r = run("encode", "archive", "--dedup=canonical", f"--rules={CANON_RULES}", obj, "-o", out,
            "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    return obj, out, json.loads(r.stdout), r.stderr


def test_gcc_btf_canonical_merge(gcc_archive, tmp_path):
    if shutil.which("pahole") is None:
        require_or_skip("pahole", "pahole not installed")
    obj, out, stats, stderr = gcc_archive
    assert stats["members"] > 700 and stats["types_before"] > 1_000_000
    canon = run("canon", out).stdout
    assert len(re.findall(r"^struct task_struct( |#)", canon, re.M)) == 1
    # Sanitized (the default): ordinary BTF that verify passes; what was dropped or fixed
    # is counted per reason in --json and summed up on stderr.
    v = run("verify", out)
    assert v.returncode == 0, v.stdout[-3000:]
    san = stats["sanitize"]
    assert san["datasec-invalid"] > 0 and san["func-unnamed"] > 0 and san["kept-referenced"] == 0
    assert re.search(r"^sanitize: dropped \d+ \(datasec-invalid \d+", stderr, re.M), stderr[:2000]
    assert "forward declaration(s) left unresolved" not in stderr, stderr[:2000]
    ref = tmp_path / "pahole.btf"
    subprocess.run(["pahole", "--btf_gen_floats", f"--btf_encode_detached={ref}", str(obj)],
                   check=True, capture_output=True, timeout=900)
    ours, theirs = named_kinds(out), named_kinds(ref)
    for kind in ("STRUCT", "UNION", "ENUM", "TYPEDEF"):
        assert abs(ours[kind] - theirs[kind]) <= 0.02 * theirs[kind], (kind, ours[kind], theirs[kind])
    d = run("diff", "--leaf", "--rules=all", "--suppress", SUPP, "--format", "json", out, ref)
    assert d.returncode in (0, 1), d.stderr
    left = [c for c in json.loads(d.stdout)["changes"]
            if not c.get("suppressed") and c["kind"] not in ("func", "var", "datasec")]
    assert not left, left[:10]


def test_libbpf_merge_keeps_copies_and_dups_says_why(gcc_archive, tmp_path):
    obj, _, canonical, _ = gcc_archive
    out = tmp_path / "libbpf.btf"
    r = run("encode", "archive", obj, "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["types_after"] > 5 * canonical["types_after"]
    dups = run("dups", out, timeout=1800)
    assert dups.returncode == 1
    m = re.search(r"^copies (\d+)x fwd struct sched_class: .*\n    not unified: (\d+) different "
                  r"definitions of struct sched_class$", dups.stdout, re.M)
    assert m and int(m.group(1)) > 100 and int(m.group(2)) > 1, dups.stdout[:3000]
    assert re.search(r"^family struct sched_class: \d+ different types$", dups.stdout, re.M)


def test_pahole_per_object_archive_equals_libbpf(tmp_path):
    """The archive of pahole -J per object (the experiment that motivated archive merging):
    libbpf's merge is already minimal there, and the canonical merge must equal it. Both
    are compared with pahole's DWARF->BTF of the linked vmlinux.o: every difference is
    explained -- pahole -J per object runs without --btf_gen_floats (float-int),
    and each object keeps its own same-name static functions, where pahole on the linked
    object keeps the first CU's (copy-removed, and a different prototype for a name)."""
    obj = need("pahole-obj")
    if shutil.which("pahole") is None:
        require_or_skip("pahole", "pahole not installed")
    lib, can = tmp_path / "libbpf.btf", tmp_path / "canonical.btf"
    r1 = run("encode", "archive", obj, "-o", lib, "--json")
    r2 = run("encode", "archive", "--dedup=canonical", obj, "-o", can, "--json")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    s1, s2 = json.loads(r1.stdout), json.loads(r2.stdout)
    assert s1["members"] > 700 and s1["types_after"] == s2["types_after"]
    d = run("diff", lib, can)
    assert d.returncode == 0, d.stdout[-3000:]
    assert run("verify", can).returncode == 0
    assert run("verify", lib).returncode == 0
    # pahole -J's per-object BTF is valid already: sanitize changes nothing.
    raw = tmp_path / "canonical-raw.btf"
    r3 = run("encode", "archive", "--dedup=canonical", "--no-sanitize", obj, "-o", raw)
    assert r3.returncode == 0, r3.stderr
    assert raw.read_bytes() == can.read_bytes()
    assert all(n == 0 for n in s2["sanitize"].values()), s2["sanitize"]
    ref = tmp_path / "pahole.btf"
    subprocess.run(["pahole", "--btf_gen_floats", f"--btf_encode_detached={ref}", str(obj)],
                   check=True, capture_output=True, timeout=900)
    d = run("diff", "--rules=float-int", "--suppress",
            REPO / "corpora/suppressions/pahole-1.24-parallel.supp", "--format", "json", can, ref)
    assert d.returncode in (0, 1), d.stderr
    left = [c for c in json.loads(d.stdout)["changes"] if not c.get("suppressed")]
    assert all(c["kind"] == "func" and c["category"] in ("param", "return", "type", "param-name")
               for c in left), left[:10]
    assert len(left) < 10, left
