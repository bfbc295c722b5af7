"""`btfcheck encode dwarf` end to end: CLI contract, and Debian's cloud vmlinux and modules
against Debian's pahole 1.24 (the issue's "done when").

The vmlinux tests skip when the vmlinux is absent (corpora/fetch-cloud-vmlinux) or pahole
is not installed. pahole's reference output for the Linux 6.1 flags is cached under
~/.cache/btfcheck/pahole/ keyed by pahole's version and the flags, so CI pays for it once.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from real_inputs import cloud_modules_dir, require_cloud, require_or_skip, tiny_output

REPO = Path(__file__).resolve().parents[2]
BTFCHECK = Path(os.environ.get("BTFCHECK", REPO / "build/bin/btfcheck"))
CACHE = Path(os.environ.get("BTFCHECK_CACHE", Path.home() / ".cache/btfcheck"))
PAHOLE_FLAGS = ["--btf_gen_floats", "--lang_exclude=rust"]


def run(*args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def btfcheck(*args, timeout=900) -> subprocess.CompletedProcess:
    return run(BTFCHECK, *args, timeout=timeout)


def require_clang(why: str = "clang is not installed") -> str:
    """clang-14, else clang; a skip for resource clang (saying WHY) when neither is there."""
    __tracebackhide__ = True
    clang = shutil.which("clang-14") or shutil.which("clang")
    if not clang:
        require_or_skip("clang", why)
    return clang


def pahole_version() -> str | None:
    if not shutil.which("pahole"):
        return None
    return run("pahole", "--version").stdout.strip() or None


@pytest.fixture(scope="module")
def cloud():
    return require_cloud()


@pytest.fixture(scope="module")
def pahole_ref(cloud):
    ver = pahole_version()
    if ver is None:
        require_or_skip("pahole", "pahole is not installed")
    ref = CACHE / "pahole" / f"{ver}-{'-'.join(f.strip('-').replace('=', '_') for f in PAHOLE_FLAGS)}.btf"
    if not ref.is_file():
        ref.parent.mkdir(parents=True, exist_ok=True)
        tmp = ref.with_suffix(".tmp")
        r = run("pahole", *PAHOLE_FLAGS, f"--btf_encode_detached={tmp}", cloud, timeout=1800)
        assert r.returncode == 0, r.stderr
        tmp.rename(ref)
    return ref


@pytest.fixture(scope="module")
def ours(cloud, tmp_path_factory):
    out = tmp_path_factory.mktemp("encode") / "vmlinux.j2.btf"
    r = btfcheck("encode", "dwarf", cloud, "-o", out, "-j2", "--lang-exclude=rust", "--explain")
    assert r.returncode == 0, r.stderr
    return out, r.stderr


def test_help_and_usage_errors(tmp_path):
    r = btfcheck("encode", "--help")
    assert r.returncode == 0 and "encode dwarf" in r.stdout.replace("usage: btfcheck encode dwarf", "encode dwarf")
    assert btfcheck("encode").returncode == 2
    r = btfcheck("encode", "nonsense", "x", "-o", tmp_path / "o")
    assert r.returncode == 2 and "unknown mode" in r.stderr
    assert btfcheck("encode", "dwarf", "/nonexistent").returncode == 2  # no -o
    r = btfcheck("encode", "dwarf", "/nonexistent", "-o", tmp_path / "o")
    assert r.returncode == 2 and "/nonexistent" in r.stderr
    assert not (tmp_path / "o").exists()  # never a partial output
    r = btfcheck("encode", "dwarf", "/nonexistent", "-o", tmp_path / "o", "--features", "bogus")
    assert r.returncode == 2 and "bogus" in r.stderr


def test_small_object_raw_and_elf(tmp_path):
    if not shutil.which("gcc"):
        require_or_skip("gcc", "gcc is not installed")
    obj = tmp_path / "kinds.o"
    assert run("gcc", "-g", "-O2", "-c", REPO / "corpora/cases/all_kinds.c", "-o", obj).returncode == 0
    raw = tmp_path / "kinds.btf"
    assert btfcheck("encode", "dwarf", obj, "-o", raw, "-j3").returncode == 0
    assert btfcheck("verify", raw).returncode == 0
    elf = tmp_path / "kinds.btf.o"
    r = btfcheck("encode", "dwarf", obj, "-o", elf, "--elf")
    assert r.returncode == 0, r.stderr
    # The ELF copy carries the same BTF in .BTF (btfcheck reads .BTF from ELF files).
    assert btfcheck("diff", raw, elf).returncode == 0
    if shutil.which("readelf"):
        assert ".BTF" in run("readelf", "-S", elf).stdout


def func_names_changed(a: Path, b: Path, *args) -> set[str]:
    """Names of the FUNCs `btfcheck diff A B` reports; asserts nothing else differs."""
    r = btfcheck("diff", "--format", "json", *args, a, b)
    assert r.returncode in (0, 1), r.stderr
    changes = json.loads(r.stdout)["changes"]
    others = [c for c in changes if c["kind"] != "func"]
    assert not others, others[:10]   # no type difference at all (strict rules)
    return {c["path"].split()[1].split(".")[0] for c in changes}


def explained(explain: str, verb: str) -> dict[str, str]:
    out = {}
    for line in explain.splitlines():
        name, sep, why = line.partition(f": {verb}: ")
        if sep:
            assert why, line
            out.setdefault(name, why)
    return out


def test_vmlinux_matches_pahole_and_verifies(cloud, ours, pahole_ref):
    out, explain = ours
    # Types: no difference from pahole 1.24. FUNCs: every prototype that is not pahole's
    # is explained by a "replaced" line (the subprogram at the symbol's address).
    changed = func_names_changed(pahole_ref, out)
    replaced = explained(explain, "replaced")
    assert changed and changed <= set(replaced), sorted(changed - set(replaced))[:20]
    assert "kernel/groups.c" in replaced["__x64_sys_setgroups"]   # not sys_ni.c's weak stub
    r = btfcheck("verify", out)
    assert r.returncode == 0, r.stdout[-3000:]
    r = btfcheck("verify", "--dwarf", cloud, out, timeout=1200)
    assert r.returncode == 0, r.stdout[-3000:]
    # Every function left out says why, one line each.
    assert explained(explain, "skipped")


def test_vmlinux_pahole_124_func_rule_is_exact(cloud, pahole_ref, tmp_path):
    out = tmp_path / "v124.btf"
    r = btfcheck("encode", "dwarf", cloud, "-o", out, "-j2", "--lang-exclude=rust",
                 "--features=-func_by_address")
    assert r.returncode == 0, r.stderr
    r = btfcheck("diff", pahole_ref, out)
    assert r.returncode == 0, r.stdout[-3000:]  # strict rules: no difference at all


def test_vmlinux_later_pahole_skips(cloud, ours, tmp_path):
    """consistent_func, unambiguous_func and param_regs each skip functions on the cloud
    vmlinux; every FUNC they remove has a "skipped" line naming the feature, and the
    result is still reproducible across -j and verifies."""
    outs = []
    for j in (1, 2):
        out = tmp_path / f"skips.j{j}.btf"
        r = btfcheck("encode", "dwarf", cloud, "-o", out, f"-j{j}", "--lang-exclude=rust", "--explain",
                     "--features=+consistent_func,unambiguous_func,param_regs")
        assert r.returncode == 0, r.stderr
        outs.append(out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    skipped = explained(r.stderr, "skipped")
    gone = func_names_changed(ours[0], outs[1])
    assert gone and gone <= set(skipped), sorted(gone - set(skipped))[:20]
    for feature in ("consistent_func", "unambiguous_func", "param_regs"):
        assert any(why.endswith(f"({feature})") for why in skipped.values()), feature
    assert btfcheck("verify", outs[1]).returncode == 0


def test_weak_stub_and_same_name_statics(tmp_path):
    """The setgroups case in small: a weak stub in the first CU, the strong definition in
    the second; and a static helper of the same name in both with different prototypes."""
    if not shutil.which("gcc"):
        require_or_skip("gcc", "gcc is not installed")
    (tmp_path / "a.c").write_text(
        "__attribute__((weak)) long sys_thing(void) { return -38; }\n"
        "static __attribute__((noinline)) int helper(int x) { return x * 3 + 1; }\n"
        "int use_a(int v) { return helper(v) + (int)sys_thing(); }\n")
    (tmp_path / "b.c").write_text(
        "long sys_thing(int *p, unsigned long n) { return p ? (long)n + *p : 0; }\n"
        "static __attribute__((noinline)) long helper(const char *s) { long n = 0; while (*s++) n++; return n; }\n"
        "int use_a(int v);\nint use_b(const char *s) { return (int)helper(s); }\n"
        "int main(int c, char **v) { return use_a(c) + use_b(v[0]) + (int)sys_thing(&c, 2); }\n")
    prog = tmp_path / "prog"
    run("gcc", "-g", "-O2", tmp_path / "a.c", tmp_path / "b.c", "-o", prog).check_returncode()

    def encode(features: str) -> tuple[dict[str, int], str]:
        """(FUNC name -> parameter count, --explain text)"""
        out = tmp_path / f"{features or 'own'}.btf"
        flags = [f"--features={features}"] if features else []   # "": btfcheck's own defaults
        r = btfcheck("encode", "dwarf", prog, "-o", out, *flags, "--explain")
        assert r.returncode == 0, r.stderr
        dump = btfcheck("dump", out).stdout
        vlen = {m[0]: int(m[1]) for m in re.findall(r"^\[(\d+)\] FUNC_PROTO .* vlen=(\d+)$", dump, re.M)}
        funcs = {m[0]: vlen[m[1]] for m in re.findall(r"^\[\d+\] FUNC '(\w+)' type_id=(\d+)", dump, re.M)}
        return funcs, r.stderr

    funcs, explain = encode("")
    assert funcs["sys_thing"] == 2 and re.search(r"^sys_thing: replaced: CU '[^']*a\.c'", explain, re.M)
    funcs, _ = encode("-func_by_address")
    assert funcs["sys_thing"] == 0   # pahole 1.24: the weak stub's prototype
    _, explain = encode("+consistent_func")
    assert "helper: skipped: inconsistent prototypes" in explain
    assert "sys_thing: skipped: inconsistent prototypes" in explain
    _, explain = encode("+unambiguous_func")
    assert "helper: skipped: 2 ELF symbols" in explain
    assert btfcheck("verify", "--dwarf", prog, tmp_path / "own.btf").returncode == 0
    assert btfcheck("verify", "--dwarf", prog, tmp_path / "-func_by_address.btf").returncode == 1


def test_vmlinux_same_bytes_for_every_j(cloud, ours, tmp_path):
    ref = Path(ours[0]).read_bytes()
    for j in (1, 4, 8):
        out = tmp_path / f"j{j}.btf"
        r = btfcheck("encode", "dwarf", cloud, "-o", out, f"-j{j}", "--lang-exclude=rust")
        assert r.returncode == 0, r.stderr
        assert out.read_bytes() == ref, f"-j{j} differs from -j2"


def test_modules_split_btf_match_pahole(cloud, pahole_ref, tmp_path):
    mods = sorted(map(str, cloud_modules_dir().glob("kernel/**/*.ko")))
    if not mods:
        require_or_skip("cloud", "no module sample next to the cloud vmlinux")
    for ko in mods[:: max(1, len(mods) // 8)]:  # a spread of about 8 modules
        name = Path(ko).stem
        ref = tmp_path / f"{name}.pahole.btf"
        r = run("pahole", *PAHOLE_FLAGS, f"--btf_base={pahole_ref}", f"--btf_encode_detached={ref}", ko)
        assert r.returncode == 0, r.stderr
        out = tmp_path / f"{name}.btf"
        r = btfcheck("encode", "dwarf", ko, "--base", pahole_ref, "-o", out, "--lang-exclude=rust",
                     "--explain")
        assert r.returncode == 0, r.stderr
        changed = func_names_changed(ref, out, "--base", pahole_ref)
        assert changed <= set(explained(r.stderr, "replaced")), f"{name}: {sorted(changed)[:10]}"
        r = btfcheck("verify", "--base", pahole_ref, out)
        assert r.returncode == 0, f"{name}: {r.stdout[-2000:]}"
        r = btfcheck("verify", "--dwarf", ko, out, "--base", pahole_ref)
        assert r.returncode == 0, f"{name}: {r.stdout[-2000:]}"


@pytest.mark.tiny
def test_tiny_kernel_if_built(tmp_path):
    v = tiny_output("dwarf", "vmlinux")
    if pahole_version() is None:
        require_or_skip("pahole", "pahole is not installed")
    ref = tmp_path / "tiny.pahole.btf"
    assert run("pahole", *PAHOLE_FLAGS, f"--btf_encode_detached={ref}", v).returncode == 0
    outs = []
    for j in (1, 2, 4, 8):
        out = tmp_path / f"tiny.j{j}.btf"
        r = btfcheck("encode", "dwarf", v, "-o", out, f"-j{j}", "--lang-exclude=rust", "--explain")
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert all(o == outs[0] for o in outs)
    changed = func_names_changed(ref, tmp_path / "tiny.j2.btf")
    assert changed <= set(explained(r.stderr, "replaced")), sorted(changed)[:10]
    assert btfcheck("verify", tmp_path / "tiny.j2.btf").returncode == 0
    r = btfcheck("verify", "--dwarf", v, tmp_path / "tiny.j2.btf")
    assert r.returncode == 0, r.stdout[-3000:]
    # Its modules (tinyconfig builds a few) as split BTF on pahole's vmlinux BTF.
    mods = sorted(Path(v).parent.rglob("*.ko"))
    for ko in mods:
        pref, out = tmp_path / f"{ko.stem}.pahole.btf", tmp_path / f"{ko.stem}.btf"
        run("pahole", *PAHOLE_FLAGS, f"--btf_base={ref}", f"--btf_encode_detached={pref}", ko).check_returncode()
        r = btfcheck("encode", "dwarf", ko, "--base", ref, "-o", out, "--lang-exclude=rust", "--explain")
        assert r.returncode == 0, r.stderr
        changed = func_names_changed(pref, out, "--base", ref)
        assert changed <= set(explained(r.stderr, "replaced")), f"{ko.stem}: {sorted(changed)[:10]}"
        assert btfcheck("verify", "--base", ref, out).returncode == 0, ko
        r = btfcheck("verify", "--dwarf", ko, out, "--base", ref)
        assert r.returncode == 0, r.stdout[-2000:]


@pytest.mark.parametrize("case", ["type_tag", "decl_tag", "tags_params_typedefs"])
def test_clang_annotations_match_pahole(case, tmp_path):
    """DW_TAG_LLVM_annotation (btf_type_tag / btf_decl_tag in clang's DWARF) becomes the same
    TYPE_TAG and DECL_TAG records, in the same order, as pahole 1.24 makes of them."""
    clang = shutil.which("clang-14") or shutil.which("clang")
    if not clang or pahole_version() is None:
        require_or_skip("clang|pahole", "clang or pahole is not installed")
    obj = tmp_path / f"{case}.o"
    run(clang, "-g", "-O2", "-c", REPO / f"corpora/cases/{case}.c", "-o", obj).check_returncode()
    ref, out = tmp_path / "pahole.btf", tmp_path / "ours.btf"
    run("pahole", f"--btf_encode_detached={ref}", obj).check_returncode()
    r = btfcheck("encode", "dwarf", obj, "-o", out)
    assert r.returncode == 0, r.stderr
    dump = btfcheck("dump", out).stdout
    kind = "TYPE_TAG" if case == "type_tag" else "DECL_TAG"
    assert re.search(rf"^\[\d+\] {kind} ", dump, re.M), dump[:2000]
    r = btfcheck("diff", ref, out)
    assert r.returncode == 0, r.stdout[-3000:]
    assert btfcheck("verify", out).returncode == 0


def test_global_var_feature(tmp_path):
    """--features=+global_var: a VAR for every global with a symbol, in a DATASEC per
    section at the symbol's offset, with the symbol's size (pahole >= 1.26's global_var)."""
    if not shutil.which("gcc") or not shutil.which("readelf"):
        require_or_skip("gcc|binutils", "gcc or readelf is not installed")
    src = tmp_path / "gv.c"
    src.write_text(
        "int counter = 7;\nconst char banner[] = \"btfcheck\";\nunsigned long zeroed;\n"
        "struct point { int x, y; } origin = {1, 2};\n"
        "long read_all(void) { return counter + banner[0] + (long)zeroed + origin.y; }\n")
    obj = tmp_path / "gv.o"
    run("gcc", "-g", "-O2", "-c", src, "-o", obj).check_returncode()
    plain, out = tmp_path / "plain.btf", tmp_path / "gv.btf"
    assert btfcheck("encode", "dwarf", obj, "-o", plain).returncode == 0
    assert btfcheck("encode", "dwarf", obj, "-o", out, "--features=+global_var").returncode == 0
    assert " VAR " not in btfcheck("dump", plain).stdout   # default: per-CPU variables only
    dump = btfcheck("dump", out).stdout
    entries = {}
    section = None
    for line in dump.splitlines():
        if m := re.match(r"^\[\d+\] DATASEC '([^']+)'", line):
            section = m[1]
        elif m := re.match(r"^\ttype_id=\d+ offset=(\d+) size=(\d+) \(VAR '(\w+)'\)", line):
            entries[m[3]] = (section, int(m[1]), int(m[2]))
    sections = {}
    for line in run("readelf", "-SW", obj).stdout.splitlines():
        if m := re.match(r"^\s*\[\s*(\d+)\]\s+(\S+)", line):
            sections[m[1]] = m[2]
    symbols = {}
    for line in run("readelf", "-sW", obj).stdout.splitlines():
        f = line.split()
        if len(f) == 8 and f[3] == "OBJECT" and f[6].isdigit():
            symbols[f[7]] = (sections[f[6]], int(f[1], 16), int(f[2]))
    assert symbols and entries == symbols, (entries, symbols)
    assert btfcheck("verify", out).returncode == 0


def test_gcc_annotations_equal_clang_ones(tmp_path):
    """gcc >= 16 writes btf_type_tag/btf_decl_tag as DW_TAG_GNU_annotation DIEs referenced by
    DW_AT_GNU_annotation (chained through the same attribute); clang writes
    DW_TAG_LLVM_annotation children. Debian 12 has no gcc 16, so tests/e2e/c/gnu_annot.s
    spells gcc's form by hand; the same declarations compiled by clang must give the same
    BTF, record for record."""
    if not shutil.which("as"):
        require_or_skip("binutils", "binutils 'as' is not installed")
    clang = require_clang("clang is not installed: no clang annotations to compare with")
    gnu = tmp_path / "gnu.o"
    run("as", REPO / "tests/e2e/c/gnu_annot.s", "-o", gnu).check_returncode()
    out = tmp_path / "gnu.btf"
    r = btfcheck("encode", "dwarf", gnu, "-o", out)
    assert r.returncode == 0, r.stderr
    dump = btfcheck("dump", out).stdout
    for line in ("TYPE_TAG 'user' type_id=1", "TYPE_TAG 'rcu' type_id=2", "PTR '(anon)' type_id=3",
                 "DECL_TAG 'm' type_id=5 component_idx=1", "DECL_TAG 's' type_id=5 component_idx=-1"):
        assert line in dump, dump
    assert btfcheck("verify", out).returncode == 0
    src = tmp_path / "annot.c"
    src.write_text(
        "struct s {\n"
        "  int __attribute__((btf_type_tag(\"user\"))) __attribute__((btf_type_tag(\"rcu\"))) *p;\n"
        "  int x __attribute__((btf_decl_tag(\"m\")));\n"
        "} __attribute__((btf_decl_tag(\"s\")));\nstruct s use_s;\n")
    obj, ref = tmp_path / "clang.o", tmp_path / "clang.btf"
    run(clang, "-g", "-c", src, "-o", obj).check_returncode()
    assert btfcheck("encode", "dwarf", obj, "-o", ref).returncode == 0
    r = btfcheck("diff", out, ref)
    assert r.returncode == 0, r.stdout


def test_same_bytes_without_huge_pages(tmp_path):
    """btfcheck re-executes itself with glibc.malloc.hugetlb=1 (README "Memory");
    BTFCHECK_NO_THP=1 turns that off. The output must not depend on it."""
    src = REPO / "corpora" / "cases" / "bitfields.c"
    obj = tmp_path / "b.o"
    if run("gcc", "-g", "-O2", "-c", str(src), "-o", str(obj)).returncode != 0:
        require_or_skip("gcc", "gcc cannot compile the corpus case")
    outs = []
    for env in ({}, {"BTFCHECK_NO_THP": "1"}, {"GLIBC_TUNABLES": "glibc.malloc.check=0"}):
        out = tmp_path / f"b{len(outs)}.btf"
        r = subprocess.run([str(BTFCHECK), "encode", "dwarf", str(obj), "-o", str(out)],
                           capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_big_endian_object_equals_little_endian(tmp_path):
    """A big-endian ELF (clang -target bpfeb) is read in its own byte order (libdw's values
    and the encoder's own reading of DW_FORM_ref4): its BTF is the little-endian build's."""
    clang = require_clang()
    out = {}
    for t in ("bpfel", "bpfeb"):
        obj = tmp_path / f"p.{t}.o"
        run(clang, "-target", t, "-g", "-O2", "-c", REPO / "tests/e2e/c/protos.c", "-o", obj).check_returncode()
        out[t] = tmp_path / f"{t}.btf"
        r = btfcheck("encode", "dwarf", obj, "-o", out[t])
        assert r.returncode == 0, r.stderr
    d = btfcheck("diff", "--allow-target-mismatch", out["bpfel"], out["bpfeb"])
    assert d.returncode == 0, d.stdout
    assert btfcheck("verify", out["bpfeb"]).returncode == 0
    assert out["bpfeb"].read_bytes()[:2] == b"\xeb\x9f"   # written in the object's byte order
    dump = btfcheck("dump", out["bpfeb"]).stdout
    assert dump.count("FUNC '") >= 2 and "STRUCT" in dump, dump
