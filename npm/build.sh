#!/usr/bin/env bash
# Builds heapscope's npm packages (the esbuild pattern): one package per
# platform, heapscope-<os>-<cpu>, holding the Go binary cross-compiled for it
# and declaring its "os" and "cpu", and the main package heapscope, whose
# launcher (npm/heapscope/bin/heapscope) runs the one that npm installed from
# its optionalDependencies. No install script, no download. Every package gets
# the version in cmd/heapscope/VERSION, which the binary prints, and is packed
# by `npm pack` into the output directory.
#
#   npm/build.sh [-o DIR] [PLATFORM...]
#
# PLATFORM is one of the platforms in $all below (default: all of them); the
# main package always lists all of them. DIR defaults to npm/dist.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# npm's process.platform-process.arch : GOOS/GOARCH.
all="linux-x64:linux/amd64 linux-arm64:linux/arm64 darwin-x64:darwin/amd64 darwin-arm64:darwin/arm64 win32-x64:windows/amd64"

out="$root/npm/dist"
while getopts o: opt; do
  case $opt in
    o) out="$OPTARG" ;;
    *) echo "usage: npm/build.sh [-o DIR] [PLATFORM...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
want="${*:-}"
if [ -z "$want" ]; then
  for p in $all; do want="$want ${p%%:*}"; done
fi

version="$(tr -d '[:space:]' < "$root/cmd/heapscope/VERSION")"
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "npm/build.sh: cmd/heapscope/VERSION: not a semantic version: $version" >&2
  exit 2
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# package.json from a template: fill TEMPLATE's fields from the JSON object
# FIELDS and write it into DIR.
fill() { # TEMPLATE DIR FIELDS
  node -e '
    const fs = require("fs");
    const [template, dir, fields] = process.argv.slice(1);
    const pkg = Object.assign(JSON.parse(fs.readFileSync(template, "utf8")), JSON.parse(fields));
    for (const k of ["description"]) pkg[k] = pkg[k].replace(/OS-CPU/g, pkg.name.replace(/^heapscope-/, ""));
    fs.writeFileSync(dir + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
  ' "$1" "$2" "$3"
}

pack() { # DIR
  (cd "$1" && npm pack --silent --pack-destination "$out" >/dev/null)
}

optional="{"
for p in $all; do
  optional="$optional\"heapscope-${p%%:*}\":\"$version\","
done
optional="${optional%,}}"

for target in $want; do
  goplatform=""
  for p in $all; do
    [ "${p%%:*}" = "$target" ] && goplatform="${p#*:}"
  done
  if [ -z "$goplatform" ]; then
    echo "npm/build.sh: unknown platform $target (known: $all)" >&2
    exit 2
  fi
  goos="${goplatform%/*}" goarch="${goplatform#*/}"
  exe=""
  [ "$goos" = windows ] && exe=.exe
  dir="$stage/heapscope-$target"
  mkdir -p "$dir/bin"
  (cd "$root" && CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" \
    go build -trimpath -ldflags="-s -w" -o "$dir/bin/heapscope$exe" ./cmd/heapscope)
  cp "$root/npm/platform/README.md" "$dir/"
  fill "$root/npm/platform/package.json" "$dir" \
    "{\"name\":\"heapscope-$target\",\"version\":\"$version\",\"os\":[\"${target%-*}\"],\"cpu\":[\"${target#*-}\"]}"
  pack "$dir"
  echo "$out/heapscope-$target-$version.tgz"
done

dir="$stage/heapscope"
cp -R "$root/npm/heapscope" "$dir"
fill "$root/npm/heapscope/package.json" "$dir" "{\"version\":\"$version\",\"optionalDependencies\":$optional}"
pack "$dir"
echo "$out/heapscope-$version.tgz"
