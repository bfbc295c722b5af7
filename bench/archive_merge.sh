#!/usr/bin/env bash
# bench/archive_merge.sh: `encode archive`, libbpf's merge vs the canonical merge, side by
# side in one run on the tiny kernel's archives (corpora/fetch-tiny-kernel).
#
#   bench/archive_merge.sh [-r REPEATS] [TINY_DIR]
#
# TINY_DIR defaults to the newest ~/.cache/btfcheck/tiny/<version>. For the pahole-obj
# archive (pahole -J per object) it times `encode archive` (libbpf: btf__add_btf per
# member, btf__dedup) and `encode archive --dedup=canonical` REPEATS times (default 5),
# interleaved, under /usr/bin/time -v; for the gcc-btf archive (gcc -gbtf per object) the
# canonical merge with the rules the issue names, and libbpf's once (it takes 30-60 s).
# Prints the best wall time and its peak RSS per run kind and the ratios (canonical /
# libbpf), and checks that both pahole-obj merges are canonically equal (`btfcheck diff`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
btfcheck=${BTFCHECK:-$root/build/bin/btfcheck}
tiny=$(ls -d "${BTFCHECK_CACHE:-$HOME/.cache/btfcheck}"/tiny/[0-9]* 2>/dev/null | sort | tail -1)
repeats=5
while [ $# -gt 0 ]; do
  case "$1" in
    -r) repeats=$2; shift 2 ;;
    *) tiny=$1; shift ;;
  esac
done
[ -f "$tiny/pahole-obj/vmlinux.o" ] || { echo "archive_merge: no tiny kernel archives under '$tiny' (corpora/fetch-tiny-kernel)" >&2; exit 2; }
[ -x "$btfcheck" ] || { echo "archive_merge: $btfcheck not built" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

rules=param-names,type-tag-order,fwd-kind
obj=$tiny/pahole-obj/vmlinux.o
echo "pahole-obj: $obj ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq "$repeats"); do
  bench_run "libbpf" "$btfcheck" encode archive "$obj" -o "$tmp/lib.btf"
  bench_run "canonical" "$btfcheck" encode archive --dedup=canonical "$obj" -o "$tmp/can.btf"
done
"$btfcheck" diff "$tmp/lib.btf" "$tmp/can.btf" >/dev/null && echo "pahole-obj: canonical merge == libbpf merge (btfcheck diff: no differences)" \
  || echo "pahole-obj: canonical merge DIFFERS from libbpf's"
if [ -f "$tiny/gcc-btf/vmlinux.o" ]; then
  obj=$tiny/gcc-btf/vmlinux.o
  echo "gcc-btf: $obj"
  for i in $(seq "$repeats"); do
    bench_run "canonical gcc-btf" "$btfcheck" encode archive --dedup=canonical --rules=$rules "$obj" -o "$tmp/gcan.btf"
  done
  bench_run "libbpf gcc-btf" "$btfcheck" encode archive "$obj" -o "$tmp/glib.btf"
fi
echo
printf '%-18s %10s %12s\n' merge "wall (s)" "peak RSS (KB)"
for n in "libbpf" "canonical" "libbpf gcc-btf" "canonical gcc-btf"; do
  [ -n "${best_wall[$n]:-}" ] && printf '%-18s %10.2f %12d\n' "$n" "${best_wall[$n]}" "${best_rss[$n]}"
done
awk -v c="${best_wall[canonical]}" -v l="${best_wall[libbpf]}" -v cr="${best_rss[canonical]}" -v lr="${best_rss[libbpf]}" \
  'BEGIN { printf "\npahole-obj canonical / libbpf: wall %.2f (target <= 0.50), RSS %.2f\n", c/l, cr/lr }'
if [ -n "${best_wall[libbpf gcc-btf]:-}" ]; then
  awk -v c="${best_wall[canonical gcc-btf]}" -v l="${best_wall[libbpf gcc-btf]}" \
    'BEGIN { printf "gcc-btf canonical / libbpf: wall %.3f (targets: <= 10 s, <= 1 GB)\n", c/l }'
fi
