#!/usr/bin/env bash
# Usage: testdata/gen/golden.sh [ID ...]
#
# Recomputes heapscope's golden numbers for testdata/corpus/ with the project's own Chrome
# DevTools oracle (tools/oracle, chrome-devtools-frontend pinned, installed into the cache by
# tools/oracle/setup.sh), run on the pinned Node.js 20.20.2 (tools/fetchnode/fetch-node.sh):
#   ID.oracle.json.gz          node oracle.js ID.heapsnapshot.gz --no-timing   (totals, Summary classes)
#   ID.nodes.ndjson.gz         ... --nodes (per node: id, type, distance, dominator, sizes, class)
#   SERIES.leak-report.json.gz node leak-report.js --class C... SNAP1 SNAP2 [SNAP3] (Comparison view etc.)
#                              for every series of corpus.spec, SERIES = NAME__node-VERSION or
#                              NAME__chromium-MAJOR
#   MANIFEST.json              manifest.cjs (ids, runtimes, scenarios, steps, series, expected leaks)
# Each oracle output is re-checked with verify-nodes.js (aggregates re-derived from the node file).
# With IDs (snapshot ids), only those snapshots' oracle files are redone; leak reports and the
# manifest are always rewritten.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$root/testdata/corpus"
ORACLE_NODE_VERSION=20.20.2

node="$("$root/tools/fetchnode/fetch-node.sh" "$ORACLE_NODE_VERSION")"
oracle="$(HEAPSCOPE_NODE="$node" "$root/tools/oracle/setup.sh")"

cd "$corpus"
if [ $# -gt 0 ]; then
  ids=("$@")
else
  ids=()
  for f in *.heapsnapshot.gz; do ids+=("${f%.heapsnapshot.gz}"); done
fi
[ "${#ids[@]}" -gt 0 ] || { echo "golden: no snapshots in $corpus (run generate.sh)" >&2; exit 1; }

for id in "${ids[@]}"; do
  [ -f "$id.heapsnapshot.gz" ] || { echo "golden: $id.heapsnapshot.gz missing" >&2; exit 1; }
  echo "== oracle $id" >&2
  "$node" "$oracle/oracle.js" "$id.heapsnapshot.gz" --no-timing --nodes "$id.nodes.ndjson.gz.tmp.gz" > "$id.oracle.json.tmp"
  gzip -9 -n -c "$id.oracle.json.tmp" > "$id.oracle.json.gz"
  rm -f "$id.oracle.json.tmp"
  mv "$id.nodes.ndjson.gz.tmp.gz" "$id.nodes.ndjson.gz"
  "$node" "$oracle/verify-nodes.js" "$id.oracle.json.gz" "$id.nodes.ndjson.gz" >&2
done

# Leak reports: one per series of corpus.spec (runtime column: Node.js version or chromium-MAJOR).
while read -r series kind version scenario leak watch flags batches; do
  case "$series" in ''|'#'*) continue ;; esac
  [ "$kind" = series ] || continue
  case "$version" in chromium-*) sid="${series}__${version}" ;; *) sid="${series}__node-${version}" ;; esac
  snaps=()
  step=0
  for b in $batches; do step=$((step + b)); snaps+=("${sid}__${step}.heapsnapshot.gz"); done
  classes=()
  if [ "$watch" != "-" ]; then
    IFS=, read -r -a wl <<< "$watch"
    for c in "${wl[@]}"; do classes+=(--class "${c//%20/ }"); done
  fi
  echo "== leak-report $sid" >&2
  "$node" "$oracle/leak-report.js" "${classes[@]}" "${snaps[@]}" < /dev/null > "$sid.leak-report.json.tmp"
  gzip -9 -n -c "$sid.leak-report.json.tmp" > "$sid.leak-report.json.gz"
  rm -f "$sid.leak-report.json.tmp"
done < "$here/corpus.spec"

"$node" "$here/manifest.cjs" "$corpus" "$here/corpus.spec" > MANIFEST.json.tmp
mv MANIFEST.json.tmp MANIFEST.json
echo "golden: done; testdata/corpus is $(du -sh "$corpus" | cut -f1)" >&2
