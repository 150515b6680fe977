package io.tollgate.responsecache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Cached responses in Redis, shared by every replica: one {@code GET} per lookup, one script call per store, under
 * {@code tollgate:rc:{<uri tag>}:<hash>}, each with a TTL of at most {@code max-ttl} and a body of at most
 * {@code max-entry-size}. It does not bound the total: that is the Redis server's {@code maxmemory}.
 * <p>
 * Each URI tag has a sorted set, {@code tollgate:rc:{<uri tag>}}, of the keys stored under it, scored by when they
 * expire: each store drops the expired ones and keeps at most {@link #MAX_VARIANTS_PER_URI}, and the set lives as
 * long as its longest-lived entry. A write to the URI removes them all in one script call, for every replica, and
 * leaves a marker, {@code tollgate:rc:{<uri tag>}!inv}, for {@link #INVALIDATION_MEMORY}, which refuses responses
 * fetched before it. The hash tag puts a URI's entries, set and marker in one Redis Cluster slot.
 */
class RedisResponseCacheStore implements ResponseCacheStore, AutoCloseable {

	static final String PREFIX = "tollgate:rc:";

	/**
	 * Unless the URI was invalidated since the fetch began: SET the entry, file it in its URI's set (scored by
	 * expiry), drop expired and surplus members (the soonest to expire, never the one just stored), and keep the set at
	 * least as long as the entry.
	 */
	private static final RedisScript<Long> PUT = RedisScript.of("""
			local invalidated = redis.call('GET', KEYS[3])
			if invalidated and tonumber(invalidated) >= tonumber(ARGV[4]) then
			  return 0
			end
			local ttl = tonumber(ARGV[2])
			local now = tonumber(ARGV[3])
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
			redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
			redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
			local surplus = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
			if surplus > 0 then
			  for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, surplus)) do
			    if surplus > 0 and key ~= KEYS[1] then
			      redis.call('ZREM', KEYS[2], key)
			      redis.call('UNLINK', key)
			      surplus = surplus - 1
			    end
			  end
			end
			if redis.call('PTTL', KEYS[2]) < ttl then
			  redis.call('PEXPIRE', KEYS[2], ttl)
			end
			return 1""", Long.class);

	/** Mark the URI invalidated, then remove every entry of its set (at most MAX_VARIANTS_PER_URI) and the set. */
	private static final RedisScript<Long> INVALIDATE = RedisScript.of("""
			local previous = redis.call('GET', KEYS[2])
			if not previous or tonumber(previous) < tonumber(ARGV[1]) then
			  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
			end
			local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
			local removed = 0
			for _, key in ipairs(keys) do
			  removed = removed + redis.call('UNLINK', key)
			end
			redis.call('UNLINK', KEYS[1])
			return removed""", Long.class);

	private final ReactiveRedisTemplate<String, byte[]> redis;

	private final RedisReadiness readiness;

	private final Duration maxTtl;

	private final long maxEntrySize;

	private final AutoCloseable ownConnection;

	/** The gateway's clock: expiry scores and invalidation times are compared with the fetch times it gives. */
	private final java.time.Clock clock;

	/**
	 * @param ownConnection what to close with the store (the cache's own connection factory), or null when it
	 * uses the shared one
	 */
	RedisResponseCacheStore(ReactiveRedisTemplate<String, byte[]> redis, RedisReadiness readiness,
			ResponseCacheProperties.Redis bounds, AutoCloseable ownConnection, java.time.Clock clock) {
		this.clock = clock;
		this.redis = redis;
		this.readiness = readiness;
		this.maxTtl = bounds.maxTtl();
		this.maxEntrySize = bounds.maxEntrySize().toBytes();
		this.ownConnection = ownConnection;
	}

	@Override
	public long maxEntrySize() {
		return this.maxEntrySize;
	}

	@Override
	public Mono<CachedResponse> get(String key) {
		if (!this.readiness.isConnected()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		return this.redis.opsForValue().get(redisKey(key)).mapNotNull(CachedResponse::fromBytes);
	}

	@Override
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor, long fetchedSince) {
		if (!this.readiness.isConnected() || response.body().length > this.maxEntrySize) {
			return Mono.empty();
		}
		Duration ttl = (keepFor.compareTo(this.maxTtl) > 0) ? this.maxTtl : keepFor;
		String tag = CacheKeys.uriTagOf(key);
		return this.redis.execute(PUT, List.of(redisKey(key), setKey(tag), markerKey(tag)),
				List.of(response.toBytes(), ascii(Math.max(1, ttl.toMillis())), ascii(this.clock.millis()),
						ascii(fetchedSince), ascii(MAX_VARIANTS_PER_URI)))
			.then();
	}

	@Override
	public Mono<Boolean> evict(String key) {
		return this.redis.delete(redisKey(key)).map((count) -> count > 0);
	}

	@Override
	public Mono<Long> invalidate(String uriTag, long at) {
		if (!this.readiness.isConnected()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		return this.redis.execute(INVALIDATE, List.of(setKey(uriTag), markerKey(uriTag)),
				List.of(ascii(at), ascii(INVALIDATION_MEMORY.toMillis()))).next();
	}

	private static String markerKey(String uriTag) {
		return PREFIX + "{" + uriTag + "}!inv";
	}

	private static byte[] ascii(long value) {
		return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
	}

	/** The Redis key of an entry: {@code tollgate:rc:{<uri tag>}:<hash>}. */
	static String redisKey(String key) {
		int colon = key.indexOf(':');
		return (colon > 0) ? PREFIX + "{" + key.substring(0, colon) + "}" + key.substring(colon) : PREFIX + key;
	}

	private static String setKey(String uriTag) {
		return PREFIX + "{" + uriTag + "}";
	}

	@Override
	public Mono<Long> clear() {
		return this.redis.scan(ScanOptions.scanOptions().match(PREFIX + "*").count(500).build())
			.buffer(500)
			.concatMap((keys) -> this.redis.unlink(keys.toArray(String[]::new)))
			.reduce(0L, Long::sum);
	}

	@Override
	public Mono<long[]> size() {
		// Entries only, not the URI sets (which end in '}').
		return this.redis.scan(ScanOptions.scanOptions().match(PREFIX + "*}:*").count(500).build())
			.count()
			.map((count) -> new long[] { count, -1 });
	}

	@Override
	public void close() throws Exception {
		if (this.ownConnection != null) {
			this.ownConnection.close();
		}
	}

}
