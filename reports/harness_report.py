#!/usr/bin/env python3
"""Renders the harness's raw results (ci/harness_run.py's results.json) as a short report:
OUT/summary.md for people and OUT/summary.json for tools.

summary.json: {"btfcheck", "git", "producers": {name: version}, "totals": {...},
  "inputs": [{"input", "name", "producer", "types", "btf_bytes",
              "verify": {"exit", "valid", "violations", "by_rule", "ms"} | null,
              "verify_fixup": {...} | null, "dump": {"exit", "ms", "vs_bpftool"} | null,
              "kernel": {"verdict": accepted|rejected|unavailable, "message", "agrees"} | null,
              "status", "note"}],
  "compare_bpftool": <bench/compare_bpftool.sh JSON> | null}
Rows are sorted by (kind, name, producer), so the same results always give the same bytes.
`status` is one of: valid, violations, valid-after-fixup, error, skipped.
usage: harness_report.py RESULTS.json [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KIND_ORDER = {"corpus": 0, "kernel": 1}


def status(rec: dict) -> str:
    if rec.get("skipped"):
        return "skipped"
    v = rec.get("verify")
    if rec.get("error") or not v or v.get("exit") not in (0, 1) or "valid" not in v:
        return "error"
    if v["exit"] == 0 and v.get("valid", True):
        return "valid"
    fx = rec.get("verify_fixup") or {}
    if fx.get("exit") == 0:
        return "valid-after-fixup"
    return "violations"


def note(rec: dict) -> str:
    if rec.get("skipped"):
        return rec["skipped"]
    for key in ("error",):
        if rec.get(key):
            return rec[key]
    for part in ("verify", "verify_fixup", "dump"):
        p = rec.get(part) or {}
        if p.get("error"):
            return f"{part}: {p['error']}"
    return ""


def slim(part: dict | None, keys: tuple[str, ...]) -> dict | None:
    if not part:
        return None
    return {k: part[k] for k in keys if k in part}


def summarize(raw: dict) -> dict:
    rows = []
    for rec in raw.get("inputs", []):
        rows.append({
            "input": rec.get("input"), "name": rec.get("name"), "producer": rec.get("producer"),
            "kind": rec.get("kind", "corpus"), "types": rec.get("types"),
            "btf_bytes": rec.get("btf_bytes"),
            "verify": slim(rec.get("verify"), ("exit", "valid", "violations", "by_rule", "ms", "rss_kb")),
            "verify_fixup": slim(rec.get("verify_fixup"), ("exit", "valid", "violations", "by_rule", "ms")),
            "dump": slim(rec.get("dump"), ("exit", "ms", "rss_kb", "bytes_out", "vs_bpftool", "bpftool_ms")),
            "kernel": slim(rec.get("kernel"), ("verdict", "message", "agrees")),
            "status": status(rec), "note": note(rec),
        })
    rows.sort(key=lambda r: (KIND_ORDER.get(r["kind"], 9), r["name"] or "", r["producer"] or ""))
    totals: dict = {"inputs": len(rows)}
    for r in rows:
        totals[r["status"]] = totals.get(r["status"], 0) + 1
    by_rule: dict[str, int] = {}
    for r in rows:
        for rule, n in ((r["verify"] or {}).get("by_rule") or {}).items():
            by_rule[rule] = by_rule.get(rule, 0) + n
    totals["violations_by_rule"] = dict(sorted(by_rule.items()))
    dumps = [r["dump"]["vs_bpftool"] for r in rows if r["dump"] and "vs_bpftool" in r["dump"]]
    totals["dump_identical_to_bpftool"] = sum(d == "identical" for d in dumps)
    totals["dump_compared"] = len(dumps)
    verdicts = [r for r in rows if r["kernel"] and r["kernel"].get("agrees") is not None]
    totals["kernel_compared"] = len(verdicts)
    totals["kernel_agrees"] = sum(bool(r["kernel"]["agrees"]) for r in verdicts)
    totals["kernel_disagreements"] = [f"{r['name']} ({r['producer']})" for r in verdicts
                                      if not r["kernel"]["agrees"]]
    return {"btfcheck": raw.get("btfcheck"), "git": raw.get("git"), "kernel": raw.get("kernel"),
            "producers": raw.get("producers", {}), "totals": totals, "inputs": rows,
            "compare_bpftool": raw.get("compare_bpftool")}


def fmt_ms(x) -> str:
    return "-" if x is None else f"{x:.1f}"


def fmt_verify(v: dict | None) -> str:
    if not v:
        return "-"
    if v.get("exit") not in (0, 1) or "valid" not in v:
        return f"error (exit {v.get('exit')})"
    if v.get("valid") and v.get("exit") == 0:
        return "OK"
    rules = ", ".join(f"{k}×{n}" for k, n in (v.get("by_rule") or {}).items())
    return f"{v.get('violations', 0)}: {rules}" if rules else f"exit {v.get('exit')}"


def fmt_kernel(k: dict | None) -> str:
    if not k:
        return "-"
    text = k.get("verdict", "?")
    if text == "rejected" and k.get("message"):
        text += f" ({k['message']})"
    if k.get("agrees") is False:
        text += " **DISAGREES**"
    return text


def esc(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def markdown(s: dict) -> str:
    t = s["totals"]
    out = ["# btfcheck harness report", ""]
    prods = ", ".join(f"{p} {v}" for p, v in s["producers"].items()) or "none"
    out.append(f"btfcheck `{s['btfcheck']}` at git `{s.get('git') or '?'}`; producers: {prods}.")
    out.append("")
    counts = ", ".join(f"{k} {t[k]}" for k in ("valid", "valid-after-fixup", "violations", "error", "skipped") if t.get(k))
    out.append(f"**{t['inputs']} inputs**: {counts or 'none'}. "
               f"`btfcheck dump` identical to `bpftool btf dump file` on "
               f"{t['dump_identical_to_bpftool']} of {t['dump_compared']} inputs.")
    if t.get("kernel_compared"):
        line = (f"btfcheck verify's verdict agrees with the running kernel's ({s.get('kernel') or '?'}, "
                f"BPF_BTF_LOAD) on {t['kernel_agrees']} of {t['kernel_compared']} inputs")
        dis = t.get("kernel_disagreements") or []
        out.append(line + (": disagrees on " + ", ".join(dis) + "." if dis else "."))
    if t["violations_by_rule"]:
        out.append("")
        out.append("Violations by rule (before fixup): " +
                   ", ".join(f"`{k}` {n}" for k, n in t["violations_by_rule"].items()) + ".")
    out += ["", "## Inputs", "",
            "| input | producer | types | BTF bytes | verify | verify --fixup=libbpf | kernel | dump vs bpftool | verify ms | dump ms | note |",
            "|---|---|---:|---:|---|---|---|---|---:|---:|---|"]
    for r in s["inputs"]:
        d = r["dump"] or {}
        out.append("| " + " | ".join(esc(x) for x in (
            r["name"], r["producer"], "-" if r["types"] is None else r["types"],
            "-" if r["btf_bytes"] is None else r["btf_bytes"], fmt_verify(r["verify"]),
            fmt_verify(r["verify_fixup"]), fmt_kernel(r["kernel"]), d.get("vs_bpftool", "-"),
            fmt_ms((r["verify"] or {}).get("ms")), fmt_ms(d.get("ms")), r["note"])) + " |")
    cmp = s.get("compare_bpftool")
    out += ["", "## Whole-process timing against bpftool", ""]
    if not cmp:
        out.append("Not run: no kernel BTF input present.")
    elif "error" in cmp:
        out.append(f"compare_bpftool.sh failed: {esc(cmp['error'])}")
    else:
        out.append(f"Median of {cmp.get('runs')} runs (bench/compare_bpftool.sh); ratio = "
                   "btfcheck / `bpftool btf dump file`, below 1 is better.")
        out += ["", "| input | command | median ms | peak RSS MB | exit | time ratio | RSS ratio |",
                "|---|---|---:|---:|---:|---:|---:|"]
        for inp in cmp.get("inputs", []):
            for key, label in (("bpftool_dump", "bpftool btf dump file"),
                               ("btfcheck_verify", "btfcheck verify"), ("btfcheck_dump", "btfcheck dump")):
                m = inp.get(key) or {}
                ratio = lambda k: "-" if m.get(k) is None else f"{m[k]:.2f}"  # noqa: E731
                out.append(f"| {esc(inp.get('file'))} | {label} | {fmt_ms(m.get('median_ms'))} | "
                           f"{(m.get('peak_rss_kb') or 0) / 1024:.1f} | {m.get('exit', '-')} | "
                           f"{ratio('time_ratio')} | {ratio('rss_ratio')} |")
    out.append("")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description="render ci/harness results")
    ap.add_argument("results")
    ap.add_argument("--out", default=None, help="directory (default: the results' directory)")
    a = ap.parse_args()
    src = Path(a.results)
    try:
        raw = json.loads(src.read_text())
    except (OSError, json.JSONDecodeError) as e:
        print(f"harness_report: cannot read {src}: {e}", file=sys.stderr)
        return 2
    out = Path(a.out) if a.out else src.parent
    out.mkdir(parents=True, exist_ok=True)
    s = summarize(raw)
    for name, text in (("summary.json", json.dumps(s, indent=1, sort_keys=True) + "\n"),
                       ("summary.md", markdown(s))):
        tmp = out / (name + ".tmp")
        tmp.write_text(text)
        tmp.replace(out / name)   # never a partial report
    print(f"harness_report: wrote {out / 'summary.md'} and {out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
