#!/usr/bin/env bash
# Usage: testdata/gen/generate.sh [SERIES[__RUNTIME] ...]
#
# Regenerates heapscope's test corpus snapshots in testdata/corpus/ from real runtimes.
# Every line of corpus.spec is one process run:
#   * Node.js (runtime column = a version): the pinned Node.js binary (fetched from the npm
#     registry by tools/fetchnode/fetch-node.sh, cached) runs scenarios/_harness.cjs, which
#     executes the scenario's step() in batches and writes a heap snapshot after each batch (after
#     draining immediates and forcing GC).
#   * Chromium (runtime column = chromium-MAJOR): headless Chromium (`chromium` on PATH, or
#     $HEAPSCOPE_CHROMIUM; Debian package `chromium`) loads chromium/SCENARIO.html and
#     chromium/cdp-snapshot.mjs, run on the pinned Node.js 22 (global WebSocket), takes the heap
#     snapshots over the Chrome DevTools Protocol. When no Chromium is installed, or its major
#     version is not MAJOR, the run is SKIPPED (said on stderr) and the files already in
#     testdata/corpus are kept.
# The snapshots are stored as
#     testdata/corpus/SERIES__RUNTIME__STEP.heapsnapshot.gz      (gzip -9 -n)
# with RUNTIME = node-VERSION or chromium-MAJOR; Chromium runs also write
#     testdata/corpus/SERIES__chromium-MAJOR.browser-version.json  (CDP Browser.getVersion)
# With arguments, only the runs whose "SERIES" or "SERIES__RUNTIME" is named are redone.
# Afterwards run testdata/gen/golden.sh (and diff-golden.sh) to recompute the oracle files and
# MANIFEST.json.
# Heap object ids, addresses and some sizes differ from run to run: regenerated snapshots are
# never byte-identical to the committed ones, so regenerate the goldens together with them.
# Adapted from the team's reference oracle corpus scripts (shared/corpus/gen/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/testdata/corpus"
fetch="$root/tools/fetchnode/fetch-node.sh"
CDP_NODE_VERSION=22.23.3   # runs chromium/cdp-snapshot.mjs (needs Node >= 22: global WebSocket)
mkdir -p "$out"

runtime_id() {  # runtime_id RUNTIME -> node-VERSION or chromium-MAJOR
  case "$1" in chromium-*) echo "$1" ;; *) echo "node-$1" ;; esac
}
want() {  # want SERIES RUNTIME -> true if selected by the command line
  [ "${#selected[@]}" -eq 0 ] && return 0
  local s
  for s in "${selected[@]}"; do
    if [ "$s" = "$1" ] || [ "$s" = "$1__$(runtime_id "$2")" ]; then return 0; fi
  done
  return 1
}
selected=("$@")

work="$(mktemp -d "${TMPDIR:-/tmp}/heapscope-gen.XXXXXX")"
trap 'rm -rf "$work"' EXIT

store() {  # store SRC ID -> gzip SRC into testdata/corpus/ID.heapsnapshot.gz
  if [ ! -s "$1" ]; then
    echo "generate: $1 was not written" >&2
    exit 1
  fi
  gzip -9 -n -c "$1" > "$out/$2.heapsnapshot.gz.tmp"
  mv "$out/$2.heapsnapshot.gz.tmp" "$out/$2.heapsnapshot.gz"
  printf '   %-45s raw %9d  gz %8d\n' "$2" "$(stat -c %s "$1")" "$(stat -c %s "$out/$2.heapsnapshot.gz")" >&2
  rm -f "$1"
}

ran=0
skipped=()
demo=false
while read -r series kind version scenario leak watch flags batches; do
  case "$series" in ''|'#'*) continue ;; esac
  want "$series" "$version" || continue
  sid="${series}__$(runtime_id "$version")"
  [ "$flags" = "-" ] && flags=""
  flags="${flags//,/ }"
  prefix="$work/$sid"
  case "$version" in
  chromium-*)
    major="${version#chromium-}"
    chromium="${HEAPSCOPE_CHROMIUM:-$(command -v chromium || true)}"
    if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
      echo "== SKIPPED $sid: no Chromium found (install the Debian package: apt-get install chromium," >&2
      echo "   or set HEAPSCOPE_CHROMIUM); the existing $sid files in testdata/corpus are kept" >&2
      skipped+=("$sid")
      continue
    fi
    have="$("$chromium" --version < /dev/null 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\)\..*/\1/p' | head -n 1)"
    if [ "$have" != "$major" ]; then
      echo "== SKIPPED $sid: $chromium is major version ${have:-unknown}, corpus.spec wants $major;" >&2
      echo "   the existing $sid files in testdata/corpus are kept" >&2
      skipped+=("$sid")
      continue
    fi
    node="$("$fetch" "$CDP_NODE_VERSION")"
    echo "== $sid on $("$chromium" --version < /dev/null 2>/dev/null | head -n 1) ($scenario.html; options: ${flags:-none}; batches: $batches)" >&2
    # A clean environment; TMPDIR=$work holds Chromium's fresh --user-data-dir.
    # shellcheck disable=SC2086
    env -i PATH=/usr/bin:/bin HOME="$work" TMPDIR="$work" LANG=C TZ=UTC \
      "$node" "$here/chromium/cdp-snapshot.mjs" --chromium "$chromium" --expect-major "$major" \
      --page "$here/chromium/$scenario.html" --out "$prefix" --steps "$(echo $batches | tr ' ' ',')" $flags < /dev/null >&2
    ;;
  *)
    node="$("$fetch" "$version")"
    echo "== $sid ($scenario; flags: ${flags:-none}; batches: $batches)" >&2
    # A clean environment: no NODE_OPTIONS or other variables from the caller end up in the heap.
    # shellcheck disable=SC2086
    env -i PATH=/usr/bin:/bin HOME="$work" LANG=C TZ=UTC \
      "$node" --expose-gc $flags "$here/scenarios/_harness.cjs" "$scenario" "$prefix" $batches < /dev/null >&2
    ;;
  esac
  step=0
  for b in $batches; do
    step=$((step + b))
    store "$prefix-$step.heapsnapshot" "${sid}__${step}"
  done
  if [ -f "$prefix.browser-version.json" ]; then
    mv "$prefix.browser-version.json" "$out/$sid.browser-version.json"
  fi
  [ "$sid" = seed-leak-series__node-20.3.1 ] && demo=true
  ran=$((ran + 1))
done < "$here/corpus.spec"

# The demo (package demo, `heapscope demo`) embeds a copy of the leaking createServer series.
if $demo; then
  for f in "$out"/seed-leak-series__node-20.3.1__*.heapsnapshot.gz; do
    cp "$f" "$here/../../demo/data/"
  done
fi

if [ "${#skipped[@]}" -gt 0 ]; then
  echo "generate: SKIPPED ${#skipped[@]} run(s), their files were left as they were: ${skipped[*]}" >&2
fi
if [ "$ran" -eq 0 ]; then
  if [ "${#skipped[@]}" -gt 0 ]; then
    echo "generate: nothing generated (all selected runs skipped)" >&2
    exit 3
  fi
  echo "generate: nothing selected (see $here/corpus.spec)" >&2
  exit 2
fi
echo "generated $ran run(s); total testdata/corpus: $(du -sh "$out" | cut -f1)" >&2
