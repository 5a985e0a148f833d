-- wrk script for bench/fleet.sh: pushes each pre-generated SBOM exactly once
-- (POST /api/v1/images?repository=bench/<name>) and stops when every push has its answer.
--
-- Run with one connection per thread (wrk -tN -cN): thread k sends the files of lines
-- k, k+N, k+2N... of FLEET_FILES one after another on its one connection, so -t1 -c1 measures
-- the latency of pushes sent sequentially and -tN -cN the sustained rate with N in flight.
-- Environment: FLEET_FILES (a file listing the SBOM paths, one a line), FLEET_THREADS (N),
-- FLEET_KEY (the X-Api-Key), FLEET_DONE (a file each thread appends a byte to when it is done;
-- the last one to finish interrupts wrk, whose main thread otherwise sleeps out -d).
-- done() prints "key value" lines: pushes, answered, failed (non-2xx or no answer),
-- socket_errors, median_ms, p99_ms, rate (answers per second, first send to last answer).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } fleet_timespec;
int clock_gettime(int clk, fleet_timespec *ts);
int getpid(void);
int kill(int pid, int sig);
]]
local ts = ffi.new("fleet_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- main state: number the threads as wrk creates them
local threads, next_tid = {}, 0
function setup(thread)
    thread:set("tid", next_tid)
    next_tid = next_tid + 1
    table.insert(threads, thread)
end

-- thread state
local bodies, names = {}, {}
local sent, answered, non2xx = 0, 0, 0
local verified = false
local t_sent = 0
lat, t_first, t_last, n_non2xx, n_pushes, n_answered = {}, 0, 0, 0, 0, 0

function init(args)
    local n = tonumber(os.getenv("FLEET_THREADS"))
    local i = 0
    for path in io.lines(os.getenv("FLEET_FILES")) do
        if i % n == tid then
            local f = assert(io.open(path, "rb"))
            bodies[#bodies + 1] = f:read("*a")
            f:close()
            names[#names + 1] = path:match("([^/]+)%.json$")
        end
        i = i + 1
    end
    n_pushes = #bodies
end

local key = os.getenv("FLEET_KEY")
local headers = {["X-Api-Key"] = key, ["Content-Type"] = "application/json"}

local function finish()
    n_non2xx, n_answered, t_last = non2xx, answered, now_ms()
    wrk.thread:stop()
    local f = assert(io.open(os.getenv("FLEET_DONE"), "ab"))
    f:write(".")
    local size = f:seek("end")
    f:close()
    if size >= tonumber(os.getenv("FLEET_THREADS")) then
        ffi.C.kill(ffi.C.getpid(), 2) -- SIGINT: wrk's main thread stops sleeping and reports
    end
end

function request()
    -- wrk calls request() once on the first thread to check it parses: send nothing then
    if tid == 0 and not verified then
        verified = true
        return wrk.format("GET", "/healthz")
    end
    if answered < sent then
        -- a reconnect after a socket error: that push has no answer and counts as failed
        answered = sent
        non2xx = non2xx + 1
        n_non2xx, n_answered = non2xx, answered
        if answered == #bodies then
            finish()
        end
    end
    if sent >= #bodies then
        return wrk.format("GET", "/healthz")
    end
    sent = sent + 1
    t_sent = now_ms()
    if t_first == 0 then
        t_first = t_sent
    end
    return wrk.format("POST", "/api/v1/images?repository=bench/" .. names[sent], headers,
                      bodies[sent])
end

function response(status, hdrs, body)
    if answered >= sent then
        return
    end
    answered = answered + 1
    lat[answered] = now_ms() - t_sent
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
    n_non2xx, n_answered, t_last = non2xx, answered, now_ms()
    if answered == #bodies then
        finish()
    end
end

function done(summary, latency, requests)
    local all, pushes, bad, first, last = {}, 0, 0, nil, nil
    -- a push without an answer (socket error, or wrk's -d ran out) is failed
    for _, t in ipairs(threads) do
        local l = t:get("lat")
        for _, v in pairs(l) do
            all[#all + 1] = v
        end
        pushes = pushes + t:get("n_pushes")
        bad = bad + t:get("n_non2xx") + t:get("n_pushes") - t:get("n_answered")
        local f, e = t:get("t_first"), t:get("t_last")
        if f > 0 and (not first or f < first) then
            first = f
        end
        if not last or e > last then
            last = e
        end
    end
    table.sort(all)
    local function pct(p)
        if #all == 0 then
            return 0
        end
        local i = math.max(1, math.floor(#all * p / 100))
        return all[i]
    end
    local e = summary.errors
    io.write(string.format("pushes %d\nanswered %d\nfailed %d\nsocket_errors %d\n", pushes,
                           #all, bad, e.connect + e.read + e.write + e.timeout))
    io.write(string.format("median_ms %.3f\np99_ms %.3f\nrate %.3f\n", pct(50), pct(99),
                           (first and last > first) and #all / ((last - first) / 1000) or 0))
    -- the slowest pushes, slowest first, with their place in their thread's order
    local slow = {}
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("lat")) do
            slow[#slow + 1] = {v, k}
        end
    end
    table.sort(slow, function(a, b) return a[1] > b[1] end)
    local s = {}
    for i = 1, math.min(5, #slow) do
        s[#s + 1] = string.format("%.1f(#%d)", slow[i][1], slow[i][2])
    end
    io.write("slowest_ms " .. table.concat(s, ",") .. "\n")
end
