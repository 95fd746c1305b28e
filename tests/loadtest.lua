-- wrk script for tests/loadtest.sh: rotates through allowed, refused and malformed CORS
-- requests and counts status codes (5xx must stay at 0).
-- wrk.format adds no Host header, and HTTP/1.1 requires one.
local function req(method, path, headers)
  headers["Host"] = "127.0.0.1"
  return wrk.format(method, path, headers)
end

local reqs = {
  req("GET", "/items", { ["Origin"] = "https://app.example.com" }),
  req("GET", "/items", { ["Origin"] = "https://app.example.com.evil.com" }),
  req("OPTIONS", "/items", { ["Origin"] = "https://app.example.com",
    ["Access-Control-Request-Method"] = "GET", ["Access-Control-Request-Headers"] = "authorization" }),
  req("OPTIONS", "/mixed/7", { ["Origin"] = "https://evil.example",
    ["Access-Control-Request-Method"] = "PUT" }),
  req("PUT", "/mixed/7", { ["Origin"] = "http://localhost:5173", ["Content-Length"] = "0" }),
  req("POST", "/null", { ["Origin"] = "null, https://evil.com", ["Content-Length"] = "0" }),
  req("GET", "/items", { ["Origin"] = "https://app.example.com\255" }),
  req("GET", "/plain", {}),
}
local i = 0
request = function()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

c2, c3, c4, c5 = 0, 0, 0, 0
response = function(status, headers, body)
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
end

done = function(summary, latency, requests)
  local t2, t4, t5 = 0, 0, 0
  for _, thread in ipairs(threads) do
    t2 = t2 + thread:get("c2")
    t4 = t4 + thread:get("c4")
    t5 = t5 + thread:get("c5")
  end
  io.write(string.format("wrk: %d requests: 2xx %d, 4xx %d, 5xx %d; socket errors: connect %d read %d write %d timeout %d\n",
    summary.requests, t2, t4, t5, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
