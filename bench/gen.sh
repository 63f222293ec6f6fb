#!/usr/bin/env bash
# bench/gen.sh — generate the benchmark heap snapshots with real Node (bench/gen-heap.js).
#
#   BENCH_DIR=/some/dir bench/gen.sh          # default: ${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench
#   bench/gen.sh 250m                          # only some of the sizes (250m, 1g; also 50m, 2g on request)
#
# Writes $BENCH_DIR/snap-<size>.heapsnapshot (+ .json with the generator's stats), skipping files that
# already exist. Generation is slow and memory-hungry: v8.writeHeapSnapshot() writes ~6 MB/s and peaks
# at ~4.3x the file size in RSS (1 GB: ~3-4 min, ~4.5 GB RSS). Files are written to a temp name and
# renamed, so an interrupted run never leaves a truncated snapshot behind.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="${BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench}"
NODE="${NODE:-node}"
mkdir -p "$BENCH_DIR"

# size name -> target MiB
declare -A TARGET=([50m]=50 [250m]=250 [1g]=1024 [2g]=2048)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250m 1g)

command -v "$NODE" >/dev/null || { echo "gen.sh: node not found on PATH" >&2; exit 1; }
echo "gen.sh: BENCH_DIR=$BENCH_DIR, $("$NODE" --version)" >&2
for s in "${sizes[@]}"; do
  mb="${TARGET[$s]:-}"
  [ -n "$mb" ] || { echo "gen.sh: unknown size '$s' (known: ${!TARGET[*]})" >&2; exit 2; }
  out="$BENCH_DIR/snap-$s.heapsnapshot"
  if [ -s "$out" ]; then
    echo "gen.sh: $out exists ($(stat -c %s "$out") bytes), skipping" >&2
    continue
  fi
  tmp="$out.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  echo "gen.sh: generating $out (target $mb MiB) ..." >&2
  if [ -x /usr/bin/time ]; then T=(/usr/bin/time -f "gen.sh: $s: %e s wall, %U+%S s CPU, %M KB max RSS"); else T=(); fi
  "${T[@]}" "$NODE" --expose-gc --max-old-space-size=16000 "$here/gen-heap.js" "$mb" "$tmp" > "$BENCH_DIR/snap-$s.json"
  mv "$tmp" "$out"
  sed -i "s#$tmp#$out#" "$BENCH_DIR/snap-$s.json"
  trap - EXIT
  cat "$BENCH_DIR/snap-$s.json"
done
ls -l "$BENCH_DIR"/snap-*.heapsnapshot
