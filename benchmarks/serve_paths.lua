-- wrk script for benchmarks/serve.py: each request asks for a path drawn at
-- random from the file named by RECOUPE_PATHS (one path per line); at the end,
-- one machine-readable line with the count, errors and latency percentiles.
local paths = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for line in io.lines(os.getenv("RECOUPE_PATHS")) do
    paths[#paths + 1] = line
  end
  math.randomseed(7919 * id)  -- each thread its own sequence, the same in every run
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\n", summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
