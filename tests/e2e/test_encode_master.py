"""`encode dwarf --compat=pahole-master` and the pahole master features the encoder writes:
decl_tag_kfuncs (kfunc sets of .BTF_ids, tests/e2e/c/kfuncs.c spells them as the kernel's
btf_ids.h does) and layout (libbpf 1.8's 32-byte header and layout section).

The program's expectations are written out here; where pahole master is built
(corpora/fetch-pahole-master) the same program is also encoded by it, and btfcheck's output
must have no canonical difference from it, with the same header and layout bytes.
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from real_inputs import pahole_master, require_612_modules, require_cloud_612, require_or_skip, require_pahole_master
from test_encode import btfcheck, run

C = Path(__file__).resolve().parent / "c"


def require_gcc() -> None:
    """Skips for resource gcc when the host C compiler is absent."""
    __tracebackhide__ = True
    if not shutil.which("gcc"):
        require_or_skip("gcc", "gcc is not installed")


def require_kernel_load(result):
    """BPF_BTF_LOAD's (errno, log), or a skip for resource kernel-load when not permitted."""
    __tracebackhide__ = True
    if result is None:
        require_or_skip("kernel-load", "BPF_BTF_LOAD not permitted here (needs root or CAP_BPF)")
    return result


def gcc_build(tmp_path_factory, source: Path, opt: str = "-O2") -> Path:
    """SOURCE compiled and linked by gcc -g OPT into a new temporary directory (a skip for
    resource gcc when it is absent)."""
    __tracebackhide__ = True
    require_gcc()
    out = tmp_path_factory.mktemp(source.stem) / source.stem
    r = run("gcc", "-g", opt, source, "-o", out)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def prog(tmp_path_factory) -> Path:
    return gcc_build(tmp_path_factory, C / "kfuncs.c", "-O1")


def encode(prog: Path, out: Path, *flags: str) -> bytes:
    r = btfcheck("encode", "dwarf", prog, "-o", out, *flags)
    assert r.returncode == 0, r.stderr
    return out.read_bytes()


def tags_by_func(btf: Path) -> dict[str, list[str]]:
    """FUNC name -> the names of the DECL_TAGs on the FUNC itself (component_idx -1)."""
    dump = btfcheck("dump", btf).stdout
    funcs = dict(re.findall(r"^\[(\d+)\] FUNC '(\w+)'", dump, re.M))
    tags: dict[str, list[str]] = {name: [] for name in funcs.values()}
    for tag, target in re.findall(r"^\[\d+\] DECL_TAG '(\w+)' type_id=(\d+) component_idx=-1$", dump, re.M):
        if target in funcs:
            tags[funcs[target]].append(tag)
    return {f: sorted(t) for f, t in tags.items()}


def type_counts(ko: Path) -> tuple[int, int]:
    """(types in .BTF.base, types in .BTF) of a module with a distilled base: its split
    types are numbered on from the base's."""
    ids = [int(i) for i in re.findall(r"^\[(\d+)\]", btfcheck("dump", ko).stdout, re.M)]
    return ids[0] - 1, len(ids)


def header(blob: bytes) -> tuple[int, ...]:
    """hdr_len, type_off, type_len, str_off, str_len[, layout_off, layout_len]."""
    hdr_len = struct.unpack_from("<I", blob, 4)[0]
    return struct.unpack_from("<" + "I" * ((hdr_len - 4) // 4), blob, 4)


def test_kfunc_tags_from_kfunc_sets(prog, tmp_path):
    """bpf_kfunc on the members of a set8 with BTF_SET8_KFUNCS, bpf_fastcall on KF_FASTCALL
    ones; nothing for a set8 without the flag, a BTF_ID list or an ordinary function."""
    expected = {"kf_acquire": ["bpf_kfunc"], "kf_fast": ["bpf_fastcall", "bpf_kfunc"],
                "kf_arena_alloc": ["bpf_kfunc"], "kf_arena_free": ["bpf_kfunc"],
                "kf_notset": [], "kf_listed": [], "not_a_kfunc": [], "main": []}
    outs = {}
    for flags in (["--features=+decl_tag_kfuncs"], ["--compat=pahole-master"],
                  ["--compat=pahole-master", "-j2"], ["--features=default"]):
        out = tmp_path / ("_".join(f.strip("-").replace("=", "-") for f in flags) + ".btf")
        outs[tuple(flags)] = encode(prog, out, *flags)
        assert tags_by_func(out) == expected, flags
        assert btfcheck("verify", out).returncode == 0
    assert outs[("--compat=pahole-master",)] == outs[("--compat=pahole-master", "-j2")]
    # Off: btfcheck's own default, and decl_tag_kfuncs or decl_tag removed.
    for flags in ([], ["--features=default,-decl_tag_kfuncs"], ["--features=default,-decl_tag"]):
        out = tmp_path / "off.btf"
        encode(prog, out, *flags)
        assert not any(tags_by_func(out).values()), flags


def test_arena_attributes(prog, tmp_path):
    """attributes: a kfunc's KF_ARENA_RET / KF_ARENA_ARG1 / KF_ARENA_ARG2 pointer becomes a
    pointer to TYPE_TAG "address_space(1)" with kind_flag 1 (canon: type_attr), others stay."""
    out = tmp_path / "a.btf"
    encode(prog, out, "--compat=pahole-master", "--features=+attributes")
    canon = btfcheck("canon", out).stdout
    attr = 'ptr(type_attr("address_space(1)", '
    alloc = re.search(r"^func kf_arena_alloc := .*$", canon, re.M)[0]
    free = re.search(r"^func kf_arena_free := .*$", canon, re.M)[0]
    assert "fn(ptr(void) arena, " + attr + "struct task)) t, int pages) -> " + attr + "void))" in alloc
    assert "fn(" + attr + "void)) arena, " + attr + "void)) ptr, long int n) -> long int" in free
    assert "type_attr" not in re.search(r"^func kf_fast := .*$", canon, re.M)[0]
    assert btfcheck("verify", "--kernel", "6.18", out).returncode == 0
    assert btfcheck("verify", "--kernel", "6.12", out).returncode == 1   # kind_flag tags: 6.15
    plain = tmp_path / "p.btf"
    encode(prog, plain, "--compat=pahole-master")
    assert "type_attr" not in btfcheck("canon", plain).stdout


def test_header_and_layout(prog, tmp_path):
    """btfcheck's own default keeps libbpf 1.1's 24-byte header; --compat=pahole-master
    writes libbpf 1.8's 32 bytes, +layout the 80-byte layout section between types and
    strings; the types and strings are the same in all three."""
    own = encode(prog, tmp_path / "own.btf", "--features=default")
    master = encode(prog, tmp_path / "m.btf", "--compat=pahole-master")
    layout = encode(prog, tmp_path / "l.btf", "--compat=pahole-master", "--features=+layout")
    h24, h32, hl = header(own), header(master), header(layout)
    assert h24[0] == 24 and h32[0] == 32 and hl[0] == 32
    type_len, str_len = h24[2], h24[4]
    assert h32[1:] == (0, type_len, type_len, str_len, 0, 0)
    assert hl[1:] == (0, type_len, type_len + 80, str_len, type_len, 80)
    assert master[32:] == own[24:]
    assert layout[32:32 + type_len] == own[24:24 + type_len]
    assert layout[32 + type_len + 80:] == own[24 + type_len:]
    r = btfcheck("dump", "--format", "json", tmp_path / "l.btf")
    assert r.returncode == 0 and '"layout"' in r.stdout
    assert btfcheck("verify", "--kernel", "next", tmp_path / "l.btf").returncode == 0
    assert btfcheck("diff", tmp_path / "own.btf", tmp_path / "l.btf").returncode == 0


def test_matches_pahole_master(prog, tmp_path):
    """pahole master --btf_features=default (and +layout) on the same program: no canonical
    difference, the same kfunc tags, the same header, a byte-identical layout section."""
    pm = require_pahole_master()
    for features, flags in (("default", []), ("default,layout", ["--features=+layout"]),
                            ("default,attributes", ["--features=+attributes"])):
        copy = tmp_path / f"prog-{features}"
        shutil.copy(prog, copy)
        ref = tmp_path / f"pm-{features}.btf"
        r = run(pm, f"--btf_features={features}", f"--btf_encode_detached={ref}", copy)
        assert r.returncode == 0, r.stderr
        ours = tmp_path / f"ours-{features}.btf"
        encode(prog, ours, "--compat=pahole-master", *flags)
        d = btfcheck("diff", ref, ours)
        assert d.returncode == 0, d.stdout[-3000:]
        assert tags_by_func(ours) == tags_by_func(ref)
        a, b = ref.read_bytes(), ours.read_bytes()
        ha, hb = header(a), header(b)
        assert ha[0] == hb[0] == 32
        assert (ha[5], ha[6]) == ((ha[2], 80) if "layout" in features else (0, 0))
        assert (hb[5], hb[6]) == ((hb[2], 80) if "layout" in features else (0, 0))
        if "layout" in features:
            assert a[32 + ha[5]:32 + ha[5] + 80] == b[32 + hb[5]:32 + hb[5] + 80]


def funcs_of(btf: Path) -> set[str]:
    return set(re.findall(r"^\[\d+\] FUNC '(\w+)'", btfcheck("dump", btf).stdout, re.M))


@pytest.fixture(scope="module")
def clones(tmp_path_factory) -> Path:
    """tests/e2e/c/clones.c by gcc -O2, which makes scale.constprop.0 and pick.constprop.0.isra.0."""
    prog = gcc_build(tmp_path_factory, C / "clones.c")
    syms = run("readelf", "-sW", prog).stdout
    assert "scale.constprop.0" in syms and "pick.constprop.0.isra.0" in syms, "gcc made no clones"
    return prog


def test_optimized_clones(clones, tmp_path):
    """gcc -O2 clones: pahole master keys its function table by base name and skips a clone
    whose parameters were optimized out ("optimized parameters"); --compat=pahole-master
    does the same and says why; keep_all keeps its FUNC although it ignores a parameter (no
    clone)."""
    prog = clones
    out = tmp_path / "m.btf"
    r = btfcheck("encode", "dwarf", "--compat=pahole-master", "--explain", prog, "-o", out)
    assert r.returncode == 0, r.stderr
    assert funcs_of(out) == {"keep_all", "main"}
    assert re.search(r"^scale: skipped: optimized parameters of a \.isra/\.constprop clone: "
                     r"parameter 'ignored' .*\(--compat=pahole-master\)$", r.stderr, re.M), r.stderr
    assert re.search(r"^pick: skipped: ", r.stderr, re.M), r.stderr
    j2 = tmp_path / "m2.btf"
    assert btfcheck("encode", "dwarf", "--compat=pahole-master", "-j2", prog, "-o", j2).returncode == 0
    assert j2.read_bytes() == out.read_bytes()


def matches_pahole_master(prog: Path, tmp_path: Path, *flags: str) -> Path:
    """Asserts that PROG encoded with --compat=pahole-master (and FLAGS) has no canonical difference from
    PROG encoded by pahole master --btf_features=default (a copy: pahole may write to its
    input); returns pahole master's raw BTF. Skips when pahole master is not built."""
    __tracebackhide__ = True
    pm = require_pahole_master()
    copy = tmp_path / (prog.name + ".copy")
    shutil.copy(prog, copy)
    ref = tmp_path / "pm.btf"
    r = run(pm, "--btf_features=default", f"--btf_encode_detached={ref}", copy)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "m.btf"
    encode(prog, out, "--compat=pahole-master", *flags)
    d = btfcheck("diff", ref, out)
    assert d.returncode == 0, d.stdout[-3000:]
    return ref


def test_optimized_clones_match_pahole_master(clones, tmp_path):
    """The same program by pahole master --btf_features=default: no canonical difference."""
    matches_pahole_master(clones, tmp_path)


REPO = Path(__file__).resolve().parents[2]
MODULES_612 = ("aesni-intel", "cryptd", "crypto_simd", "hid", "net_failover", "virtio_net", "xfs",
               "gf128mul", "libcrc32c", "failover", "fou", "ip_tunnel")


def pahole_master_outputs(*args: str) -> list[Path]:
    """corpora/encode-pahole-master's outputs (cached by the script) for ARGS, by the pahole
    master real_inputs found (the script builds nothing then: no ../shared/anchors needed)."""
    pm = pahole_master()
    assert pm is not None
    r = subprocess.run([str(REPO / "corpora/encode-pahole-master"), *args], capture_output=True,
                       text=True, timeout=1800, check=False,
                       env={**os.environ, "BTFCHECK_PAHOLE_MASTER": str(pm)})
    assert r.returncode == 0, r.stderr[-2000:]
    return [Path(line) for line in r.stdout.split()]


def test_612_vmlinux_and_modules_match_pahole_master(tmp_path):
    """The issue's measurement: Debian's 6.12 cloud vmlinux and 12 of its modules (split on
    it), --compat=pahole-master against pahole master --btf_features=default (and the
    vmlinux with +layout): no canonical difference, and the same bytes for -j1, -j2, -j4."""
    v = require_cloud_612()
    require_pahole_master()
    [ref] = pahole_master_outputs("--features", "default", str(v))
    outs = []
    for j in (1, 2, 4):
        out = tmp_path / f"j{j}.btf"
        encode(v, out, "--compat=pahole-master", f"-j{j}")
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    d = btfcheck("diff", ref, tmp_path / "j2.btf")
    assert d.returncode == 0, d.stdout[-3000:]
    # +layout: no difference either, and the layout section is pahole's, byte for byte.
    [ref_layout] = pahole_master_outputs("--features", "default,layout", str(v))
    layout = encode(v, tmp_path / "layout.btf", "--compat=pahole-master", "--features=+layout", "-j2")
    assert btfcheck("diff", ref_layout, tmp_path / "layout.btf").returncode == 0
    a, b = ref_layout.read_bytes(), layout
    ha, hb = header(a), header(b)
    assert ha[0] == hb[0] == 32 and ha[6] == hb[6] == 80
    assert a[32 + ha[5]:32 + ha[5] + 80] == b[32 + hb[5]:32 + hb[5] + 80]
    modules_match_pahole_master(v, require_612_modules(v, MODULES_612), tmp_path)


def modules_match_pahole_master(v: Path, kos: dict[str, Path], tmp_path: Path) -> None:
    """Each module of KOS (name -> .ko), split on the vmlinux V, with --compat=pahole-master
    against pahole master --btf_features=default: no canonical difference, and as many types
    (libbpf 1.8's split TYPEDEF copies included: libbpf-1.8-split-typedef)."""
    refs = pahole_master_outputs("--features", "default", "--base", str(v), *(str(ko) for ko in kos.values()))
    for (m, ko), ref in zip(kos.items(), refs):
        out = tmp_path / f"{m}.btf"
        encode(ko, out, "--compat=pahole-master", "--base", str(v))
        d = btfcheck("diff", "--base", v, ref, out)
        assert d.returncode == 0, (m, d.stdout[-2000:])
        count = [len(re.findall(r"^\[", btfcheck("dump", "--base", v, f).stdout, re.M)) for f in (ref, out)]
        assert count[0] == count[1], (m, count)


WEAK_A = ("struct limits { long lo, hi; };\n"
          "struct limits shared_limits __attribute__((weak)) = { 0, 10 };\n"
          "long read_lo(void) { return shared_limits.lo; }\n")
WEAK_B = ("struct limits { long lo, hi; };\n"
          "struct limits shared_limits = { 5, 50 };\n"
          "long read_lo(void);\n"
          "int main(void) { return (int)(read_lo() + shared_limits.hi); }\n")


@pytest.fixture(scope="module")
def weak_pair(tmp_path_factory) -> Path:
    """A program with a weak and a strong definition of shared_limits (WEAK_A, WEAK_B)."""
    require_gcc()
    d = tmp_path_factory.mktemp("weak")
    (d / "a.c").write_text(WEAK_A)
    (d / "b.c").write_text(WEAK_B)
    prog = d / "ab"
    assert run("gcc", "-g", "-O1", d / "a.c", d / "b.c", "-o", prog).returncode == 0
    return prog


def test_global_var_without_overlaps(weak_pair, tmp_path):
    """A weak and a strong definition of one variable: both CUs' DWARF describe it at the
    same address, so --compat=pahole-master (as pahole master) writes two overlapping
    DATASEC entries; btfcheck's own global_var keeps one, says why, and verifies."""
    prog = weak_pair
    compat = tmp_path / "compat.btf"
    encode(prog, compat, "--compat=pahole-master", "--features=+global_var")
    v = btfcheck("verify", compat)
    assert v.returncode == 1 and "[datasec.overlap]" in v.stdout
    own = tmp_path / "own.btf"
    r = btfcheck("encode", "dwarf", "--features=+global_var", "--explain", prog, "-o", own)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^shared_limits: skipped: its 16 bytes at \.data\+0x[0-9a-f]+ are already "
                     r"described by another VAR of the same name .*\(global_var\)$", r.stderr, re.M)
    dump = btfcheck("dump", own).stdout
    assert len(re.findall(r"^\[\d+\] VAR 'shared_limits'", dump, re.M)) == 1
    assert btfcheck("verify", own).returncode == 0
    assert btfcheck("verify", "--kernel", "6.12", own).returncode == 0
    assert btfcheck("verify", "--dwarf", prog, own).returncode == 0


def test_global_var_without_overlaps_loads(weak_pair, tmp_path):
    """The running kernel accepts btfcheck's own global_var BTF of the weak pair and rejects
    the overlapping one --compat=pahole-master writes."""
    from test_kernel_releases import btf_load
    own, compat = tmp_path / "own.btf", tmp_path / "compat.btf"
    encode(weak_pair, own, "--features=+global_var")
    encode(weak_pair, compat, "--compat=pahole-master", "--features=+global_var")
    assert require_kernel_load(btf_load(own.read_bytes()))[0] == 0
    assert require_kernel_load(btf_load(compat.read_bytes()))[0] != 0


def test_global_var_overlaps_match_pahole_master(weak_pair, tmp_path):
    """pahole master's own global_var BTF of the weak pair overlaps the same way: verify
    rejects it and --compat=pahole-master's has no canonical difference from it."""
    pm = require_pahole_master()
    compat = tmp_path / "compat.btf"
    encode(weak_pair, compat, "--compat=pahole-master", "--features=+global_var")
    copy = tmp_path / "ab.copy"
    shutil.copy(weak_pair, copy)
    ref = tmp_path / "pm.btf"
    assert run(pm, "--btf_features=default,global_var", f"--btf_encode_detached={ref}", copy).returncode == 0
    assert btfcheck("diff", ref, compat).returncode == 0
    assert btfcheck("verify", ref).returncode == 1


def test_global_var_612_kept_names(tmp_path):
    """Debian's 6.12 vmlinux with +global_var: btfcheck's own output verifies (also against
    DWARF and as 6.12), loads into the running kernel where permitted, and keeps at least
    95% of the variable names pahole master's global_var output has."""
    from test_kernel_releases import btf_load
    v = require_cloud_612()
    require_pahole_master()
    [ref] = pahole_master_outputs("--features", "default,global_var", str(v))
    own = tmp_path / "gv.btf"
    encode(v, own, "--features=+global_var", "-j2")
    for args in ([own], ["--kernel", "6.12", own], ["--dwarf", v, own]):
        r = btfcheck("verify", *args)
        assert r.returncode == 0, r.stdout[-2000:]

    def var_names(btf: Path) -> set[str]:
        return set(re.findall(r"^\[\d+\] VAR '([^']+)'", btfcheck("dump", btf).stdout, re.M))
    theirs, ours = var_names(ref), var_names(own)
    assert len(theirs & ours) >= 0.95 * len(theirs), (len(theirs), len(ours), len(theirs & ours))
    assert require_kernel_load(btf_load(own.read_bytes()))[0] == 0


KERNEL_C = ("struct list_head { struct list_head *next, *prev; };\n"
            "struct device { const char *name; struct list_head node; unsigned long flags; };\n"
            "enum mode { MODE_A, MODE_B };\n"
            "typedef unsigned int u32;\n"
            "struct device root_dev;\nenum mode cur_mode;\nu32 counter;\n"
            "int main(void) { return root_dev.flags + cur_mode + counter; }\n")
MODULE_C = ("struct list_head { struct list_head *next, *prev; };\n"
            "struct device { const char *name; struct list_head node; unsigned long flags; };\n"
            "enum mode { MODE_A, MODE_B };\n"
            "typedef unsigned int u32;\n"
            "struct my_priv { struct device *dev; u32 id; enum mode m; struct { int x, y; } pos; u32 regs[4]; };\n"
            "int my_probe(struct my_priv *p, const struct device *d) { return p->id + (d->flags != 0) + p->pos.x; }\n")


def test_distilled_base_module(tmp_path):
    """distilled_base: a "module" encoded on a "vmlinux" gets .BTF split on a small .BTF.base
    (memberless named structs with their sizes, a sized enum, the INTs), verifies on it and,
    relocated onto the vmlinux (--base), is the module encoded directly on it."""
    require_gcc()
    if not shutil.which("objcopy"):
        require_or_skip("binutils", "objcopy is not installed")
    (tmp_path / "k.c").write_text(KERNEL_C)
    (tmp_path / "m.c").write_text(MODULE_C)
    kernel, module = tmp_path / "vmlinux", tmp_path / "mod.o"
    assert run("gcc", "-g", "-O1", tmp_path / "k.c", "-o", kernel).returncode == 0
    assert run("gcc", "-g", "-O1", "-c", tmp_path / "m.c", "-o", module).returncode == 0
    base = tmp_path / "vmlinux.btf"
    encode(kernel, base, "--compat=pahole-master")
    direct = tmp_path / "direct.btf"
    encode(module, direct, "--compat=pahole-master", "--base", str(base))
    out = tmp_path / "mod.ko"
    encode(module, out, "--compat=pahole-master", "--features=+distilled_base", "--base", str(base), "--elf")
    sections = run("readelf", "-SW", out).stdout
    assert ".BTF.base" in sections and ".BTF " in sections
    v = btfcheck("verify", out)
    assert v.returncode == 0 and ".BTF.base: OK" in v.stdout, v.stdout
    copy, section = tmp_path / "copy.ko", tmp_path / "base.sec"
    shutil.copy(out, copy)
    assert run("objcopy", f"--dump-section=.BTF.base={section}", copy).returncode == 0
    assert btfcheck("dump", section).stdout.splitlines() == [
        "[1] STRUCT 'device' size=32 vlen=0",
        "[2] ENUM 'mode' encoding=UNSIGNED size=4 vlen=0",
        "[3] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
        "[4] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED"]
    raw = btfcheck("dump", out).stdout
    assert re.search(r"^\[\d+\] STRUCT 'my_priv' size=40 vlen=5$", raw, re.M), raw
    assert re.search(r"^\[\d+\] TYPEDEF 'u32' type_id=3$", raw, re.M), raw
    assert btfcheck("verify", "--base", base, out).returncode == 0
    d = btfcheck("diff", "--base", base, out, direct)
    assert d.returncode == 0, d.stdout
    # Split BTF only, and only into an ELF.
    r = btfcheck("encode", "dwarf", "--features=+distilled_base", module, "-o", tmp_path / "x", "--elf")
    assert r.returncode == 2 and "--base" in r.stderr
    r = btfcheck("encode", "dwarf", "--features=+distilled_base", "--base", base, module, "-o", tmp_path / "x")
    assert r.returncode == 2 and "--elf" in r.stderr and not (tmp_path / "x").exists()


def test_distilled_612_modules(tmp_path):
    """12 of Debian's 6.12 modules with +distilled_base: each verifies on its own base and on
    the vmlinux, and is pahole master's distilled module both on its own distilled base and
    relocated onto the vmlinux (and then also the one encoded directly). On its own base
    that needs libbpf 1.8's split TYPEDEF copies (rule libbpf-1.8-split-typedef), so the two
    have the same number of types in .BTF and in .BTF.base."""
    v = require_cloud_612()
    require_pahole_master()
    kos = require_612_modules(v, MODULES_612)
    refs = pahole_master_outputs("--features", "default,distilled_base", "--base", str(v),
                             *(str(kos[m]) for m in MODULES_612))
    for m, ref in zip(MODULES_612, refs):
        out = tmp_path / f"{m}.ko"
        encode(kos[m], out, "--compat=pahole-master", "--features=+distilled_base", "--base", str(v), "--elf")
        assert btfcheck("verify", out).returncode == 0, m
        assert btfcheck("verify", "--base", v, out).returncode == 0, m
        d = btfcheck("diff", "--base", v, ref, out)
        assert d.returncode == 0, (m, d.stdout[-2000:])
        d = btfcheck("diff", ref, out)
        assert d.returncode == 0, (m, "on its own distilled base", d.stdout[-2000:])
        assert type_counts(out) == type_counts(ref), m
