-- wrk script: GET the paths listed in the file $BENCH_PATHS (one a line), round robin,
-- each thread starting at another place. Headers come from wrk's -H.
local paths = {}
local f = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
for line in f:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
f:close()

local counter = 1
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("start", threads * 7919)
end

function init(args)
  counter = (tonumber(start) or 0) % #paths
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
