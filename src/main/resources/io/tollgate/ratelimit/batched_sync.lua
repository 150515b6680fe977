-- Tollgate batched rate limits: one replica's sync of one counter key, all windows at once. Adds the counts the
-- replica made since its last sync and returns the global totals (every replica's, these included).
-- KEYS[i]  one key per window, all sharing one hash tag (one Redis Cluster slot); never the keys of exact mode.
-- ARGV[1]  now, in epoch milliseconds (the gateway's clock)
-- then per window, by kind:
--   's' (sliding), bucket length (ms), buckets per window, n, then n pairs (bucket index, count to add);
--       the key is a hash bucket-index -> count
--   'q' (quota), end of the calendar period (epoch ms), count to add; the key is a counter for that period
-- Returns, per window in order: sliding: the number of live buckets, then (index, count) pairs; quota: the count.
local now = tonumber(ARGV[1])
local a = 2
local result = {}

for i = 1, #KEYS do
  if ARGV[a] == 's' then
    local bucket, span, n = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
    a = a + 4
    for j = 1, n do
      redis.call('HINCRBY', KEYS[i], ARGV[a], ARGV[a + 1])
      a = a + 2
    end
    if n > 0 then
      redis.call('PEXPIRE', KEYS[i], (span + 2) * bucket)
    end
    local oldest = math.floor(now / bucket) - span
    local fields = redis.call('HGETALL', KEYS[i])
    local live = {}
    for j = 1, #fields, 2 do
      local index = tonumber(fields[j])
      if index < oldest then
        redis.call('HDEL', KEYS[i], fields[j])
      else
        live[#live + 1] = index
        live[#live + 1] = tonumber(fields[j + 1])
      end
    end
    result[#result + 1] = #live / 2
    for j = 1, #live do
      result[#result + 1] = live[j]
    end
  else
    local period_end, add = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    a = a + 3
    local count
    if add > 0 then
      count = redis.call('INCRBY', KEYS[i], add)
      redis.call('PEXPIRE', KEYS[i], period_end - now + 60000)
    else
      count = tonumber(redis.call('GET', KEYS[i]) or '0')
    end
    result[#result + 1] = count
  end
end
return result
