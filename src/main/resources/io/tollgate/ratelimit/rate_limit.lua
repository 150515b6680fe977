-- Tollgate rate limit: every window of one counter key, decided and counted in one atomic call.
-- KEYS[i]  one key per window, all sharing one hash tag (one Redis Cluster slot).
-- ARGV[1]  now, in epoch milliseconds (the gateway's clock, so all replicas agree on boundaries)
-- ARGV[2]  '1' to count the request if it passes, '0' to only read
-- then 4 values per window: kind, limit, a, b
--   kind 's' (sliding): a = window length (ms), b = bucket length (ms); the key is a hash bucket-index -> count
--   kind 'q' (quota):   a = end of the calendar period (epoch ms);     the key is a counter for that period
-- Returns {allowed, used_1, wait_1, used_2, wait_2, ...}: used counts this request when allowed; wait is, for a
-- window that rejected, ms until a request would pass it, else ms until its count next goes down.
local now = tonumber(ARGV[1])
local consume = ARGV[2] == '1'
local n = #KEYS
local kinds, limits, as, bs, used, buckets = {}, {}, {}, {}, {}, {}
local allowed = true

for i = 1, n do
  local o = 2 + (i - 1) * 4
  kinds[i], limits[i], as[i], bs[i] = ARGV[o + 1], tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
  if kinds[i] == 's' then
    local oldest = math.floor(now / bs[i]) - as[i] / bs[i]
    local live, total = {}, 0
    local fields = redis.call('HGETALL', KEYS[i])
    for j = 1, #fields, 2 do
      local index = tonumber(fields[j])
      if index < oldest then
        if consume then redis.call('HDEL', KEYS[i], fields[j]) end
      else
        local count = tonumber(fields[j + 1])
        total = total + count
        live[#live + 1] = { index, count }
      end
    end
    table.sort(live, function(x, y) return x[1] < y[1] end)
    buckets[i], used[i] = live, total
  else
    used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  end
  if used[i] >= limits[i] then allowed = false end
end

local result = { allowed and 1 or 0 }
for i = 1, n do
  local wait = 0
  if kinds[i] == 's' then
    local span, bucket = as[i] / bs[i], bs[i]
    local live = buckets[i]
    if allowed and consume then
      local current = math.floor(now / bucket)
      local earliest = current
      if #live > 0 and live[1][1] < current then earliest = live[1][1] end
      wait = (earliest + span + 1) * bucket - now
      redis.call('HINCRBY', KEYS[i], string.format('%d', current), 1)
      redis.call('PEXPIRE', KEYS[i], as[i] + 2 * bucket)
      used[i] = used[i] + 1
    elseif used[i] >= limits[i] then
      local need, freed = used[i] - limits[i] + 1, 0
      for j = 1, #live do
        freed = freed + live[j][2]
        if freed >= need then
          wait = (live[j][1] + span + 1) * bucket - now
          break
        end
      end
    elseif #live > 0 then
      wait = (live[1][1] + span + 1) * bucket - now
    end
  else
    wait = as[i] - now
    if allowed and consume then
      redis.call('INCR', KEYS[i])
      redis.call('PEXPIRE', KEYS[i], as[i] - now + 60000)
      used[i] = used[i] + 1
    end
  end
  result[#result + 1] = used[i]
  result[#result + 1] = wait
end
return result
