#!/usr/bin/env bash
# bench/leaks.sh — time `heapscope leaks` on three ~250 MB snapshots of one process against one
# `heapscope summary` of the last of them (issue target: leaks within 3x of one summary).
#
#   bench/leaks.sh [-n RUNS]        # default 3 runs each, medians reported
#
# The series is written once by bench/gen-heap.js with HEAPSCOPE_SERIES=3 into
# $BENCH_DIR/series-250m.heapsnapshot, -1, -2 (each step leaks 2% more workspaces).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="${BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench}"
runs=3
[ "${1:-}" = "-n" ] && runs="$2"
mkdir -p "$BENCH_DIR"
s0="$BENCH_DIR/series-250m.heapsnapshot" s1="$BENCH_DIR/series-250m-1.heapsnapshot" s2="$BENCH_DIR/series-250m-2.heapsnapshot"
if [ ! -s "$s2" ]; then
  echo "leaks.sh: generating the series in $BENCH_DIR ..." >&2
  HEAPSCOPE_SERIES=3 node --expose-gc --max-old-space-size=16000 "$here/gen-heap.js" 240 "$s0" >&2
fi
bin="${HEAPSCOPE:-/tmp/heapscope-bench}"
[ -n "${HEAPSCOPE:-}" ] || (cd "$here/.." && go build -o "$bin" ./cmd/heapscope)
command -v /usr/bin/time >/dev/null || { apt-get install -y time >/dev/null; }
cat "$s0" "$s1" "$s2" > /dev/null # warm the page cache

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # label, command...
  local label=$1; shift
  local walls=() rss=()
  for _ in $(seq "$runs"); do
    out=$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)
    walls+=("${out% *}"); rss+=("${out#* }")
  done
  printf '%s\t%s\t%s\n' "$label" "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
}
echo "machine: $(nproc) cores, $(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $(stat -c '%n %s' "$s0" "$s1" "$s2" | tr '\n' ' ')"
{
  measure "summary (last snapshot)" "$bin" summary --json "$s2"
  measure "leaks (3 snapshots)" "$bin" leaks --json "$s0" "$s1" "$s2"
} | awk -F'\t' 'BEGIN {print "| command | median wall s | median peak RSS MiB |"; print "|---|---:|---:|"}
  {printf "| %s | %s | %d |\n", $1, $2, $3/1024; w[NR]=$2}
  END {printf "\nleaks / summary wall ratio: %.2f (target ≤ 3)\n", w[2]/w[1]}'
