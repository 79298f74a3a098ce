#!/usr/bin/env bash
# Service load on loopback with wrk (Debian package `wrk`): document
# metadata GETs and PNG previews against `saraban serve` (release build) on
# a fresh demo database. Figures go in docs/benchmarks.md.
#
#   benches/load.sh [SECONDS]    # default 20 s per run
#
# wrk and the server share the machine's cores, as a real loopback test does.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/saraban
dir=$(mktemp -d)
db="$dir/load.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --database "$db" serve --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
token=$("$bin" --database "$db" user add load.clerk --office "พล 0023" --role clerk --token | sed -n 's/^token: //p')
# The circular Phitsanulok received (visible to it through its delivery).
doc=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/inbox" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["inbox"][0]["delivery"]["document_id"])')
echo "== machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "== GET /api/v1/documents/$doc (metadata), 64 connections, ${secs}s"
wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/documents/$doc"
echo "== GET /api/v1/documents/$doc/preview.png (the same letter: cached after the first), 8 connections, ${secs}s"
wrk -t2 -c8 -d"${secs}s" --latency -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/documents/$doc/preview.png"
# New content every request (the live preview while typing): examples/letter.json
# with a different subject each time, so nothing comes from the cache.
python3 - "$dir/letter.json" <<'PY'
import json, sys
doc = json.load(open("examples/letter.json"))
doc["subject"] = doc.get("subject", "") + " __N__"
open(sys.argv[1], "w").write(json.dumps(doc, ensure_ascii=False))
PY
cat > "$dir/preview.lua" <<LUA
local f = io.open("$dir/letter.json")
local template = f:read("*a")
f:close()
local n = 0
request = function()
  n = n + 1
  local body = string.gsub(template, "__N__", tostring(n) .. "-" .. tostring(math.random(1000000000)))
  return wrk.format("POST", "/api/v1/preview",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token" }, body)
end
LUA
echo "== POST /api/v1/preview (a new letter every request, page 1 PNG), 8 connections, ${secs}s"
wrk -t2 -c8 -d"${secs}s" --latency -s "$dir/preview.lua" "http://127.0.0.1:$port"
