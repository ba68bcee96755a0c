-- wrk script shared by every benchmark scenario. The scenario comes from the environment:
--   BENCH_MODE   get (default: the URL as given), search, comment, patch
--   BENCH_PATH   the request path for comment (POST) mode
--   BENCH_IDS    comma-separated article ids for patch mode
--   BENCH_TOKEN  bearer token for patch mode
--   BENCH_NONCE  makes generated comment bodies and PATCH values unique per run
--   BENCH_WORDS  comma-separated, URL-encoded search terms for search mode
--   BENCH_DELAY_MS  a pause before each request of a connection (a paced background load)
-- done() prints one machine-readable line that bench/run.sh parses:
--   BENCH requests=.. duration_us=.. p50_us=.. p99_us=.. max_us=.. connect=.. read=.. write=.. status=.. timeout=..
-- (`status` is wrk's count of responses with a status >= 400.)

local mode = os.getenv("BENCH_MODE") or "get"
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())

-- Search terms (URL-encoded), comma-separated in BENCH_WORDS; run.sh passes its list.
local words = {}
for w in string.gmatch(os.getenv("BENCH_WORDS") or "harga,pasar,banjir,menteri,kopi", "[^,]+") do
  words[#words + 1] = w
end

local thread_counter = 0
function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("tid", thread_counter)
end

local n = 0
local ids = {}

local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  delay = function()
    return pause
  end
end

function init(args)
  math.randomseed((tonumber(tid) or 1) * 7919 + os.time())
  for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do
    ids[#ids + 1] = id
  end
end

if mode == "search" then
  request = function()
    local w = words[math.random(#words)]
    return wrk.format("GET", "/api/v1/articles?search=" .. w)
  end
elseif mode == "comment" then
  local path = os.getenv("BENCH_PATH")
  request = function()
    n = n + 1
    -- Many readers, as behind the site's proxy: each address stays under the per-address
    -- limit, so the load measures storing comments, not refusing them.
    local headers = {
      ["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tonumber(tid) or 1, math.floor(n / 256) % 256, n % 256),
    }
    local body = string.format(
      '{"author_name":"Pembaca Uji","author_email":"pembaca%d@uji.example",' ..
      '"body":"Komentar uji %s-%s-%d: harga kopi di pasar naik lagi pekan ini."}',
      n % 1000, nonce, tostring(tid), n)
    return wrk.format("POST", path, headers, body)
  end
elseif mode == "patch" then
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
  }
  request = function()
    n = n + 1
    local id = ids[(n % #ids) + 1]
    local body = string.format('{"meta_description":"Ringkasan uji %s-%s-%d"}', nonce, tostring(tid), n)
    return wrk.format("PATCH", "/api/v1/articles/" .. id, headers, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
