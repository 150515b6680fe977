package io.tollgate.responsecache;

import java.time.Duration;

import io.tollgate.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/**
 * Cached responses in Redis, shared by every replica: one {@code GET} per lookup, one {@code SET ... PX} per
 * store, under {@code tollgate:rc:<hash>}, each with a TTL.
 */
class RedisResponseCacheStore implements ResponseCacheStore {

	static final String PREFIX = "tollgate:rc:";

	private final ReactiveRedisTemplate<String, byte[]> redis;

	private final RedisReadiness readiness;

	RedisResponseCacheStore(ReactiveRedisTemplate<String, byte[]> redis, RedisReadiness readiness) {
		this.redis = redis;
		this.readiness = readiness;
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
		if (!this.readiness.isConnected()) {
			return Mono.empty();
		}
		return this.redis.opsForValue().set(PREFIX + key, response.toBytes(), keepFor).then();
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

}
