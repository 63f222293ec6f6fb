#!/usr/bin/env bash
# Regenerates this pattern's snapshots: leak.html and fixed.html in headless Chromium, driven
# over the Chrome DevTools Protocol by testdata/gen/chromium/cdp-snapshot.mjs (run on Node.js
# 24.21.0 from tools/fetchnode/fetch-node.sh: it needs the global WebSocket).
# Each series: a baseline snapshot, then showAndDismiss(200) twice, a snapshot after each
# (leak-0, leak-200, leak-400; fixed-0, fixed-200, fixed-400), gzipped.
# Needs Chromium (Debian: apt-get install chromium; or set HEAPSCOPE_CHROMIUM).
# Usage: testdata/patterns/detached-dom/gen.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
chromium="${HEAPSCOPE_CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$chromium" ]; then
  echo "gen.sh: no chromium on PATH (apt-get install chromium, or set HEAPSCOPE_CHROMIUM)" >&2
  exit 1
fi
node="$(bash "$root/tools/fetchnode/fetch-node.sh" 24.21.0)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for series in leak fixed; do
  TMPDIR="$work" "$node" "$root/testdata/gen/chromium/cdp-snapshot.mjs" --chromium "$chromium" \
    --page "$here/$series.html" --out "$work/$series" --steps 0,200,200 \
    --expr 'showAndDismiss(%d)' < /dev/null
  for f in "$work/$series"-*.heapsnapshot; do
    gzip -n -9 < "$f" > "$here/$(basename "$f").gz"
  done
done
cp "$work/leak.browser-version.json" "$here/browser-version.json"
ls -l "$here"/*.heapsnapshot.gz
