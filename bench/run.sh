#!/usr/bin/env bash
# bench/run.sh — time `heapscope summary` against the reference tools, side by side, in one run.
#
# Usage: bench/run.sh [options] [SNAPSHOT...]
#   -n, --runs N        runs per tool and file (default 3, or $RUNS); the table shows the median
#   -t, --tools LIST    comma-separated subset of: heapscope,memlab,hst (default: all three)
#       --timeout SECS  kill a single run after SECS seconds (default 900, or $BENCH_TIMEOUT)
#   -o, --out FILE      also write the report here (default bench/results/<date>-<host>.md)
#   -h, --help
# SNAPSHOT defaults to $BENCH_DIR/snap-250m.heapsnapshot and snap-1g.heapsnapshot (whichever
# exist; make them with bench/gen.sh). BENCH_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench.
#
# The tools (each one under `timeout` and `/usr/bin/time -f '%e %U %S %M'`, stdout to /dev/null):
#   heapscope  `heapscope summary FILE --json`. Binary: $HEAPSCOPE, else built from this repository
#              with `go build -o <tmp>/heapscope ./cmd/heapscope`. If neither works it is skipped
#              with a message (use --tools memlab,hst to leave it out on purpose).
#   memlab     `memlab-summary FILE` from bench/anchors.sh: memlab 2.0.5's core loads the
#              file and runs its full analysis (shortest paths, dominators, retained sizes); it is
#              `node --max-old-space-size=20000 memlab-summary.js FILE`.
#   hst        `heap-snapshot summary FILE`: the Rust port of Chrome DevTools' heap snapshot code
#              (npm @heap-snapshot/tool 0.0.10). `summary` is the subcommand that prints DevTools'
#              Summary view (per-constructor count, shallow and retained size), so it parses the
#              file and computes distances, dominators and retained sizes like heapscope summary.
#              (`statistics` is only the pie chart by type; the rest are object-level queries.)
# Anchors folder: $ANCHORS if set, else whatever $ANCHORS_SETUP (default bench/anchors.sh,
# relative to the repository) prints, else ~/.cache/heapscope-anchors if it has the wrappers.
#
# Runs are interleaved (run 1 of every tool, then run 2, ...) per file, after one `cat FILE
# >/dev/null` to warm the page cache, so that slow drift on a shared machine hits every tool alike.
# Timings on the reference VM vary by 20-30 % from run to run; compare only within one report.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench}"
RUNS="${RUNS:-3}"
TMO="${BENCH_TIMEOUT:-900}"
TOOLS="heapscope,memlab,hst"
OUT=""
FILES=()

die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--runs) RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    -t|--tools) TOOLS="$2"; shift 2 ;;
    --tools=*) TOOLS="${1#*=}"; shift ;;
    --timeout) TMO="$2"; shift 2 ;;
    --timeout=*) TMO="${1#*=}"; shift ;;
    -o|--out) OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#*=}"; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; FILES+=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) FILES+=("$1"); shift ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ "$TMO" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer (seconds)"

if [ ${#FILES[@]} -eq 0 ]; then
  for s in 250m 1g; do
    f="$BENCH_DIR/snap-$s.heapsnapshot"
    [ -s "$f" ] && FILES+=("$f")
  done
  [ ${#FILES[@]} -gt 0 ] || die "no snapshots given and none in $BENCH_DIR (run bench/gen.sh first)"
fi
for f in "${FILES[@]}"; do [ -r "$f" ] || die "cannot read snapshot $f"; done

# --- GNU time ---------------------------------------------------------------------------------
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
  log "/usr/bin/time missing; installing the 'time' package"
  if [ "$(id -u)" = 0 ]; then apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
  else sudo apt-get install -y time >/dev/null; fi
  /usr/bin/time -f '%e' true >/dev/null 2>&1 || die "GNU time (/usr/bin/time) is required"
fi

# --- tools ------------------------------------------------------------------------------------
tmpd="$(mktemp -d /tmp/heapscope-bench.XXXXXX)"
trap 'rm -rf "$tmpd"' EXIT
declare -A CMD=()    # tool -> command prefix (the file is appended)
declare -A LABEL=()  # tool -> label used in the table
declare -A VERSION=()
SELECTED=()
IFS=',' read -r -a want <<< "$TOOLS"
for t in "${want[@]}"; do
  case "$t" in heapscope|memlab|hst) SELECTED+=("$t") ;; *) die "unknown tool '$t' (known: heapscope,memlab,hst)" ;; esac
done

has() { local x; for x in "${SELECTED[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }
ACTIVE=()

if has heapscope; then
  bin="${HEAPSCOPE:-}"
  if [ -n "$bin" ]; then
    [ -x "$bin" ] || { log "HEAPSCOPE=$bin is not executable"; bin=""; }
  elif [ -d "$repo/cmd/heapscope" ] && command -v go >/dev/null; then
    log "building heapscope: go build -o $tmpd/heapscope ./cmd/heapscope"
    if (cd "$repo" && go build -o "$tmpd/heapscope" ./cmd/heapscope) 2>"$tmpd/build.err"; then
      bin="$tmpd/heapscope"
    else
      log "go build failed:"; sed 's/^/    /' "$tmpd/build.err" | head -20 >&2
    fi
  else
    log "no \$HEAPSCOPE and no ./cmd/heapscope (or no go) in $repo"
  fi
  if [ -n "$bin" ] && ! "$bin" summary --help >/dev/null 2>&1 && ! "$bin" help summary >/dev/null 2>&1; then
    log "warning: '$bin summary --help' failed; the 'summary' subcommand may not exist yet (runs will show FAIL)"
  fi
  if [ -n "$bin" ]; then
    CMD[heapscope]="$bin summary"; LABEL[heapscope]="heapscope summary --json"; ACTIVE+=(heapscope)
    VERSION[heapscope]="$( (cd "$repo" && git describe --always --dirty 2>/dev/null) || echo 'no commits') ($bin)"
  else
    log "heapscope is NOT available and will be skipped: set HEAPSCOPE=/path/to/heapscope, or fix the build;"
    log "  use '--tools memlab,hst' to time only the reference tools. Ratios will show '-'."
  fi
fi

if has memlab || has hst; then
  A="${ANCHORS:-}"
  if [ -z "$A" ]; then
    setup="${ANCHORS_SETUP:-$repo/bench/anchors.sh}"
    if [ -f "$setup" ]; then
      log "anchors: bash $setup"
      A="$(bash "$setup" 2>"$tmpd/setup.err" | tail -1)" || { log "setup.sh failed:"; tail -20 "$tmpd/setup.err" >&2; A=""; }
    fi
    [ -n "$A" ] || A="${XDG_CACHE_HOME:-$HOME/.cache}/heapscope-anchors"
  fi
  if has memlab; then
    if [ -x "$A/memlab-summary" ]; then
      CMD[memlab]="$A/memlab-summary"; LABEL[memlab]="memlab 2.0.5 (memlab-summary)"; ACTIVE+=(memlab)
      VERSION[memlab]="$(node -p "require('$A/node_modules/@memlab/core/package.json').version" 2>/dev/null || echo '?')"
    else log "memlab-summary not found in '$A'; skipping memlab"; fi
  fi
  if has hst; then
    if [ -x "$A/heap-snapshot" ]; then
      CMD[hst]="$A/heap-snapshot summary"; LABEL[hst]="heap-snapshot summary (Rust)"; ACTIVE+=(hst)
      VERSION[hst]="$(node -p "require('$A/node_modules/@heap-snapshot/tool/package.json').version" 2>/dev/null || echo '?')"
    else log "heap-snapshot not found in '$A'; skipping hst"; fi
  fi
fi
[ ${#ACTIVE[@]} -gt 0 ] || die "no tool available to run"

# --- machine info -----------------------------------------------------------------------------
host="$(hostname -s 2>/dev/null || hostname)"
stamp="$(date +%Y-%m-%d-%H%M)"
[ -n "$OUT" ] || OUT="$here/results/$stamp-$host.md"
mkdir -p "$(dirname "$OUT")"
cpu="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
mem="$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
memav="$(awk '/^MemAvailable/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
gov="$(go version 2>/dev/null | awk '{print $3}')"
nodev="$(node --version 2>/dev/null)"

report="$tmpd/report.md"
{
  echo "# heapscope summary benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $host"
  echo
  echo "- machine: $(nproc) CPUs ($cpu), $mem RAM ($memav available at start), kernel $(uname -r)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- go ${gov:-n/a}, node ${nodev:-n/a}"
  for t in "${ACTIVE[@]}"; do echo "- $t: ${LABEL[$t]}, version ${VERSION[$t]:-?}; command \`${CMD[$t]} FILE\`"; done
  echo "- runs per tool and file: $RUNS (median shown), timeout ${TMO}s per run, interleaved, warm page cache"
  echo "- /usr/bin/time -f '%e %U %S %M': wall = %e, CPU = %U + %S, peak RSS = %M (max RSS of the process tree's largest process)"
  echo
} > "$report"
cat "$report"

# --- runs -------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print ""; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
declare -A WALLS=() CPUS=() RSSS=() NOTES=()
raw="$tmpd/raw.txt"; : > "$raw"

for f in "${FILES[@]}"; do
  fb="$(basename "$f")"
  sz="$(stat -c %s "$f")"
  log "$fb ($sz bytes): warming page cache"
  cat "$f" > /dev/null
  for ((r = 1; r <= RUNS; r++)); do
    for t in "${ACTIVE[@]}"; do
      args=(${CMD[$t]} "$f")
      [ "$t" = heapscope ] && args+=(--json)
      tf="$tmpd/time.out"; ef="$tmpd/stderr.out"; : > "$tf"
      /usr/bin/time -o "$tf" -f '%e %U %S %M' timeout -k 10 "$TMO" "${args[@]}" > /dev/null 2> "$ef"
      rc=$?
      read -r e u s m < <(tail -1 "$tf")
      key="$t|$f"
      if [ $rc -eq 0 ] && [ -n "${m:-}" ]; then
        cpu_s="$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')"
        rss_mib="$(awk -v m="$m" 'BEGIN{printf "%.0f", m/1024}')"
        WALLS[$key]+="$e "; CPUS[$key]+="$cpu_s "; RSSS[$key]+="$rss_mib "
        log "$fb run $r/$RUNS $t: ${e}s wall, ${cpu_s}s CPU, ${rss_mib} MiB"
        echo "$t $fb run$r wall=$e user=$u sys=$s maxrss_kb=$m" >> "$raw"
      else
        why="FAIL(rc=$rc)"; [ $rc -eq 124 ] || [ $rc -eq 137 ] && why="TIMEOUT(${TMO}s)"
        NOTES[$key]+="$why "
        log "$fb run $r/$RUNS $t: $why after ${e:-?}s; stderr tail:"; tail -5 "$ef" | sed 's/^/    /' >&2
        echo "$t $fb run$r $why wall=${e:-?}" >> "$raw"
      fi
    done
  done
done

# --- table ------------------------------------------------------------------------------------
# ratio A B: "A/B×", or "-" when either is missing or B is 0 (a heapscope run below 10 ms means
# the subcommand did no real work; see the warning below).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "" || b + 0 < 0.01) print "-"; else printf "%.2f×", a / b }'; }
{
  echo "| tool | file | size MiB | wall s (median) | user+sys CPU s | peak RSS MiB | wall ratio vs heapscope | RSS ratio vs heapscope | runs: wall s |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  for f in "${FILES[@]}"; do
    fb="$(basename "$f")"
    szm="$(awk -v b="$(stat -c %s "$f")" 'BEGIN{printf "%.1f", b/1048576}')"
    hw="$(printf '%s\n' ${WALLS[heapscope|$f]:-} | median)"
    hr="$(printf '%s\n' ${RSSS[heapscope|$f]:-} | median)"
    for t in "${ACTIVE[@]}"; do
      key="$t|$f"
      w="$(printf '%s\n' ${WALLS[$key]:-} | median)"
      c="$(printf '%s\n' ${CPUS[$key]:-} | median)"
      m="$(printf '%s\n' ${RSSS[$key]:-} | median)"
      wr="$(ratio "$w" "$hw")"; mr="$(ratio "$m" "$hr")"
      [ -n "$w" ] && w="$(printf '%.2f' "$w")"; [ -n "$c" ] && c="$(printf '%.2f' "$c")"
      [ -n "$m" ] && m="$(printf '%.0f' "$m")"
      runs="$(echo ${WALLS[$key]:-} | sed 's/ / \/ /g')"
      [ -n "${NOTES[$key]:-}" ] && runs="$runs ${NOTES[$key]}"
      echo "| ${LABEL[$t]} | $fb | $szm | ${w:--} | ${c:--} | ${m:--} | $wr | $mr | ${runs% } |"
    done
  done
  for f in "${FILES[@]}"; do
    hw="$(printf '%s\n' ${WALLS[heapscope|$f]:-} | median)"
    if [ -n "$hw" ] && awk -v w="$hw" -v b="$(stat -c %s "$f")" 'BEGIN{exit !(w < 0.05 && b > 10485760)}'; then
      echo
      echo "**Warning:** heapscope finished $(basename "$f") in ${hw}s; it cannot have parsed the file (is \`summary\` implemented in this build?)."
    fi
  done
  echo
  echo "<details><summary>raw runs</summary>"
  echo
  echo '```'
  cat "$raw"
  echo '```'
  echo "</details>"
} > "$tmpd/table.md"
cat "$tmpd/table.md"
cat "$tmpd/table.md" >> "$report"
cp "$report" "$OUT"
log "report written to $OUT"
