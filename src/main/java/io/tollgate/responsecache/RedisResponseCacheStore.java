package io.tollgate.responsecache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/**
 * Cached responses in Redis, shared by every replica: one {@code MGET} per lookup (the entry and its URI's
 * invalidation time), one {@code SET ... PX} per store, under {@code tollgate:rc:{<uri>}-<variant>}, each with a TTL
 * of at most {@code max-ttl} and a body of at most {@code max-entry-size}. An invalidation is
 * {@code tollgate:rc:{<uri>}:inv}, kept for {@code max-ttl} (no entry lives longer); the hash tag keeps it in the
 * slot of its entries, so the lookup is one round trip on a Cluster too. It does not bound the total: that is the
 * Redis server's {@code maxmemory}.
 */
class RedisResponseCacheStore implements ResponseCacheStore, AutoCloseable {

	static final String PREFIX = "tollgate:rc:";

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
		String uri = ResponseCacheStore.uriOf(key);
		return this.redis.opsForValue().multiGet(List.of(redisKey(key), invalidationKey(uri))).mapNotNull((values) -> {
			CachedResponse entry = (values.get(0) != null) ? CachedResponse.fromBytes(values.get(0)) : null;
			Long invalidatedAt = (values.size() > 1) ? millis(values.get(1)) : null;
			return (entry != null && invalidatedAt != null && entry.storedAt() <= invalidatedAt) ? null : entry;
		});
	}

	@Override
	public Mono<Void> invalidate(String uri, long at) {
		if (!this.readiness.isConnected()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		return this.redis.opsForValue()
			.set(invalidationKey(uri), Long.toString(at).getBytes(StandardCharsets.US_ASCII), this.maxTtl)
			.then();
	}

	/** {@code tollgate:rc:{<uri>}-<variant>}: the URI part is the hash tag. */
	static String redisKey(String key) {
		int dash = key.indexOf('-');
		return (dash > 0) ? PREFIX + "{" + key.substring(0, dash) + "}" + key.substring(dash) : PREFIX + key;
	}

	private static String invalidationKey(String uri) {
		return PREFIX + "{" + uri + "}:inv";
	}

	private static Long millis(byte[] value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		if (!this.readiness.isConnected() || response.body().length > this.maxEntrySize) {
			return Mono.empty();
		}
		Duration ttl = (keepFor.compareTo(this.maxTtl) > 0) ? this.maxTtl : keepFor;
		return this.redis.opsForValue().set(redisKey(key), response.toBytes(), ttl).then();
	}

	@Override
	public Mono<Boolean> evict(String key) {
		return this.redis.delete(redisKey(key)).map((count) -> count > 0);
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
		return this.redis.scan(ScanOptions.scanOptions().match(PREFIX + "*").count(500).build())
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
