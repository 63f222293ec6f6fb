#!/usr/bin/env bash
# Usage: testdata/gen/generate.sh [SERIES[__node-VERSION] ...]
#
# Regenerates heapscope's test corpus snapshots in testdata/corpus/ from real Node.js runtimes.
# Every line of corpus.spec is one process run: the pinned Node.js binary (fetched from the npm
# registry by tools/fetchnode/fetch-node.sh, cached) runs scenarios/_harness.cjs, which executes
# the scenario's step() in batches and writes a heap snapshot after each batch (after draining
# immediates and forcing GC). The snapshots are stored as
#     testdata/corpus/SERIES__node-VERSION__STEP.heapsnapshot.gz      (gzip -9 -n)
# With arguments, only the runs whose "SERIES" or "SERIES__node-VERSION" is named are redone.
# Afterwards run testdata/gen/golden.sh to recompute the oracle files and MANIFEST.json.
# Heap object ids, addresses and some sizes differ from run to run: regenerated snapshots are
# never byte-identical to the committed ones, so regenerate the goldens together with them.
# Adapted from the team's reference oracle corpus scripts (shared/corpus/gen/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/testdata/corpus"
fetch="$root/tools/fetchnode/fetch-node.sh"
mkdir -p "$out"

want() {  # want SERIES VERSION -> true if selected by the command line
  [ "${#selected[@]}" -eq 0 ] && return 0
  local s
  for s in "${selected[@]}"; do
    if [ "$s" = "$1" ] || [ "$s" = "$1__node-$2" ]; then return 0; fi
  done
  return 1
}
selected=("$@")

work="$(mktemp -d "${TMPDIR:-/tmp}/heapscope-gen.XXXXXX")"
trap 'rm -rf "$work"' EXIT

ran=0
while read -r series kind version scenario leak watch flags batches; do
  case "$series" in ''|'#'*) continue ;; esac
  want "$series" "$version" || continue
  node="$("$fetch" "$version")"
  [ "$flags" = "-" ] && flags=""
  prefix="$work/${series}__node-${version}"
  echo "== $series on node $version ($scenario; flags: ${flags:-none}; batches: $batches)" >&2
  # A clean environment: no NODE_OPTIONS or other variables from the caller end up in the heap.
  # shellcheck disable=SC2086
  env -i PATH=/usr/bin:/bin HOME="$work" LANG=C TZ=UTC \
    "$node" --expose-gc $flags "$here/scenarios/_harness.cjs" "$scenario" "$prefix" $batches >&2
  step=0
  for b in $batches; do
    step=$((step + b))
    src="$prefix-$step.heapsnapshot"
    id="${series}__node-${version}__${step}"
    if [ ! -s "$src" ]; then
      echo "generate: $src was not written" >&2
      exit 1
    fi
    gzip -9 -n -c "$src" > "$out/$id.heapsnapshot.gz.tmp"
    mv "$out/$id.heapsnapshot.gz.tmp" "$out/$id.heapsnapshot.gz"
    printf '   %-45s raw %9d  gz %8d\n' "$id" "$(stat -c %s "$src")" "$(stat -c %s "$out/$id.heapsnapshot.gz")" >&2
    rm -f "$src"
  done
  ran=$((ran + 1))
done < "$here/corpus.spec"

# The demo (package demo, `heapscope demo`) embeds a copy of the leaking createServer series.
for f in "$out"/seed-leak-series__node-20.3.1__*.heapsnapshot.gz; do
  cp "$f" "$here/../../demo/data/"
done

if [ "$ran" -eq 0 ]; then
  echo "generate: nothing selected (see $here/corpus.spec)" >&2
  exit 2
fi
echo "generated $ran run(s); total testdata/corpus: $(du -sh "$out" | cut -f1)" >&2
