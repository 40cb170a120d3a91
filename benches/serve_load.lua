-- wrk script for benches/serve_load.sh: each request is the next of a rotation of
-- results pages an analyst would open (each renders hits, facets and the link to its trend
-- chart); with SERVE_LOAD_TREND=1 each page is followed by the /trend.svg its <img> loads,
-- as a browser does. Counts 5xx replies per thread and prints them at the end.

local pages = {
  "/?q=housing",
  "/?q=%22free+school+meals%22",
  "/?q=nurses+OR+midwives",
  "/?q=%22mental+health%22&department=Department+of+Health+and+Social+Care",
  "/?q=housing&sort=newest",
  "/?q=school&page=3",
  "/?q=asylum&from=2024-01-01&status=answered",
  "/?q=*",
}
local charts = {
  "/trend.svg?q=housing",
  "/trend.svg?q=%22free+school+meals%22",
  "/trend.svg?q=nurses+OR+midwives",
  "/trend.svg?q=%22mental+health%22&department=Department+of+Health+and+Social+Care",
  "/trend.svg?q=housing&sort=newest",
  "/trend.svg?q=school",
  "/trend.svg?q=asylum&from=2024-01-01&status=answered",
  "/trend.svg?q=*",
}

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  with_trend = os.getenv("SERVE_LOAD_TREND") == "1"
  -- Threads start at different places in the rotation.
  i = id * 3
  server_errors = 0
  other = 0
end

function request()
  local path
  if with_trend then
    local k = math.floor(i / 2) % #pages + 1
    path = (i % 2 == 0) and pages[k] or charts[k]
  else
    path = pages[i % #pages + 1]
  end
  i = i + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status ~= 200 then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local s5, o = 0, 0
  for _, t in ipairs(threads) do
    s5 = s5 + t:get("server_errors")
    o = o + t:get("other")
  end
  io.write(string.format("replies: %d, 5xx: %d, other non-200: %d, socket errors: %d\n",
    summary.requests, s5, o,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do
    io.write(string.format("p%s %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("mean %.2f ms, max %.2f ms\n", latency.mean / 1000, latency.max / 1000))
end
