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

	/** URI to when it was last invalidated; kept as long as the longest-lived entry stored so far. */
	private final Cache<String, Long> invalidated;

	private volatile long longestKeepNanos = TimeUnit.MINUTES.toNanos(1);

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
		this.invalidated = Caffeine.newBuilder()
			.maximumSize(MAX_INVALIDATIONS)
			.expireAfter(new Expiry<String, Long>() {
				@Override
				public long expireAfterCreate(String key, Long value, long currentTime) {
					return MemoryResponseCacheStore.this.longestKeepNanos;
				}

				@Override
				public long expireAfterUpdate(String key, Long value, long currentTime, long currentDuration) {
					return MemoryResponseCacheStore.this.longestKeepNanos;
				}

				@Override
				public long expireAfterRead(String key, Long value, long currentTime, long currentDuration) {
					return currentDuration;
				}
			})
			.build();
	}

	/** The most URIs whose invalidation is remembered: a flood of writes to distinct URIs cannot grow the heap. */
	static final int MAX_INVALIDATIONS = 100_000;

	@Override
	public Mono<CachedResponse> get(String key) {
		Timed timed = this.entries.getIfPresent(key);
		if (timed == null) {
			return Mono.empty();
		}
		Long invalidatedAt = this.invalidated.getIfPresent(ResponseCacheStore.uriOf(key));
		if (invalidatedAt != null && timed.response.storedAt() <= invalidatedAt) {
			this.entries.asMap().remove(key, timed);
			return Mono.empty();
		}
		return Mono.just(timed.response);
	}

	@Override
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		long keepNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, keepFor.toMillis()));
		if (keepNanos > this.longestKeepNanos) {
			this.longestKeepNanos = keepNanos;
		}
		this.entries.put(key, new Timed(response, keepNanos));
		return Mono.empty();
	}

	@Override
	public Mono<Void> invalidate(String uri, long at) {
		this.invalidated.asMap().merge(uri, at, Math::max);
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
