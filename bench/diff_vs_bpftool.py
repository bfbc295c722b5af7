#!/usr/bin/python3
"""bench/diff_vs_bpftool.py [-n RUNS] [-o OUT_PREFIX] [--rules LIST] A B

Whole-process comparison, in one run, of `btfcheck diff A B` (read, canonicalize both,
diff) with what bpftool takes to print both files (`bpftool btf dump file A`, then B), the
peer named by the canon/diff issue. Runs are interleaved (bpftool pair, btfcheck, bpftool
pair, ...) so both see the same machine state. Each process runs under /usr/bin/time for its
peak RSS; wall time is taken around it. Prints the median wall time and peak RSS of each side
and the ratios btfcheck / bpftool (< 1: btfcheck is faster / smaller); with -o writes
OUT_PREFIX.json and OUT_PREFIX.md. `btfcheck diff` exiting 1 (differences) is normal; exit 2
or bpftool failing is reported as a failure (exit 2 here).

Env: BTFCHECK (default build/bin/btfcheck), BPFTOOL (default: bpftool on PATH or
/usr/sbin/bpftool).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def measure(cmd: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS KiB, exit code) of one process."""
    with tempfile.NamedTemporaryFile("r") as tf:
        t0 = time.perf_counter_ns()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        wall = (time.perf_counter_ns() - t0) / 1e9
        lines = [l for l in Path(tf.name).read_text().splitlines() if l.strip().isdigit()]
    return wall, int(lines[-1]) if lines else 0, p.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("-o", "--out", help="write OUT.json and OUT.md")
    ap.add_argument("--rules", default="", help="passed to btfcheck diff --rules")
    args = ap.parse_args()
    btfcheck = os.environ.get("BTFCHECK", str(REPO / "build/bin/btfcheck"))
    bpftool = os.environ.get("BPFTOOL") or shutil.which("bpftool") or "/usr/sbin/bpftool"
    for exe in (btfcheck, bpftool, "/usr/bin/time"):
        if not os.access(exe, os.X_OK):
            print(f"diff_vs_bpftool: {exe} not found", file=sys.stderr)
            return 2
    for f in (args.a, args.b):
        if not os.access(f, os.R_OK):
            print(f"diff_vs_bpftool: cannot read {f}", file=sys.stderr)
            return 2
    if args.runs < 1:
        print("diff_vs_bpftool: --runs must be >= 1", file=sys.stderr)
        return 2
    diff_cmd = [btfcheck, "diff", *(["--rules", args.rules] if args.rules else []), args.a, args.b]
    dumps, diffs, failed = [], [], []
    for _ in range(args.runs):
        wa, ra, ca = measure([bpftool, "btf", "dump", "file", args.a])
        wb, rb, cb = measure([bpftool, "btf", "dump", "file", args.b])
        if ca or cb:
            failed.append(f"bpftool exit {ca or cb}")
        dumps.append((wa + wb, max(ra, rb)))
        w, r, c = measure(diff_cmd)
        if c >= 2:
            failed.append(f"btfcheck diff exit {c}")
        diffs.append((w, r, c))
    med = lambda xs: statistics.median(xs)
    res = {
        "a": args.a, "b": args.b, "runs": args.runs, "rules": args.rules,
        "bpftool_dump_both": {"median_s": med([d[0] for d in dumps]),
                              "peak_rss_kb": int(med([d[1] for d in dumps]))},
        "btfcheck_diff": {"median_s": med([d[0] for d in diffs]),
                          "peak_rss_kb": int(med([d[1] for d in diffs])),
                          "exit": diffs[-1][2]},
        "failed": failed,
    }
    res["time_ratio"] = res["btfcheck_diff"]["median_s"] / res["bpftool_dump_both"]["median_s"]
    res["rss_ratio"] = res["btfcheck_diff"]["peak_rss_kb"] / max(1, res["bpftool_dump_both"]["peak_rss_kb"])
    md = (f"`btfcheck diff` vs `bpftool btf dump file` of both inputs, median of {args.runs} "
          f"interleaved runs (ratio < 1: btfcheck faster / smaller).\n\n"
          "| command | median wall s | peak RSS MB |\n|---|---:|---:|\n"
          f"| bpftool btf dump file A; ... B | {res['bpftool_dump_both']['median_s']:.3f} | "
          f"{res['bpftool_dump_both']['peak_rss_kb'] / 1024:.1f} |\n"
          f"| btfcheck diff A B | {res['btfcheck_diff']['median_s']:.3f} | "
          f"{res['btfcheck_diff']['peak_rss_kb'] / 1024:.1f} |\n"
          f"| ratio | {res['time_ratio']:.2f} | {res['rss_ratio']:.2f} |\n\n"
          f"A = `{args.a}`, B = `{args.b}`\n")
    print(md, end="")
    if failed:
        print("diff_vs_bpftool: failures: " + "; ".join(sorted(set(failed))), file=sys.stderr)
    if args.out:
        Path(args.out + ".json").write_text(json.dumps(res, indent=2) + "\n")
        Path(args.out + ".md").write_text(md)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
