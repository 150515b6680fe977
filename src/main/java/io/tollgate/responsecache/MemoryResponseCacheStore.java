package io.tollgate.responsecache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * each entry dropped when its fresh, stale and keep time is over. The keys held for each URI tag are indexed for
 * {@link #invalidate}; a key leaves the index when its entry leaves the cache, so the index never outgrows it, and a
 * URI holds at most {@link ResponseCacheStore#MAX_VARIANTS_PER_URI} entries, so an invalidation is bounded too.
 */
class MemoryResponseCacheStore implements ResponseCacheStore {

	private final Cache<String, Timed> entries;

	/** URI tag to the keys held under it. */
	private final Map<String, Set<String>> byUri = new ConcurrentHashMap<>();

	/**
	 * When each URI was last invalidated, for as long as a response fetched before then may still arrive. Bounded:
	 * under more than 100,000 writes a minute the oldest are forgotten, and a fetch racing such a write may store
	 * what the write replaced until it expires.
	 */
	private final Cache<String, Long> invalidatedAt = Caffeine.newBuilder()
		.expireAfterWrite(INVALIDATION_MEMORY)
		.maximumSize(100_000)
		.build();

	/** Puts and invalidations of one URI are serialised, so an invalidation never misses an entry being stored. */
	private final Object[] stripes = new Object[64];

	MemoryResponseCacheStore(long maxBytes) {
		for (int i = 0; i < this.stripes.length; i++) {
			this.stripes[i] = new Object();
		}
		this.entries = Caffeine.newBuilder()
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
	public Mono<Void> put(String key, CachedResponse response, Duration keepFor, long fetchedSince) {
		String tag = CacheKeys.uriTagOf(key);
		synchronized (stripe(tag)) {
			Long invalidated = this.invalidatedAt.getIfPresent(tag);
			if (invalidated != null && invalidated >= fetchedSince) {
				return Mono.empty(); // fetched before a write to its URI: it may be what the write replaced
			}
			this.entries.put(key, new Timed(response, TimeUnit.MILLISECONDS.toNanos(Math.max(1, keepFor.toMillis()))));
			// In one compute: an unindex of the tag's last key cannot drop the set this key goes into.
			List<String> surplus = new ArrayList<>();
			this.byUri.compute(tag, (t, keys) -> {
				Set<String> held = (keys != null) ? keys : ConcurrentHashMap.newKeySet();
				held.add(key);
				Iterator<String> others = held.iterator();
				while (held.size() > MAX_VARIANTS_PER_URI && others.hasNext()) {
					String other = others.next();
					if (!other.equals(key)) {
						others.remove();
						surplus.add(other);
					}
				}
				return held;
			});
			// Outside the compute: Caffeine may run its removal listener (which updates byUri) on this thread.
			this.entries.invalidateAll(surplus);
		}
		if (!this.entries.asMap().containsKey(key)) {
			unindex(key); // evicted at once (larger than the whole cache)
		}
		return Mono.empty();
	}

	@Override
	public Mono<Long> invalidate(String uriTag, long at) {
		long removed = 0;
		synchronized (stripe(uriTag)) {
			this.invalidatedAt.asMap().merge(uriTag, at, Math::max);
			Set<String> keys = this.byUri.remove(uriTag);
			if (keys != null) {
				for (String key : keys) {
					removed += (this.entries.asMap().remove(key) != null) ? 1 : 0;
				}
			}
		}
		return Mono.just(removed);
	}

	/** Forgets a removed key, unless it was stored again meanwhile. */
	private void unindex(String key) {
		this.byUri.computeIfPresent(CacheKeys.uriTagOf(key), (tag, keys) -> {
			if (!this.entries.asMap().containsKey(key)) {
				keys.remove(key);
			}
			return keys.isEmpty() ? null : keys;
		});
	}

	private Object stripe(String tag) {
		return this.stripes[Math.floorMod(tag.hashCode(), this.stripes.length)];
	}

	/** URI tags indexed now (for tests: the index is as bounded as the entries). */
	int indexedUris() {
		this.entries.cleanUp();
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
