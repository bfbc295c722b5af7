#!/usr/bin/env bash
# bench/compare_bpftool.sh [-n RUNS] [-o OUT_PREFIX] FILE...
#
# Whole-process comparison of btfcheck with bpftool on the same inputs, in one run:
# for each FILE, RUNS times in turn (interleaved, so both see the same machine state):
#   bpftool btf dump file FILE >/dev/null
#   btfcheck verify FILE >/dev/null
#   btfcheck dump FILE >/dev/null
# each under /usr/bin/time (peak RSS) with a nanosecond wall clock around it. Prints, per
# file, the median wall time and peak RSS of each command and the btfcheck/bpftool ratios
# (below 1 means btfcheck is faster / smaller). With -o, also writes OUT_PREFIX.json and
# OUT_PREFIX.md. Defaults: RUNS=5 (env BTFCHECK_BENCH_RUNS), btfcheck from env BTFCHECK or
# build/bin/btfcheck. A btfcheck exit code of 1 (violations found) is recorded, not an error;
# a command that cannot run at all (exit >= 2, or bpftool failing) is reported in the table.
# Targets, reported and never a pass/fail: `dump` no slower than bpftool (ratio <= 1), `verify`
# about half of it. (This replaces the e2e suite's former assertion, dump <= 1.2x bpftool
# + 20 ms: a time limit in a test measures the machine's load as much as the code.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BTFCHECK_BENCH_RUNS:-5}
out=""
while getopts "n:o:h" opt; do
  case "$opt" in
    n) runs=$OPTARG ;;
    o) out=$OPTARG ;;
    h) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: bench/compare_bpftool.sh [-n RUNS] [-o OUT_PREFIX] FILE..." >&2; exit 2; }
case "$runs" in ''|*[!0-9]*|0) echo "compare_bpftool: RUNS must be a positive integer" >&2; exit 2 ;; esac
btfcheck=${BTFCHECK:-$root/build/bin/btfcheck}
bpftool=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
for exe in "$btfcheck" "$bpftool" /usr/bin/time; do
  [ -x "$exe" ] || { echo "compare_bpftool: $exe not found (build first: ci/build)" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$tmp/raw.tsv   # file  tool  run  wall_ns  rss_kb  exit

measure() {   # measure FILE TOOL CMD...
  local file=$1 tool=$2; shift 2
  local t0 t1 rc=0
  t0=$(date +%s%N)
  /usr/bin/time -f '%M %x' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || rc=$?
  t1=$(date +%s%N)
  read -r rss code <"$tmp/time" || { rss=0; code=$rc; }
  # /usr/bin/time writes "Command exited with non-zero status N" first on failure.
  if ! [[ "$rss" =~ ^[0-9]+$ ]]; then read -r rss code < <(tail -1 "$tmp/time"); fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$tool" "$((t1 - t0))" "$rss" "$code" >>"$raw"
}

for f in "$@"; do
  [ -r "$f" ] || { echo "compare_bpftool: cannot read $f" >&2; exit 2; }
  for ((i = 1; i <= runs; i++)); do
    measure "$f" bpftool "$bpftool" btf dump file "$f"
    measure "$f" verify "$btfcheck" verify "$f"
    measure "$f" dump "$btfcheck" dump "$f"
  done
done

# Medians and ratios; emits TSV rows: file bytes tool median_ms median_rss_kb exit
summary=$tmp/summary.tsv
for f in "$@"; do
  bytes=$(stat -L -c %s "$f" 2>/dev/null || echo 0)
  for tool in bpftool verify dump; do
    awk -F'\t' -v f="$f" -v t="$tool" '$1 == f && $2 == t {print $3 "\t" $4 "\t" $5}' "$raw" |
      sort -n -k1,1 | awk -F'\t' -v f="$f" -v t="$tool" -v b="$bytes" '
        { w[NR] = $1; r[NR] = $2; if ($3 != 0) code = $3 }
        END {
          n = NR; m = (n % 2) ? w[(n + 1) / 2] : (w[n / 2] + w[n / 2 + 1]) / 2
          # peak RSS: median too (the sort above is by wall time, so sort r separately)
          for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { x = r[i]; r[i] = r[j]; r[j] = x }
          rm = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
          printf "%s\t%s\t%s\t%.2f\t%d\t%d\n", f, b, t, m / 1e6, rm, code + 0
        }'
  done
done >"$summary"

awk -F'\t' -v runs="$runs" -v json="${out:+$out.json}" -v md="${out:+$out.md}" '
  function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
  { key = $1; ms[key, $3] = $4; rss[key, $3] = $5; code[key, $3] = $6; bytes[key] = $2
    if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
  END {
    hdr = sprintf("| input | bytes | command | median wall ms | peak RSS MB | exit | time ratio | RSS ratio |\n|---|---:|---|---:|---:|---:|---:|---:|")
    print "compare_bpftool: median of " runs " runs; ratio = btfcheck / bpftool btf dump (< 1: btfcheck better)"
    print hdr
    if (md != "") { print "Median of " runs " runs; ratio = btfcheck / `bpftool btf dump file` (< 1: btfcheck is faster / smaller).\n" > md; print hdr > md }
    if (json != "") printf "{\n  \"runs\": %d,\n  \"inputs\": [", runs > json
    for (i = 1; i <= n; i++) {
      k = order[i]
      bt = ms[k, "bpftool"]; br = rss[k, "bpftool"]
      for (j = 1; j <= 3; j++) {
        t = (j == 1) ? "bpftool" : (j == 2) ? "verify" : "dump"
        cmd = (t == "bpftool") ? "bpftool btf dump file" : "btfcheck " t
        ok = code[k, t] < 2 && code[k, "bpftool"] == 0 && bt > 0 && br > 0
        tr = (t != "bpftool" && ok) ? sprintf("%.2f", ms[k, t] / bt) : (t == "bpftool" ? "-" : "n/a (failed)")
        rr = (t != "bpftool" && ok) ? sprintf("%.2f", rss[k, t] / br) : (t == "bpftool" ? "-" : "n/a")
        line = sprintf("| %s | %d | %s | %.2f | %.1f | %d | %s | %s |", k, bytes[k], cmd, ms[k, t], rss[k, t] / 1024, code[k, t], tr, rr)
        print line
        if (md != "") print line > md
      }
      if (json != "") {
        printf "%s\n    {\"file\": %s, \"bytes\": %d", (i > 1 ? "," : ""), q(k), bytes[k] > json
        for (j = 1; j <= 3; j++) {
          t = (j == 1) ? "bpftool_dump" : (j == 2) ? "btfcheck_verify" : "btfcheck_dump"
          s = (j == 1) ? "bpftool" : (j == 2) ? "verify" : "dump"
          printf ", %s: {\"median_ms\": %.3f, \"peak_rss_kb\": %d, \"exit\": %d", q(t), ms[k, s], rss[k, s], code[k, s] > json
          ok = code[k, s] < 2 && code[k, "bpftool"] == 0 && bt > 0 && br > 0
          if (j > 1) printf ", \"time_ratio\": %s, \"rss_ratio\": %s", (ok ? sprintf("%.4f", ms[k, s] / bt) : "null"), (ok ? sprintf("%.4f", rss[k, s] / br) : "null") > json
          printf "}" > json
        }
        printf "}" > json
      }
    }
    if (json != "") printf "\n  ]\n}\n" > json
  }' "$summary"
if [ -n "$out" ]; then echo "compare_bpftool: wrote $out.json and $out.md"; fi
