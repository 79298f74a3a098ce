#!/usr/bin/env bash
# Soak: `saraban serve` (release build) under a mixed office load for
# MINUTES (default 30) on a fresh demo database, SQLite by default or the
# PostgreSQL database given as DATABASE_URL. Prints one CSV line a minute
# (requests, errors, p50/p99 ms, server RSS); figures go in
# docs/benchmarks.md.
#
#   benches/soak.sh [MINUTES]
#   DATABASE_URL=postgres://… benches/soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
if [ -z "${SARABAN_BIN:-}" ]; then cargo build --release --quiet; fi
bin=${SARABAN_BIN:-target/release/saraban}
dir=$(mktemp -d)
db=${DATABASE_URL:-$dir/soak.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SARABAN_LOG=warn "$bin" --database "$db" serve --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
sender=$("$bin" --database "$db" user add soak.dla --office "มท 0810.7" --role clerk --token | sed -n 's/^token: //p')
receiver=$("$bin" --database "$db" user add soak.pl --office "พล 0023" --role clerk --token | sed -n 's/^token: //p')
kind=sqlite; [ -n "${DATABASE_URL:-}" ] && kind=postgresql
echo "# soak: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $kind, ${minutes} min"
python3 benches/soak.py "http://127.0.0.1:$port" "$server" "$minutes" "$sender" "$receiver"
echo "# server log warnings/errors: $(grep -c -E 'WARN|ERROR' "$dir/serve.log" || true)"
