#!/usr/bin/env bash
# Where the time goes: a flamegraph (SVG) of one benchmark, sampled with
# perf (Debian's linux-perf; software clock, so it works where hardware
# counters are "not supported") and folded by inferno
# (`cargo install inferno`). Release builds carry no frame pointers, so
# stacks are unwound from DWARF call frame information.
#
#   benches/flamegraph.sh render per_recipient     # cargo bench target, divan filter
#   benches/flamegraph.sh mailmerge                 # a harness-less bench: all of it
#   OUT=/tmp/x.svg benches/flamegraph.sh ...
#
# The SVGs are not committed (a few MB each); docs/benchmarks.md tells
# what they showed.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:?name a bench (render, mailmerge, registry, ...)}
filter=${2:-}
out=${OUT:-target/flamegraph-$bench${filter:+-$filter}.svg}
command -v perf >/dev/null || { echo "install linux-perf" >&2; exit 1; }
command -v inferno-flamegraph >/dev/null || { echo "cargo install inferno" >&2; exit 1; }
bin=$(cargo bench --bench "$bench" --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["bench"]:
        print(m["executable"])')
data=$(mktemp)
trap 'rm -f "$data"' EXIT
args=(--bench)
if [ -n "$filter" ]; then args+=("$filter" --sample-count 1000); fi
perf record -F 999 -g --call-graph dwarf,32768 -o "$data" "$bin" "${args[@]}" >/dev/null
perf script -i "$data" 2>/dev/null | inferno-collapse-perf | inferno-flamegraph >"$out"
echo "$out"
