#!/usr/bin/env bash
# bench/encode_vs_pahole.sh: DWARF->BTF encoding, btfcheck vs pahole, side by side in one run.
#
#   bench/encode_vs_pahole.sh [VMLINUX] [-r REPEATS] [--master PAHOLE_MASTER]
#
# For each of pahole -j2, btfcheck -j2, pahole serial and btfcheck -j1 it runs REPEATS
# (default 3) times under /usr/bin/time -v, interleaved, and prints the best wall time, the
# lowest CPU time (user + system) and the peak RSS of the best run, then the ratios the issue
# asks for (btfcheck -j2 / pahole -j2: wall <= 0.5, RSS <= 1.0) and the CPU ratio. Flags are
# the Linux 6.1 ones (--btf_gen_floats --lang_exclude=rust). Env: BTFCHECK (binary), PAHOLE
# (binary), BTFCHECK_VMLINUX.
# When btfcheck_dwarf_walk is built beside btfcheck (or BTFCHECK_DWARF_WALK names it), it also
# times the bare libdw walk of every DIE at -j2: the floor both encoders stand on.
# --master P: pahole master (corpora/fetch-pahole-master) instead, both sides with pahole
# master's default features: `pahole -j2 --btf_features=default` against `btfcheck encode
# dwarf -j2 --compat=pahole-master` (target: wall <= 0.35, RSS <= 1.0), and serial.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
btfcheck=${BTFCHECK:-$root/build/bin/btfcheck}
walk=${BTFCHECK_DWARF_WALK:-$(dirname "$btfcheck")/btfcheck_dwarf_walk}
pahole=${PAHOLE:-pahole}
vmlinux=${BTFCHECK_VMLINUX:-$(ls "${HOME}"/.cache/btfcheck/usr/lib/debug/boot/vmlinux-*-cloud-amd64 2>/dev/null | head -1)}
repeats=3
master=""
while [ $# -gt 0 ]; do
  case "$1" in
    -r) repeats=$2; shift 2 ;;
    --master) master=$2; pahole=$2; shift 2 ;;
    *) vmlinux=$1; shift ;;
  esac
done
[ -f "$vmlinux" ] || { echo "encode_vs_pahole: no vmlinux (give a path or set BTFCHECK_VMLINUX)" >&2; exit 2; }
[ -x "$btfcheck" ] || { echo "encode_vs_pahole: $btfcheck not built" >&2; exit 2; }
command -v "$pahole" >/dev/null || { echo "encode_vs_pahole: pahole not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
flags=(--btf_gen_floats --lang_exclude=rust)
ours=(--lang-exclude=rust)
target=0.50
if [ -n "$master" ]; then
  flags=(--btf_features=default --lang_exclude=rust)
  ours=(--compat=pahole-master --lang-exclude=rust)
  target=0.35
fi
echo "input: $vmlinux ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)); pahole: $("$pahole" --version) ${flags[*]}"
for i in $(seq "$repeats"); do
  bench_run "pahole -j2" "$pahole" -j2 "${flags[@]}" --btf_encode_detached="$tmp/p2.btf" "$vmlinux"
  bench_run "btfcheck -j2" "$btfcheck" encode dwarf "$vmlinux" -o "$tmp/b2.btf" -j2 "${ours[@]}"
  bench_run "pahole serial" "$pahole" "${flags[@]}" --btf_encode_detached="$tmp/p1.btf" "$vmlinux"
  bench_run "btfcheck -j1" "$btfcheck" encode dwarf "$vmlinux" -o "$tmp/b1.btf" -j1 "${ours[@]}"
  [ ! -x "$walk" ] || bench_run "libdw walk -j2" "$walk" "$vmlinux" -j 2
done
echo
printf '%-16s %10s %9s %14s\n' tool "wall (s)" "CPU (s)" "peak RSS (KB)"
names=("pahole -j2" "btfcheck -j2" "pahole serial" "btfcheck -j1")
[ ! -x "$walk" ] || names+=("libdw walk -j2")
for n in "${names[@]}"; do
  printf '%-16s %10.2f %9.2f %14d\n' "$n" "${best_wall[$n]}" "${best_cpu[$n]}" "${best_rss[$n]}"
done
awk -v t="$target" -v bw="${best_wall[btfcheck -j2]}" -v pw="${best_wall[pahole -j2]}" \
    -v br="${best_rss[btfcheck -j2]}" -v pr="${best_rss[pahole -j2]}" \
    -v b1="${best_wall[btfcheck -j1]}" -v p1="${best_wall[pahole serial]}" \
    -v bc="${best_cpu[btfcheck -j2]}" -v pc="${best_cpu[pahole -j2]}" 'BEGIN {
  printf "\nratio btfcheck -j2 / pahole -j2: wall %.2f (target <= %.2f), RSS %.2f (target <= 1.00)\n", bw/pw, t, br/pr
  printf "ratio btfcheck -j1 / pahole serial: wall %.2f\n", b1/p1
  printf "ratio btfcheck -j2 / pahole -j2: CPU %.2f\n", bc/pc
}'
if [ -x "$walk" ]; then
  awk -v bw="${best_wall[btfcheck -j2]}" -v pw="${best_wall[pahole -j2]}" -v ww="${best_wall[libdw walk -j2]}" 'BEGIN {
    printf "floor: the bare libdw walk -j2 takes %.2f s (%.2f of pahole -j2); btfcheck -j2 spends %.2f s above it, pahole -j2 %.2f s\n", ww, ww/pw, bw-ww, pw-ww
  }'
fi
cmp -s "$tmp/b1.btf" "$tmp/b2.btf" && echo "btfcheck -j1 and -j2 outputs: identical bytes" || echo "btfcheck -j1 and -j2 outputs DIFFER"
