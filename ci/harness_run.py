#!/usr/bin/env python3
"""Runs btfcheck's main job over the built-in corpus and the running kernel's BTF.

Called by ci/harness after the build; writes OUT/results.json (raw results, one record per
input) for reports/harness_report.py to render. Never fails because an input is bad: every
compile error, violation, crash or timeout is recorded in the input's record. Exits non-zero
only when it cannot run at all (no btfcheck binary, unreadable manifest).

For each corpus case (corpora/manifest.json, plus any corpora/cases/*.c the manifest does not
list) and each installed producer that applies (tests/e2e/producers.py):
  compile -> object; `btfcheck verify --json OBJ`; `btfcheck verify --json --fixup=libbpf OBJ`
  (libbpf's load-time fixups); `btfcheck dump OBJ` compared byte for byte with
  `bpftool btf dump file OBJ`; and the ground truth: the object's raw .BTF handed to the
  running kernel with BPF_BTF_LOAD (ci/kernel_btf_load.c), whose verdict is compared with
  btfcheck verify's (recorded as unavailable without the privilege).
Kernel inputs (when present): /sys/kernel/btf/vmlinux and the cloud vmlinux (env
BTFCHECK_VMLINUX or ~/.cache/btfcheck/...): verified (default, strictest options), dumped
and compared with bpftool, and timed side by side with bpftool by bench/compare_bpftool.sh.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from real_inputs import cloud_vmlinux  # noqa: E402  (tests/e2e on the path)

TIMEOUT = 600


def run(cmd: list[str], stdout_path: Path | None = None) -> dict:
    """Runs cmd; returns exit, wall ms, peak RSS (KB, via /usr/bin/time) and output."""
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    with tempfile.NamedTemporaryFile(prefix="btfcheck-time-") as tf:
        full = (["/usr/bin/time", "-f", "%M", "-o", tf.name] if timer else []) + cmd
        t0 = time.perf_counter()
        try:
            if stdout_path is not None:
                with open(stdout_path, "wb") as out:
                    p = subprocess.run(full, stdout=out, stderr=subprocess.PIPE,
                                       stdin=subprocess.DEVNULL, timeout=TIMEOUT)
                stdout = b""
            else:
                p = subprocess.run(full, capture_output=True, stdin=subprocess.DEVNULL,
                                   timeout=TIMEOUT)
                stdout = p.stdout
            rc = p.returncode
            stderr = p.stderr
        except subprocess.TimeoutExpired:
            return {"exit": None, "ms": TIMEOUT * 1000.0, "rss_kb": None, "stdout": b"",
                    "stderr": f"timed out after {TIMEOUT}s", "cmd": cmd}
        except OSError as e:
            return {"exit": None, "ms": 0.0, "rss_kb": None, "stdout": b"",
                    "stderr": str(e), "cmd": cmd}
        ms = (time.perf_counter() - t0) * 1000.0
        rss = None
        if timer:
            lines = Path(tf.name).read_text(errors="replace").split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else None
    return {"exit": rc, "ms": round(ms, 3), "rss_kb": rss, "stdout": stdout,
            "stderr": stderr.decode(errors="replace"), "cmd": cmd}


def elf_section(path: Path, name: bytes) -> tuple[int, int] | None:
    """(file offset, size) of an ELF section by name, reading only the headers."""
    with open(path, "rb") as f:
        ident = f.read(16)
        if ident[:4] != b"\x7fELF" or ident[4] not in (1, 2) or ident[5] not in (1, 2):
            return None
        is64, end = ident[4] == 2, "<" if ident[5] == 1 else ">"
        hdr = f.read(48 if is64 else 36)
        if is64:
            shoff, = struct.unpack(end + "Q", hdr[24:32])
            shentsize, shnum, shstrndx = struct.unpack(end + "HHH", hdr[42:48])
        else:
            shoff, = struct.unpack(end + "I", hdr[16:20])
            shentsize, shnum, shstrndx = struct.unpack(end + "HHH", hdr[30:36])
        if shoff == 0 or shnum == 0 or shstrndx >= shnum:
            return None

        def section(i: int) -> tuple[int, int, int, int]:   # name, type, offset, size
            f.seek(shoff + i * shentsize)
            sh = f.read(shentsize)
            if is64:
                nm, typ = struct.unpack(end + "II", sh[0:8])
                off, size = struct.unpack(end + "QQ", sh[24:40])
            else:
                nm, typ = struct.unpack(end + "II", sh[0:8])
                off, size = struct.unpack(end + "II", sh[16:24])
            return nm, typ, off, size

        _, _, stroff, strsize = section(shstrndx)
        f.seek(stroff)
        strtab = f.read(strsize)
        for i in range(shnum):
            nm, typ, off, size = section(i)
            if strtab[nm:].split(b"\0", 1)[0] == name and typ != 8:   # 8 = SHT_NOBITS
                return off, size
    return None


def extract_btf(obj: Path, dest: Path) -> Path | None:
    """The raw BTF bytes of an input: its .BTF section (ELF) or the file itself."""
    try:
        with open(obj, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return obj
        loc = elf_section(obj, b".BTF")
        if loc is None:
            return None
        with open(obj, "rb") as f:
            f.seek(loc[0])
            dest.write_bytes(f.read(loc[1]))
        return dest
    except (OSError, struct.error):
        return None


def build_kernel_loader(work: Path) -> tuple[Path | None, str]:
    """Compiles ci/kernel_btf_load.c (BPF_BTF_LOAD through libbpf); (path, "") or (None, why)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, "no C compiler"
    exe = work / "kernel_btf_load"
    r = subprocess.run([cc, "-O2", "-o", str(exe), str(REPO / "ci" / "kernel_btf_load.c"), "-lbpf"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        return None, "cannot build ci/kernel_btf_load.c: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return exe, ""


def kernel_verdict(loader: Path | None, why: str, raw: Path | None) -> dict:
    """What the running kernel says about the raw BTF: accepted / rejected / unavailable."""
    if loader is None:
        return {"verdict": "unavailable", "message": why}
    if raw is None:
        return {"verdict": "unavailable", "message": "no BTF bytes"}
    r = run([str(loader), str(raw)])
    line = r["stdout"].decode(errors="replace").strip()
    verdict, _, message = line.partition(":")
    if verdict not in ("accepted", "rejected", "unavailable"):
        return {"verdict": "unavailable", "message": line or r["stderr"].strip()[:300]}
    return {"verdict": verdict, "message": message.strip()[:300]}


def agreement(verify_rec: dict, kernel: dict) -> bool | None:
    """btfcheck verify (default options) against the kernel: None when not comparable."""
    if kernel.get("verdict") not in ("accepted", "rejected") or verify_rec.get("exit") not in (0, 1):
        return None
    return (verify_rec["exit"] == 0) == (kernel["verdict"] == "accepted")


def verify(btfcheck: str, path: Path, extra: list[str]) -> dict:
    r = run([btfcheck, "verify", "--json", *extra, str(path)])
    rec = {"exit": r["exit"], "ms": r["ms"], "rss_kb": r["rss_kb"]}
    try:
        doc = json.loads(r["stdout"].decode(errors="replace")) if r["stdout"].strip() else None
    except json.JSONDecodeError:
        doc = None
    if r["exit"] not in (0, 1) or doc is None:
        lines = r["stderr"].strip().splitlines()
        rec["error"] = lines[-1][:300] if lines else (
            "no JSON output" if doc is None else f"exit {r['exit']}")
    if isinstance(doc, dict):
        members = doc.get("members") if isinstance(doc.get("members"), list) else [doc]
        rules: Counter = Counter()
        types = 0
        for m in members:
            types += int(m.get("types") or 0)
            for v in m.get("violations") or []:
                rules[str(v.get("rule", "?"))] += 1
        rec.update(types=types, valid=bool(doc.get("valid", not rules)),
                   violations=sum(rules.values()), by_rule=dict(sorted(rules.items())))
    return rec


def dump(btfcheck: str, path: Path, workdir: Path, tag: str) -> dict:
    ours, theirs = workdir / f"{tag}.btfcheck.txt", workdir / f"{tag}.bpftool.txt"
    r = run([btfcheck, "dump", str(path)], stdout_path=ours)
    rec = {"exit": r["exit"], "ms": r["ms"], "rss_kb": r["rss_kb"],
           "bytes_out": ours.stat().st_size if ours.exists() else 0}
    if r["exit"] != 0:
        rec["error"] = (r["stderr"].strip().splitlines() or ["failed"])[-1][:300]
    bpftool = shutil.which("bpftool") or ("/usr/sbin/bpftool" if Path("/usr/sbin/bpftool").exists() else None)
    if bpftool:
        b = run([bpftool, "btf", "dump", "file", str(path)], stdout_path=theirs)
        rec["bpftool_exit"] = b["exit"]
        rec["bpftool_ms"] = b["ms"]
        if b["exit"] != 0:
            rec["vs_bpftool"] = "bpftool failed"
        elif r["exit"] != 0:
            rec["vs_bpftool"] = "btfcheck failed"
        else:
            rec["vs_bpftool"] = "identical" if ours.read_bytes() == theirs.read_bytes() else "differs"
    else:
        rec["vs_bpftool"] = "bpftool absent"
    for f in (ours, theirs):
        f.unlink(missing_ok=True)
    return rec


def corpus_cases() -> list[dict]:
    import producers  # tests/e2e/producers.py
    listed = {}
    try:
        for c in producers.cases():
            listed[Path(c["path"]).resolve()] = c
    except (OSError, ValueError, KeyError) as e:
        print(f"harness: manifest unreadable ({e}); using every corpora/cases/*.c", file=sys.stderr)
    out = list(listed.values())
    for src in sorted((REPO / "corpora" / "cases").glob("*.c")):
        if src.resolve() not in listed:
            out.append({"name": src.stem, "path": src.resolve(),
                        "producers": list(producers.PRODUCERS), "feature": "(not in manifest)"})
    return sorted(out, key=lambda c: c["name"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--btfcheck", default=str(REPO / "build" / "bin" / "btfcheck"))
    ap.add_argument("--out", default=str(REPO / "reports" / "out"))
    ap.add_argument("--runs", type=int, default=5, help="runs per command in compare_bpftool")
    args = ap.parse_args()
    btfcheck = args.btfcheck
    if not os.access(btfcheck, os.X_OK):
        print(f"harness: {btfcheck} is not built", file=sys.stderr)
        return 2
    out = Path(args.out)
    objdir = out / "objects"
    work = out / "work"
    for d in (objdir, work):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)

    import producers
    avail = producers.available()
    loader, loader_why = build_kernel_loader(work)
    uname = os.uname()
    results = {"btfcheck": os.path.relpath(btfcheck, REPO) if btfcheck.startswith(str(REPO)) else btfcheck,
               "producers": avail, "inputs": [], "compare_bpftool": None,
               "kernel": f"{uname.sysname} {uname.release}"}
    try:
        results["git"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip() or None
    except OSError:
        results["git"] = None

    for case in corpus_cases():
        for prod in case.get("producers", []):
            rec = {"input": os.path.relpath(case["path"], REPO), "name": case["name"],
                   "producer": prod, "kind": "corpus"}
            results["inputs"].append(rec)
            if prod not in avail:
                rec["skipped"] = producers.missing_reason(prod) or f"{prod} not available"
                continue
            try:
                obj = producers.compile(case["path"], prod, objdir)
            except Exception as e:  # CompileError, FileNotFoundError, timeouts
                lines = str(e).strip().splitlines()
                first = next((l for l in lines if "error" in l), lines[-1] if lines else type(e).__name__)
                rec["error"] = f"compile failed: {first.strip()[:300]}"
                continue
            rec["object"] = os.path.relpath(obj, REPO)
            raw = extract_btf(obj, work / f"{case['name']}.{prod}.btf")
            rec["btf_bytes"] = raw.stat().st_size if raw else None
            rec["verify"] = verify(btfcheck, obj, [])
            rec["kernel"] = kernel_verdict(loader, loader_why, raw)
            rec["kernel"]["agrees"] = agreement(rec["verify"], rec["kernel"])
            fx = verify(btfcheck, obj, ["--fixup=libbpf"])
            rec["verify_fixup"] = fx
            rec["types"] = rec["verify"].get("types", fx.get("types"))
            rec["dump"] = dump(btfcheck, obj, work, f"{case['name']}.{prod}")
            print(f"harness: {case['name']:<20} {prod:<8} verify exit {rec['verify']['exit']}"
                  f", fixup exit {fx['exit']}, kernel {rec['kernel']['verdict']}"
                  f", dump {rec['dump'].get('vs_bpftool')}", flush=True)

    kernel_inputs = [("sys_vmlinux", Path("/sys/kernel/btf/vmlinux")),
                     ("cloud_vmlinux", cloud_vmlinux())]
    present = []
    for name, path in kernel_inputs:
        rec = {"input": str(path), "name": name, "producer": "kernel", "kind": "kernel"}
        results["inputs"].append(rec)
        if not path.exists():
            rec["skipped"] = f"{path} absent"
            continue
        present.append(path)
        raw = extract_btf(path, work / f"{name}.btf")
        rec["btf_bytes"] = raw.stat().st_size if raw else None
        rec["verify"] = verify(btfcheck, path, [])
        rec["kernel"] = kernel_verdict(loader, loader_why, raw)
        rec["kernel"]["agrees"] = agreement(rec["verify"], rec["kernel"])
        rec["types"] = rec["verify"].get("types")
        rec["dump"] = dump(btfcheck, path, work, name)
        print(f"harness: {name:<20} kernel   verify exit {rec['verify']['exit']}"
              f", kernel {rec['kernel']['verdict']}, dump {rec['dump'].get('vs_bpftool')}",
              flush=True)

    if present:
        prefix = out / "compare_bpftool"
        r = subprocess.run([str(REPO / "bench" / "compare_bpftool.sh"), "-n", str(args.runs),
                            "-o", str(prefix), *map(str, present)],
                           env={**os.environ, "BTFCHECK": btfcheck}, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True)
        sys.stdout.write(r.stdout)
        if r.returncode == 0 and Path(f"{prefix}.json").exists():
            results["compare_bpftool"] = json.loads(Path(f"{prefix}.json").read_text())
        else:
            results["compare_bpftool"] = {"error": (r.stderr.strip() or f"exit {r.returncode}")[-300:]}

    shutil.rmtree(work, ignore_errors=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"harness: raw results in {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
