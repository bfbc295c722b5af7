# bench/lib.sh: whole-process timing for the bench scripts (sourced, not run).
# Needs $tmp (a scratch directory). bench_run NAME COMMAND... runs COMMAND under
# /usr/bin/time -v, prints its wall time, CPU time (user + system) and peak RSS, and keeps
# the best (lowest wall) run per NAME in best_wall[NAME] / best_rss[NAME] (the peak RSS of
# that run), and the lowest CPU time of any run in best_cpu[NAME] (less noisy than wall time
# on a shared machine: it compares sessions, the wall-time ratio compares tools).
declare -A best_wall best_rss best_cpu
bench_run() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || { cat "$tmp/out" "$tmp/time" >&2; exit 1; }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tmp/time")
  printf '  run %-18s %7.2f s %7.2f s CPU %8d KB\n' "$name" "$wall" "$cpu" "$rss"
  if [ -z "${best_cpu[$name]:-}" ] || awk -v a="$cpu" -v b="${best_cpu[$name]}" 'BEGIN{exit !(a<b)}'; then
    best_cpu[$name]=$cpu
  fi
  if [ -z "${best_wall[$name]:-}" ] || awk -v a="$wall" -v b="${best_wall[$name]}" 'BEGIN{exit !(a<b)}'; then
    best_wall[$name]=$wall
    best_rss[$name]=$rss
  fi
}
