#!/usr/bin/env bash
# Prints the first finding of `heapscope leaks` for the leaking program of each pattern given (all by
# default), as docs/patterns.md shows them. Needs node (NODE=… to choose one) and the npm packages
# (npm ci here). Usage: testdata/patterns/examples.sh [PATTERN...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node="${NODE:-node}"
hs="$(mktemp -d)/heapscope"
(cd "$here/../.." && go build -o "$hs" ./cmd/heapscope)
patterns=("$@")
if [ ${#patterns[@]} -eq 0 ]; then
  for d in "$here"/*/; do [ -f "$d/leak.js" ] && patterns+=("$(basename "$d")"); done
fi
for p in "${patterns[@]}"; do
  out="$(mktemp -d)"
  (cd "$here" && "$node" --expose-gc harness.cjs "$p/leak.js" "$out/leak" 0 200 200 >/dev/null)
  echo "<!-- example: $p -->"
  # From the pattern's directory, so that locations read as the user sees them.
  (cd "$here/$p" && "$hs" leaks "$out/leak-0.heapsnapshot" "$out/leak-200.heapsnapshot" "$out/leak-400.heapsnapshot" |
    sed -n '/^#1 /,/^$/p' | sed '/^$/d')
  rm -rf "$out"
done
