#!/usr/bin/env bash
# Usage: testdata/gen/diff-golden.sh
#
# Writes DevTools' full Comparison view for pairs of corpus snapshots, computed by the project's
# DevTools oracle (tools/oracle/diff.js, chrome-devtools-frontend pinned, run on the pinned
# Node.js 20.20.2 like golden.sh):
#   BASEID--TARGETSTEP.diff.json.gz   node diff.js BASE TARGET
# e.g. seed-leak-series__node-20.3.1__1000--2000.diff.json.gz compares step 2000 against step
# 1000 of that series. For every series of corpus.spec (Node.js and Chromium ones alike, read from
# the spec, so new series are covered automatically): each snapshot against the previous one, and
# the last against the first when there are more than two; and one pair from two different
# processes (different Node.js versions, so many classes exist on one side only):
#   seed-leak-series__node-20.3.1__2000--seed-leak-series__node-20.20.2__0.diff.json.gz
# The leak reports (golden.sh) only keep the top rows of each Comparison; these files keep every
# row, plus both Summaries as the Comparison classifies them (the base with the target's
# interface definitions). Deterministic: rows sorted by key.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$root/testdata/corpus"
ORACLE_NODE_VERSION=20.20.2

node="$("$root/tools/fetchnode/fetch-node.sh" "$ORACLE_NODE_VERSION")"
oracle="$(HEAPSCOPE_NODE="$node" "$root/tools/oracle/setup.sh")"

cd "$corpus"
compare() { # BASEID TARGETID OUT
  echo "== diff $3" >&2
  HEAPSCOPE_ORACLE_DIR="$oracle" "$node" "$root/tools/oracle/diff.js" \
    "$1.heapsnapshot.gz" "$2.heapsnapshot.gz" < /dev/null > "$3.tmp"
  gzip -9 -n -c "$3.tmp" > "$3.gz"
  rm -f "$3.tmp"
}
pair() { # SID BASESTEP TARGETSTEP
  compare "${1}__${2}" "${1}__${3}" "${1}__${2}--${3}.diff.json"
}

while read -r series kind version scenario leak watch flags batches; do
  case "$series" in ''|'#'*) continue ;; esac
  [ "$kind" = series ] || continue
  case "$version" in chromium-*) sid="${series}__${version}" ;; *) sid="${series}__node-${version}" ;; esac
  steps=()
  step=0
  for b in $batches; do step=$((step + b)); steps+=("$step"); done
  for ((i = 1; i < ${#steps[@]}; i++)); do
    pair "$sid" "${steps[i-1]}" "${steps[i]}"
  done
  if [ "${#steps[@]}" -gt 2 ]; then
    pair "$sid" "${steps[0]}" "${steps[-1]}"
  fi
done < "$here/corpus.spec"
compare seed-leak-series__node-20.3.1__2000 seed-leak-series__node-20.20.2__0 \
  seed-leak-series__node-20.3.1__2000--seed-leak-series__node-20.20.2__0.diff.json
echo "diff-golden: done" >&2
