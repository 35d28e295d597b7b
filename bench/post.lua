-- wrk script: POST a new customer with a unique body on every request (a webshop sign-up).
-- $BENCH_POST_PATH is the customers collection of the company.
local path = os.getenv("BENCH_POST_PATH")
local threads = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local firsts = {"Aino", "Väinö", "Åsa", "Bjørn", "Søren", "Märta", "Øystein", "Jääkko"}
local lasts = {"Mäkinen", "Åström", "Ødegård", "Søndergaard", "Jääskeläinen", "Löfgren"}

function request()
  n = n + 1
  local first = firsts[n % #firsts + 1]
  local last = lasts[n % #lasts + 1]
  local body = string.format(
    '{"firstName":"%s","lastName":"%s","customerReference":"wrk-%s-%d",' ..
    '"email":"wrk%s.%d@example.fi","cellularPhone":"+35840%07d","street":"Hämeenkatu",' ..
    '"houseNo":"%d","zipCode":"33100","city":"Tampere","countryCode":"FI",' ..
    '"languageCode":"fi","preferredChannel":"EMAIL"}',
    first, last, tid, n, tid, n, (tonumber(tid) * 1000003 + n) % 10000000, n % 120 + 1)
  return wrk.format(nil, path, nil, body)
end
