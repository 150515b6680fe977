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
 * Each URI tag has a set, {@code tollgate:rc:{<uri tag>}}, of the keys stored under it, which lives as long as its
 * longest-lived entry: a write to the URI removes them all in one script call, for every replica. The hash tag
 * puts a URI's entries and its set in one Redis Cluster slot.
 */
class RedisResponseCacheStore implements ResponseCacheStore, AutoCloseable {

	static final String PREFIX = "tollgate:rc:";

	/** SET the entry, add it to its URI's set, and keep the set at least as long as the entry. */
	private static final RedisScript<Long> PUT = RedisScript.of("""
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			redis.call('SADD', KEYS[2], KEYS[1])
			if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
			  redis.call('PEXPIRE', KEYS[2], ARGV[2])
			end
			return 1""", Long.class);

	/** Remove every entry of a URI's set (all in the set's slot), and the set. */
	private static final RedisScript<Long> INVALIDATE = RedisScript.of("""
			local keys = redis.call('SMEMBERS', KEYS[1])
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

	/**
	 * @param ownConnection what to close with the store (the cache's own connection factory), or null when it
	 * uses the shared one
	 */
	RedisResponseCacheStore(ReactiveRedisTemplate<String, byte[]> redis, RedisReadiness readiness,
			ResponseCacheProperties.Redis bounds, AutoCloseable ownConnection) {
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
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		if (!this.readiness.isConnected() || response.body().length > this.maxEntrySize) {
			return Mono.empty();
		}
		Duration ttl = (keepFor.compareTo(this.maxTtl) > 0) ? this.maxTtl : keepFor;
		byte[] ttlMs = Long.toString(Math.max(1, ttl.toMillis())).getBytes(StandardCharsets.US_ASCII);
		return this.redis.execute(PUT, List.of(redisKey(key), setKey(CacheKeys.uriTagOf(key))),
				List.of(response.toBytes(), ttlMs)).then();
	}

	@Override
	public Mono<Boolean> evict(String key) {
		return this.redis.delete(redisKey(key)).map((count) -> count > 0);
	}

	@Override
	public Mono<Long> invalidate(String uriTag) {
		if (!this.readiness.isConnected()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		return this.redis.execute(INVALIDATE, List.of(setKey(uriTag)), List.of()).next();
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
