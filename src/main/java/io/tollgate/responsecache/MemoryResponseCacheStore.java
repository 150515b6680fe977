package io.tollgate.responsecache;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import reactor.core.publisher.Mono;

/**
 * Cached responses in this replica's heap (Caffeine): bounded by the total bytes they hold, not by their count,
 * each entry dropped when its fresh and stale time is over. The keys held for each URI tag are indexed for
 * {@link #invalidate}; a key leaves the index when its entry leaves the cache, so the index never outgrows it.
 */
class MemoryResponseCacheStore implements ResponseCacheStore {

	private final Cache<String, Timed> entries;

	/** URI tag to the keys held under it. */
	private final Map<String, Set<String>> byUri = new ConcurrentHashMap<>();

	MemoryResponseCacheStore(long maxBytes) {
		this.entries = Caffeine.newBuilder()
			// On the thread that removed it: the index forgets a key as its entry goes, not some time after.
			.executor(Runnable::run)
			.removalListener((String key, Timed value, RemovalCause cause) -> {
				if (key != null && cause != RemovalCause.REPLACED) {
					unindex(key);
				}
			})
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
		this.byUri.compute(CacheKeys.uriTagOf(key), (tag, keys) -> {
			Set<String> held = (keys != null) ? keys : ConcurrentHashMap.newKeySet();
			held.add(key);
			return held;
		});
		if (!this.entries.asMap().containsKey(key)) {
			unindex(key); // invalidated (or evicted) between the two steps above
		}
		return Mono.empty();
	}

	@Override
	public Mono<Long> invalidate(String uriTag) {
		Set<String> keys = this.byUri.remove(uriTag);
		if (keys == null) {
			return Mono.just(0L);
		}
		long removed = keys.stream().filter((key) -> this.entries.asMap().remove(key) != null).count();
		return Mono.just(removed);
	}

	/** Forgets a removed key, unless it was stored again meanwhile (checked under the tag's lock). */
	private void unindex(String key) {
		this.byUri.computeIfPresent(CacheKeys.uriTagOf(key), (tag, keys) -> {
			if (!this.entries.asMap().containsKey(key)) {
				keys.remove(key);
			}
			return keys.isEmpty() ? null : keys;
		});
	}

	/** URI tags indexed now (for tests: the index is as bounded as the entries). */
	int indexedUris() {
		return this.byUri.size();
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
