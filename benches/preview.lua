-- wrk script: POST /api/v1/preview with a new letter every request, so
-- nothing comes from the preview cache (the live preview while typing):
-- examples/letter.json with a different subject each time. Run from the
-- repository's root with SARABAN_TOKEN set to a bearer token
-- (benches/load.sh and benches/peers.sh do).
local f = assert(io.open("examples/letter.json"))
local template = f:read("*a")
f:close()
local token = assert(os.getenv("SARABAN_TOKEN"), "set SARABAN_TOKEN")
local n = 0
request = function()
  n = n + 1
  local mark = tostring(n) .. "-" .. tostring(math.random(1000000000)) .. " "
  local body = string.gsub(template, '"subject": "', '"subject": "' .. mark, 1)
  return wrk.format("POST", "/api/v1/preview",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
