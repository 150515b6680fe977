package io.tollgate.responsecache;

import java.time.Duration;

import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/**
 * Cached responses in Redis, shared by every replica: one {@code GET} per lookup, one {@code SET ... PX} per
 * store, under {@code tollgate:rc:<hash>}, each with a TTL of at most {@code max-ttl} and a body of at most
 * {@code max-entry-size}. It does not bound the total: that is the Redis server's {@code maxmemory}.
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
		return this.redis.opsForValue().get(PREFIX + key).mapNotNull(CachedResponse::fromBytes);
	}

	@Override
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		if (!this.readiness.isConnected() || response.body().length > this.maxEntrySize) {
			return Mono.empty();
		}
		Duration ttl = (keepFor.compareTo(this.maxTtl) > 0) ? this.maxTtl : keepFor;
		return this.redis.opsForValue().set(PREFIX + key, response.toBytes(), ttl).then();
	}

	@Override
	public Mono<Boolean> evict(String key) {
		return this.redis.delete(PREFIX + key).map((count) -> count > 0);
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
