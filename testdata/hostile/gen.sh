#!/usr/bin/env bash
# Writes the hostile inputs of issue 13's probe into DIR (default: a new temporary directory),
# for trying heapscope on them by hand, e.g. `/usr/bin/time -f %M heapscope summary DIR/X`:
#   skipped.heapsnapshot.gz        one 512 MiB string in a section heapscope skips (reads, < 100 MB)
#   string.heapsnapshot.gz         one 1 GiB string in the string table (rejected at the 16 MiB cap)
#   empty-strings.heapsnapshot.gz  a gigabyte of empty strings (more than the nodes can name)
#   header.heapsnapshot            a valid header claiming 2.8 billion nodes, then a hole to 40 GB
#   strings.heapsnapshot           valid up to the string table, then a hole to 40 GB
# The Go tests make the same files (cmd/heapscope/bounded_test.go); this is for people. Needs
# python3 and truncate. The base is the synthetic snapshot snapshot/testdata/bad/trailing-garbage.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
python3 - "$here/../../snapshot/testdata/bad/trailing-garbage.heapsnapshot" "$out" <<'PY'
import gzip, sys, os
src, out = sys.argv[1], sys.argv[2]
snap = open(src).read()
suffix = "synthetic trailing garbage\n"
assert snap.endswith(suffix), "trailing-garbage.heapsnapshot does not end as it used to"
snap = snap[:-len(suffix)]

def bomb(name, at, prefix, fill, n, end):
    i = snap.index(at)
    block = (fill * ((1 << 20) // len(fill))).encode()
    with gzip.open(os.path.join(out, name), "wb", compresslevel=9) as z:
        z.write((snap[:i] + prefix).encode())
        while n > 0:
            z.write(block[:min(n, len(block))])
            n -= len(block)
        z.write((end + snap[i + len(at):]).encode())

bomb("skipped.heapsnapshot.gz", '"trace_function_infos":[],', '"x_unknown":{"s":"', "a", 512 << 20, '"},"trace_function_infos":[],')
bomb("string.heapsnapshot.gz", '"hello"', '"', "a", 1 << 30, '"')
bomb("empty-strings.heapsnapshot.gz", '"strings":[', '"strings":[', '"",', 1 << 30, '')
head = snap[:snap.index("9,0,1")].replace('"node_count":3,', '"node_count":2800000000,', 1)
open(os.path.join(out, "header.heapsnapshot"), "w").write(head)
open(os.path.join(out, "strings.heapsnapshot"), "w").write(snap[:snap.index('"",')])
PY
truncate -s 40G "$out/header.heapsnapshot" "$out/strings.heapsnapshot"
chmod 600 "$out"/*
echo "$out"
