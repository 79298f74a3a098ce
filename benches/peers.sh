#!/usr/bin/env bash
# saraban against its peers and against an earlier build of itself, in one
# alternating run (issue 23): each round runs every command once, in the
# same order, and the table takes medians over rounds. Ratios, not
# seconds, are the figures to quote: the machine is shared.
#
#   PERF_DIR=/tmp/peers AXUM_HELLO=/tmp/axum-hello/target/release/axum-hello \
#   BEFORE=/tmp/before-bin benches/peers.sh [ROUNDS]
#
# PERF_DIR: ../shared/peers's kit with typst-py in venv/ (its README);
# AXUM_HELLO: axum's hello world built in release (the HTTP floor);
# BEFORE (optional): a folder with an earlier build's `saraban` and its
# `render` bench binary, for the before/after columns.
# Needs wrk, curl and python3. Prints one line per measurement, then the
# medians.
set -euo pipefail
# A measurement's own errors go to /dev/null below: say which one stopped
# the run (an earlier build's bench reads its examples from the folder it
# was built in, which must still exist).
trap 'echo "peers.sh: stopped at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
rounds=${1:-3}
: "${PERF_DIR:?the peers kit, with venv/}"
: "${AXUM_HELLO:?axum hello binary}"
export PERF_DIR
cargo build --release --quiet
# The bench binaries cargo just built (not the newest files: an earlier
# build's may be newer).
bench_bin() {
  cargo bench --bench "$1" --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == sys.argv[1]:
        print(m["executable"])' "$1"
}
after_render=$(bench_bin render)
after_registry=$(bench_bin registry)
builds=("after:target/release/saraban:$after_render:$after_registry")
if [ -n "${BEFORE:-}" ]; then
  builds=("before:$BEFORE/saraban:$BEFORE/render:$BEFORE/registry" "${builds[@]}")
fi
out=$(mktemp)
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
record() { echo "$1 $2" | tee -a "$out"; }
# divan's median column, in ms.
median_ms() {
  python3 -c '
import re, sys
for line in sys.stdin:
    if sys.argv[1] in line:
        cells = [c.strip() for c in line.split("│")]
        v, unit = cells[2].split()
        print(float(v) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1e3}[unit])' "$1"
}

# One server per build on its own demo database, and axum's hello.
declare -A url token
for b in "${builds[@]}"; do
  IFS=: read -r name bin _ <<<"$b"
  p=$(port)
  SARABAN_LOG=warn "$bin" --database "$dir/$name.db" serve --addr "127.0.0.1:$p" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done
  url[$name]="http://127.0.0.1:$p"
  token[$name]=$("$bin" --database "$dir/$name.db" user add "peers.$name" --office "พล 0023" --role clerk --token | sed -n 's/^token: //p')
done
hp=$(port)
"$AXUM_HELLO" "127.0.0.1:$hp" & pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$hp/" >/dev/null && break; sleep 0.1; done
wrk_rps() { wrk -t2 -c64 -d10s --latency "$@" | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'; }

for round in $(seq 1 "$rounds"); do
  echo "== round $round"
  for b in "${builds[@]}"; do
    IFS=: read -r name _ render _ <<<"$b"
    r=$("$render" --bench per_recipient new_letter --sample-count 60 2>/dev/null)
    record "render.per_recipient.$name" "$(median_ms per_recipient <<<"$r")"
    record "render.new_letter.$name" "$(median_ms new_letter <<<"$r")"
  done
  record render.per_recipient.typst-py "$(venv=$PERF_DIR/venv/bin/python; $venv "$PERF_DIR/bench/typ_template_json.py" 2>&1 | sed -n 's/.*rest median \([0-9.]*\) ms.*/\1/p')"
  record render.export_floor.typst-py "$("$PERF_DIR/venv/bin/python" "$PERF_DIR/bench/typ_same.py" pdf 2>&1 | sed -n 's/.*repeat median \([0-9.]*\) ms.*/\1/p')"
  record render.new_letter.typst-py "$("$PERF_DIR/venv/bin/python" "$PERF_DIR/bench/typ_batch.py" 2>&1 | sed -n 's/.*median-rest \([0-9.]*\)ms.*/\1/p')"
  read -r rps p99 < <(wrk_rps "http://127.0.0.1:$hp/")
  record http.hello.axum "$rps"
  for b in "${builds[@]}"; do
    IFS=: read -r name _ _ registry <<<"$b"
    read -r rps p99 < <(wrk_rps "${url[$name]}/health")
    record "http.health.$name" "$rps"
    read -r rps p99 < <(wrk_rps -H "Authorization: Bearer ${token[$name]}" "${url[$name]}/api/v1/inbox")
    record "http.inbox.$name" "$rps"
    record "http.inbox_p99.$name" "$p99"
    read -r rps p99 < <(SARABAN_TOKEN=${token[$name]} wrk -t2 -c8 -d10s --latency -s benches/preview.lua "${url[$name]}" |
      awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}')
    record "http.preview_uncached.$name" "$rps"
    # Numbers per second, one writer, on tmpfs: the software's own cost.
    r=$(TMPDIR=/dev/shm SARABAN_BENCH_DOCS=2000 "$registry" 2>/dev/null | sed -n 's/.* 1 writers × 6400 numbers: median \([0-9]*\).*/\1/p')
    record "numbering.one_writer_per_s.$name" "$r"
  done
done
echo "== medians over $rounds rounds"
python3 - "$out" <<'PY'
import collections, re, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, v = line.split()
    m = re.match(r"([\d.]+)(us|ms|s)?$", v)
    if m:
        x = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, None: 1}[m.group(2)]
        runs[k].append(x)
for k in sorted(runs):
    print(f"{k}: median {statistics.median(runs[k]):.3f} (n={len(runs[k])})")
PY
