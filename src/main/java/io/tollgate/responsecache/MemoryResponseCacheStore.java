package io.tollgate.responsecache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import reactor.core.publisher.Mono;

/**
 * Cached responses in this replica's heap (Caffeine): bounded by the total bytes they hold, not by their count,
 * each entry dropped when its fresh and stale time is over.
 */
class MemoryResponseCacheStore implements ResponseCacheStore {

	private final Cache<String, Timed> entries;

	MemoryResponseCacheStore(long maxBytes) {
		this.entries = Caffeine.newBuilder()
			.maximumWeight(maxBytes)
			.weigher((String key, Timed value) -> key.length() + value.response.weight())
			.expireAfter(new Expiry<String, Timed>() {
				@Override
				public long expireAfterCreate(String key, Timed value, long currentTime) {
					return value.keepForNanos;
				}

				@Override
				public long expireAfterUpdate(String key, Timed value, long currentTime, long currentDuration) {
					return value.keepForNanos;
				}

				@Override
				public long expireAfterRead(String key, Timed value, long currentTime, long currentDuration) {
					return currentDuration;
				}
			})
			.build();
	}

	@Override
	public Mono<CachedResponse> get(String key) {
		Timed timed = this.entries.getIfPresent(key);
		return (timed != null) ? Mono.just(timed.response) : Mono.empty();
	}

	@Override
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		this.entries.put(key, new Timed(response, TimeUnit.MILLISECONDS.toNanos(Math.max(1, keepFor.toMillis()))));
		return Mono.empty();
	}

	@Override
	public Mono<Boolean> evict(String key) {
		return Mono.just(this.entries.asMap().remove(key) != null);
	}

	@Override
	public Mono<Long> clear() {
		long count = this.entries.estimatedSize();
		this.entries.invalidateAll();
		return Mono.just(count);
	}

	@Override
	public Mono<long[]> size() {
		return Mono.just(new long[] { this.entries.estimatedSize(), weightedBytes() });
	}

	/** Bytes held now (the gauge {@code tollgate.cache.size.bytes}). */
	long weightedBytes() {
		this.entries.cleanUp();
		return this.entries.policy().eviction().map((eviction) -> eviction.weightedSize().orElse(0)).orElse(0L);
	}

	private record Timed(CachedResponse response, long keepForNanos) {
	}

}
