-- Writes one runtime consumer, atomically, if nobody changed it meanwhile and nobody else owns what it claims.
-- KEYS[1] consumers (hash username -> JSON), KEYS[2] claims (hash claim -> username),
-- KEYS[3] usernames (sorted set, for paging), KEYS[4] version (counter, for the periodic resync)
-- Publishes '<version> <username>' on ARGV[1].
-- ARGV[1] channel, ARGV[2] username, ARGV[3] the value expected now ('' for none),
-- ARGV[4] the new value ('' to delete), ARGV[5] n: ARGV[6 .. 5+n] claims to hold, the rest claims to give up
local current = redis.call('HGET', KEYS[1], ARGV[2]) or ''
if current ~= ARGV[3] then
  return 'changed'
end
local username = ARGV[2]
local held = tonumber(ARGV[5])
for i = 6, 5 + held do
  local owner = redis.call('HGET', KEYS[2], ARGV[i])
  if owner and owner ~= username then
    return 'taken:' .. ARGV[i]
  end
end
for i = 6, 5 + held do
  redis.call('HSET', KEYS[2], ARGV[i], username)
end
for i = 6 + held, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == username then
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], username)
  redis.call('ZREM', KEYS[3], username)
else
  redis.call('HSET', KEYS[1], username, ARGV[4])
  redis.call('ZADD', KEYS[3], 0, username)
end
local version = redis.call('INCR', KEYS[4])
redis.call('PUBLISH', ARGV[1], version .. ' ' .. username)
return 'ok'
