-- wrk script for bench/fleet.sh: "affected by" (GET /api/v1/affected/ID?limit=100), cycling
-- over the advisory ids listed in FLEET_IDS (one a line) with the X-Api-Key FLEET_KEY.
-- done() prints "key value" lines: p50_ms, p99_ms, requests, rate, errors (socket), non2xx.
local ids = {}
for id in io.lines(os.getenv("FLEET_IDS")) do
    if id ~= "" then
        ids[#ids + 1] = id
    end
end
local headers = {["X-Api-Key"] = os.getenv("FLEET_KEY")}
n = 0 -- global: setup() sets it per thread

function setup(thread)
    -- each thread starts at another place in the list
    thread:set("n", math.random(#ids))
end

function request()
    n = n + 1
    return wrk.format("GET", "/api/v1/affected/" .. ids[n % #ids + 1] .. "?limit=100", headers)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("p50_ms %.3f\np99_ms %.3f\nrequests %d\nrate %.1f\nerrors %d\n" ..
                           "non2xx %d\n", latency:percentile(50) / 1000,
                           latency:percentile(99) / 1000, summary.requests,
                           summary.requests / (summary.duration / 1e6),
                           e.connect + e.read + e.write + e.timeout, e.status))
end
