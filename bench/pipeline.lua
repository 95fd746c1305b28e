-- wrk script: one request shape per run, optionally pipelined.
-- Environment: SCENARIO = allowed | preflight | refused | no-origin; DEPTH = requests per write (1 = no pipelining).
local scenario = os.getenv("SCENARIO") or "allowed"
local depth = tonumber(os.getenv("DEPTH") or "1")

local method, headers = "GET", { ["Origin"] = "https://app.example.com" }
if scenario == "preflight" then
  method = "OPTIONS"
  headers = {
    ["Origin"] = "https://app.example.com",
    ["Access-Control-Request-Method"] = "GET",
    ["Access-Control-Request-Headers"] = "authorization,content-type,x-request-id",
  }
elseif scenario == "refused" then
  headers = { ["Origin"] = "https://evil.example.com" }
elseif scenario == "no-origin" then
  headers = {}
end

local batch
init = function(args)
  local one = wrk.format(method, "/api/items", headers)
  local parts = {}
  for i = 1, depth do parts[i] = one end
  batch = table.concat(parts)
end

request = function()
  return batch
end
