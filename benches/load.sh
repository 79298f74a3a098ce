#!/usr/bin/env bash
# Service load on loopback with wrk (Debian package `wrk`) against
# `saraban serve` (release build) on a fresh demo database: `/health` (one
# `SELECT 1`), the inbox, document metadata, cached PNG previews,
# uncached previews (a new letter every request) and writes (a new draft
# every request, 16 and 64 connections). On SQLite, then on
# PostgreSQL when SARABAN_BENCH_POSTGRES names a cluster (a fresh database
# `saraban_bench_load` made on it), same machine, same run. Figures go in
# docs/benchmarks.md.
#
#   benches/load.sh [SECONDS]    # default 20 s per run
#
# wrk and the server share the machine's cores, as a real loopback test does.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
if [ -z "${SARABAN_BIN:-}" ]; then cargo build --release --quiet; fi
bin=${SARABAN_BIN:-target/release/saraban}
dir=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; fi; rm -rf "$dir"' EXIT

# A new draft every write request (benches/preview.lua does the same for
# previews): examples/letter.json without its number (a draft has none),
# a different subject each time.
python3 - "$dir/draft.json" <<'PY'
import json, sys
doc = json.load(open("examples/letter.json"))
doc["subject"] = doc.get("subject", "") + " __N__"
doc["number"] = None
open(sys.argv[1], "w").write(json.dumps(doc, ensure_ascii=False))
PY

# run LABEL DATABASE: serve on DATABASE and load it.
run() {
  local label=$1 db=$2
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  SARABAN_LOG=warn "$bin" --database "$db" serve --addr "127.0.0.1:$port" >"$dir/serve-$label.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.1
  done
  local token doc
  token=$("$bin" --database "$db" user add "load.$label" --office "พล 0023" --role clerk --token | sed -n 's/^token: //p')
  # The circular Phitsanulok received (visible to it through its delivery).
  doc=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/inbox" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["inbox"][0]["delivery"]["document_id"])')
  local url="http://127.0.0.1:$port"
  echo "== $label: machine $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo "== $label: GET /health, 64 connections, ${secs}s"
  wrk -t2 -c64 -d"${secs}s" --latency "$url/health"
  echo "== $label: GET /api/v1/inbox, 64 connections, ${secs}s"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url/api/v1/inbox"
  echo "== $label: GET /api/v1/documents/$doc (metadata), 64 connections, ${secs}s"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url/api/v1/documents/$doc"
  echo "== $label: GET /api/v1/documents/$doc/preview.png (the same letter: cached after the first), 8 connections, ${secs}s"
  wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" "$url/api/v1/documents/$doc/preview.png"
  echo "== $label: POST /api/v1/preview (a new letter every request, page 1 PNG), 8 connections, ${secs}s"
  SARABAN_TOKEN=$token wrk -t2 -c8 -d"${secs}s" --latency -s benches/preview.lua "$url"
  # Writes: a new draft every request (one audited transaction each: the
  # document, its search text, its version and the audit event).
  cat > "$dir/draft.lua" <<LUA
local f = io.open("$dir/draft.json")
local template = f:read("*a")
f:close()
local n = 0
request = function()
  n = n + 1
  local body = '{"document": ' .. string.gsub(template, "__N__", "draft " .. tostring(n) .. "-" .. tostring(math.random(1000000000))) .. '}'
  return wrk.format("POST", "/api/v1/documents",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token" }, body)
end
LUA
  for c in 16 64; do
    echo "== $label: POST /api/v1/documents (a new draft every request: one write transaction), $c connections, ${secs}s"
    wrk -t2 -c"$c" -d"${secs}s" --latency -s "$dir/draft.lua" "$url"
  done
  echo "== $label: server warnings/errors in its log: $(grep -c -E 'WARN|ERROR' "$dir/serve-$label.log" || true)"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}

run sqlite "$dir/load.db"
if [ -n "${SARABAN_BENCH_POSTGRES:-}" ]; then
  psql -q "$SARABAN_BENCH_POSTGRES" -c "DROP DATABASE IF EXISTS saraban_bench_load WITH (FORCE)" \
    -c "CREATE DATABASE saraban_bench_load"
  run postgres "${SARABAN_BENCH_POSTGRES%/*}/saraban_bench_load"
else
  echo "SARABAN_BENCH_POSTGRES not set: PostgreSQL figures skipped" >&2
fi
