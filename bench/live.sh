#!/usr/bin/env bash
# bench/live.sh — the live hunt on a big heap: `heapscope attach --drive` streams three snapshots of
# a running process straight into the analysis; compared with what a user does without it, saving
# the snapshot with v8.writeHeapSnapshot() and loading it in memlab.
#
#   bench/live.sh [TARGET_MB]      # default 500: gen-heap.js's graph of about that much snapshot
#
# Measures, for heapscope: the time from V8's last byte of the last snapshot to the verdict
# (parse tail + graph analysis + leak analysis; the parse of everything before ran while V8 wrote),
# the whole hunt's wall time, and heapscope's own peak RSS (/usr/bin/time; the target is not its
# child). For the reference: the target's v8.writeHeapSnapshot(FILE) time, then `memlab-summary FILE`
# (memlab 2.0.5 loading the file and computing dominators and retained sizes, as bench/run.sh runs
# it) wall time and peak RSS. memlab can only start once the file is complete, so its whole run is
# its "last byte to result" time.
#
# The target: bench/gen-heap.js with bench/live-target.js preloaded (no snapshot written at start;
# afterwards an HTTP server whose every request leaks one more Workspace). Node: $NODE or `node`.
# Writes the report to bench/results/live-<date>.md and prints it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
mb="${1:-500}"
node="${NODE:-node}"
tmp="$(mktemp -d /tmp/heapscope-live.XXXXXX)"
target=""
cleanup() { [ -n "$target" ] && kill "$target" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
log() { echo "live.sh: $*" >&2; }

command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
bin="$tmp/heapscope"
(cd "$repo" && go build -o "$bin" ./cmd/heapscope)
anchors="${ANCHORS:-$(bash "${ANCHORS_SETUP:-$repo/bench/anchors.sh}" 2>/dev/null | tail -1)}"
[ -x "$anchors/memlab-summary" ] || { log "memlab-summary not found (bench/anchors.sh)"; exit 2; }

load="$(cut -d' ' -f1-3 /proc/loadavg)"
# Its own inspector port, so that nothing on 9229 interferes; attach reads it from the command line.
port="$("$node" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
log "building a ~$mb MB heap with gen-heap.js (minutes)…"
"$node" --max-old-space-size=16000 --inspect-port=127.0.0.1:"$port" -r "$here/live-target.js" "$here/gen-heap.js" "$mb" /dev/null \
  > "$tmp/target.out" 2> "$tmp/target.err" &
target=$!
for _ in $(seq 1800); do
  grep -q '^listening on ' "$tmp/target.out" 2>/dev/null && break
  kill -0 "$target" 2>/dev/null || { cat "$tmp/target.err" >&2; exit 2; }
  sleep 1
done
url="$(sed -n 's/^listening on //p' "$tmp/target.out")"
[ -n "$url" ] || { log "the target did not start"; exit 2; }
grep gen-heap "$tmp/target.err" >&2 || true

# One hunt per transport: snapshots over the inspector socket, and through a FIFO.
declare -A R=()
for via in ${VIAS:-inspector fifo}; do
  log "heapscope attach --via $via --drive $url (three snapshots)…"
  set +e
  /usr/bin/time -o "$tmp/hs.time" -f '%e %M' "$bin" attach --json --via "$via" --drive "$url" --requests 400 --warmup 10 \
    --snapshot-idle-timeout 10m "$target" > "$tmp/hunt.json" 2> "$tmp/hunt.err"
  rc=$?
  set -e
  grep '^heapscope:' "$tmp/hunt.err" >&2 || true
  [ "$rc" -le 1 ] || { log "heapscope attach failed (exit $rc)"; tail -5 "$tmp/hunt.err" >&2; exit 2; }
  read -r hs_wall hs_rss < "$tmp/hs.time"
  R[$via]="$(python3 - "$tmp/hunt.json" "$hs_wall" "$hs_rss" "$via" "$tmp/facts" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["snapshotsTaken"]
last = s[-1]
f = d["findings"][0]["class"] if d["findings"] else "-"
print("| `--via %s` | %s (%s) | %s | %s | **%.2f s** (parse tail %d ms, graph %d ms, leak %d ms) | **%.0f MiB** | %s s |" % (
    sys.argv[4],
    d["verdict"], f, " / ".join("%.0f" % (x["bytes"] / 1048576) for x in s),
    " / ".join("%.1f" % (x["tookMillis"] / 1000) for x in s),
    d.get("lastByteToVerdictMillis", 0) / 1000, last["parseTailMillis"], last["analyzeMillis"],
    d.get("lastByteToVerdictMillis", 0) - last["parseTailMillis"] - last["analyzeMillis"],
    int(sys.argv[3]) / 1024, sys.argv[2]))
open(sys.argv[5], "w").write("heap_mib=%.0f nodes=%d\n" % (d["samples"][-1]["usedBytes"] / 1048576, last["nodes"]))
PY
)"
done
target_hwm_hs="$(awk '/^VmHWM/{print $2}' "/proc/$target/status")"

log "v8.writeHeapSnapshot in the target, then memlab-summary…"
snap="$tmp/last.heapsnapshot"
write_ms="$(curl -s --max-time 3600 "${url}write?path=$snap" | sed -n 's/.*"ms":\([0-9]*\).*/\1/p')"
target_hwm_write="$(awk '/^VmHWM/{print $2}' "/proc/$target/status")"
/usr/bin/time -o "$tmp/ml.time" -f '%e %M' "$anchors/memlab-summary" "$snap" > "$tmp/memlab.out" 2> "$tmp/memlab.err" || { log "memlab failed"; tail -5 "$tmp/memlab.err" >&2; }
read -r ml_wall ml_rss < "$tmp/ml.time"
snap_bytes="$(stat -c %s "$snap")"

eval "$(cat "$tmp/facts")"
out="$here/results/live-$(date +%Y-%m-%d-%H%M).md"
{
  echo "# Live hunt on a ~$mb MB heap — $(date '+%Y-%m-%d %H:%M %Z')"
  echo
  echo "- machine: $(nproc) CPUs ($(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)), load at start $load"
  echo "- node $("$node" --version), target: gen-heap.js $mb + live-target.js; JS heap used ${heap_mib} MiB after GC; last snapshot $nodes nodes"
  echo "- heapscope: \`attach --json --via VIA --drive URL --requests 400 --warmup 10 PID\`: warm-up, 3 snapshots streamed into the analysis, 400 requests between them"
  echo "- reference: the target's \`v8.writeHeapSnapshot(FILE)\`, then \`memlab-summary FILE\` (memlab 2.0.5 loading the file and computing dominators and retained sizes of that one snapshot, bench/run.sh's anchor)"
  echo
  echo "| heapscope | verdict | snapshots MiB | V8 request → parsed, s | last byte → verdict | peak RSS | whole hunt |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for via in ${VIAS:-inspector fifo}; do echo "${R[$via]}"; done
  echo
  echo "| v8.writeHeapSnapshot + memlab | |"
  echo "|---|---:|"
  echo "| writeHeapSnapshot to disk ($(awk -v b="$snap_bytes" 'BEGIN{printf "%.0f", b/1048576}') MiB) | $(awk -v m="$write_ms" 'BEGIN{printf "%.1f", m/1000}') s |"
  echo "| memlab-summary: file complete → result (one snapshot) | **$ml_wall s** |"
  echo "| memlab peak RSS | **$(awk -v k="$ml_rss" 'BEGIN{printf "%.0f", k/1024}') MiB** |"
  echo
  echo "Target's peak RSS (VmHWM): $(awk -v k="$target_hwm_hs" 'BEGIN{printf "%.0f", k/1024}') MiB after the hunts, $(awk -v k="$target_hwm_write" 'BEGIN{printf "%.0f", k/1024}') MiB after writeHeapSnapshot."
} > "$out"
cat "$out"
log "report written to $out"
