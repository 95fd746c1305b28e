-- wrk script: one request shape per run, optionally pipelined.
-- Environment: SCENARIO = allowed | preflight | refused | refused-browser | no-origin; DEPTH = requests per write (1 = no pipelining).
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
elseif scenario == "refused-browser" then
  -- What Chromium sends with a cross-origin fetch() (bench/src/inproc.rs has the same list).
  headers = {
    ["Connection"] = "keep-alive",
    ["sec-ch-ua"] = '"Chromium";v="131", "Not_A Brand";v="24"',
    ["sec-ch-ua-mobile"] = "?0",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ["sec-ch-ua-platform"] = '"Linux"',
    ["Accept"] = "*/*",
    ["Origin"] = "https://evil.example.com",
    ["Sec-Fetch-Site"] = "cross-site",
    ["Sec-Fetch-Mode"] = "cors",
    ["Sec-Fetch-Dest"] = "empty",
    ["Referer"] = "https://evil.example.com/",
    ["Accept-Encoding"] = "gzip, deflate, br, zstd",
    ["Accept-Language"] = "en-US,en;q=0.9",
  }
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
