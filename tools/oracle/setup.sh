#!/usr/bin/env bash
# Usage: tools/oracle/setup.sh [DIR]
#
# Installs heapscope's DevTools oracle into a writable cache folder (default:
# ${HEAPSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope}/oracle), runs `npm ci` with
# the committed package-lock.json (ignore-scripts, see .npmrc) and builds
# dist/devtools-heap.mjs. Prints the folder; then:
#     node "$dir/oracle.js" SNAP.heapsnapshot[.gz] --nodes OUT.ndjson.gz > OUT.json
# Re-running is cheap: npm ci only runs when package-lock.json changed, the bundle is
# only rebuilt when the lock, build.mjs or src/ changed.
# Adapted from the team's reference oracle (shared/oracle/setup.sh).
# Set HEAPSCOPE_NODE to a node binary to install/build with it (default: node on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${HEAPSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope}"
dest="${1:-$cache/oracle}"
mkdir -p "$dest"

if [ -n "${HEAPSCOPE_NODE:-}" ]; then
  PATH="$(dirname "$HEAPSCOPE_NODE"):$PATH"
  export PATH
fi

# Copy the project's oracle files (never node_modules/dist that may exist in the tree).
files=(.npmrc package.json package-lock.json build.mjs oracle.js leak-report.js inspect.js verify-nodes.js
       lib/devtools.js src/devtools-entry.ts src/stubs/i18n.js src/stubs/heap_snapshot_model.js
       src/stubs/text_utils.js)
for f in "${files[@]}"; do
  mkdir -p "$dest/$(dirname "$f")"
  if ! cmp -s "$here/$f" "$dest/$f"; then
    cp "$here/$f" "$dest/$f"
    chmod u+w "$dest/$f"
  fi
done

lock_sum="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
build_sum="$(cat "$here/package-lock.json" "$here/build.mjs" "$here/src/devtools-entry.ts" "$here"/src/stubs/*.js \
  | sha256sum | cut -d' ' -f1)"

cd "$dest"
if [ ! -d node_modules/chrome-devtools-frontend ] || [ "$(cat .installed 2>/dev/null)" != "$lock_sum" ]; then
  rm -f .installed .built
  npm ci --no-audit --no-fund --ignore-scripts >&2
  echo "$lock_sum" > .installed
fi
if [ ! -f dist/devtools-heap.mjs ] || [ "$(cat .built 2>/dev/null)" != "$build_sum" ]; then
  rm -f .built
  npm run --silent build >&2
  echo "$build_sum" > .built
fi
echo "$dest"
