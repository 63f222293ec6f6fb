#!/usr/bin/env bash
# Builds heapscope's web UI (src/, Preact + htm, @tanstack/virtual-core, uPlot)
# into ../dist with esbuild. The output is committed: `go build` embeds it
# (web/server.go) and never needs npm. Rebuild and commit after changing src/:
#
#   web/ui/build.sh            # runs npm ci first if node_modules is missing
#
# The output is deterministic; CI rebuilds it and fails if it differs from
# the committed web/dist.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
out=../dist
rm -rf "$out"
mkdir -p "$out"
./node_modules/.bin/esbuild src/main.js --bundle --minify --format=esm --target=es2020 \
  --legal-comments=none --outfile="$out/app.js" --log-level=warning
cp src/index.html "$out/index.html"
# The bundled packages' licenses, which the minified bundle drops.
{
  echo "heapscope's web UI bundles these packages (MIT licensed):"
  for p in preact htm @tanstack/virtual-core uplot; do
    v=$(node -p "require('./node_modules/$p/package.json').version")
    printf '\n==== %s %s ====\n\n' "$p" "$v"
    cat "node_modules/$p/LICENSE"
  done
} > "$out/THIRD_PARTY_LICENSES.txt"
ls -l "$out"
