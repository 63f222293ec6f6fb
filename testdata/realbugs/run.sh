#!/usr/bin/env bash
# Usage: testdata/realbugs/run.sh NAME leak|fixed OUTDIR
#
# Writes the leaking or the fixed series of the real bug testdata/realbugs/NAME into OUTDIR
# (OUTDIR/NAME-leak-<iterations>.heapsnapshot ...), as bug.json says:
#   runtime "node-X" (leak), fixedRuntime "node-Y" (fixed; else the same runtime),
#   batches (default [0,500,500]), program (default app.js; fixedProgram, when set, for the fixed
#   series: the fix needs the fixed release's new API).
# Node.js comes from tools/fetchnode/fetch-node.sh (npm registry, exact version). For an npm
# package bug (fixedPackage set), NAME/leak and NAME/fixed hold a package.json and package-lock.json
# with the affected and the fixed release; `npm ci` installs them when node_modules is missing,
# and the program resolves the package through NODE_PATH=NAME/<leak|fixed>/node_modules.
# The program runs under testdata/patterns/harness.cjs (step() per iteration, forced GC,
# one snapshot per batch).
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 NAME leak|fixed OUTDIR" >&2
  exit 2
fi
name="$1" which="$2" out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="$here/$name"
[ -f "$dir/bug.json" ] || { echo "run.sh: no $dir/bug.json" >&2; exit 2; }
field() {  # field KEY DEFAULT -> the bug.json value (arrays space-separated)
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(sys.argv[3] if v is None else (" ".join(map(str,v)) if isinstance(v,list) else v))' "$dir/bug.json" "$1" "$2"
}
runtime="$(field runtime '')"
case "$which" in
  leak) ;;
  fixed) runtime="$(field fixedRuntime "$runtime")" ;;
  *) echo "run.sh: leak or fixed, not $which" >&2; exit 2 ;;
esac
node="$(bash "$root/tools/fetchnode/fetch-node.sh" "${runtime#node-}")"
batches="$(field batches '0 500 500')"
program="$(field program app.js)"
if [ "$which" = fixed ]; then
  program="$(field fixedProgram "$program")"
fi
nodepath=""
if [ -n "$(field fixedPackage '')" ]; then
  if [ ! -d "$dir/$which/node_modules" ]; then
    (cd "$dir/$which" && npm ci --silent --no-audit --no-fund --ignore-scripts) >&2
  fi
  nodepath="$dir/$which/node_modules"
fi
mkdir -p "$out"
cd "$dir"
NODE_PATH="$nodepath" "$node" --expose-gc "$root/testdata/patterns/harness.cjs" "$program" "$out/$name-$which" $batches
