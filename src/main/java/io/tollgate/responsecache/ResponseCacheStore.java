package io.tollgate.responsecache;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Where cached responses live. Keys are already hashed by the caller, as {@code <uri tag>:<hash>}: the part before
 * the colon names the request URI ({@link CacheKeys}), under which a store files each entry so that a write to that
 * URI can remove them all ({@link #invalidate}).
 */
public interface ResponseCacheStore {

	/** The entry, or empty. Errors mean the store is unavailable: the caller passes the request through. */
	Mono<CachedResponse> get(String key);

	/** The most entries (consumers, encodings, vary values) one URI holds; storing more drops others. */
	int MAX_VARIANTS_PER_URI = 1000;

	/** How long a store remembers that a URI was invalidated: longer than any fetch that started before may last. */
	Duration INVALIDATION_MEMORY = Duration.ofMinutes(1);

	/** Stores an entry for {@code keepFor} (its fresh time plus any stale-if-error window). */
	default Mono<Void> put(String key, CachedResponse response, Duration keepFor) {
		return put(key, response, keepFor, Long.MIN_VALUE);
	}

	/**
	 * Stores an entry for {@code keepFor} (its fresh, stale and keep time), unless its URI was invalidated at or
	 * after {@code fetchedSince} (epoch ms): a response fetched before a write may be what the write replaced.
	 */
	Mono<Void> put(String key, CachedResponse response, Duration keepFor, long fetchedSince);

	Mono<Boolean> evict(String key);

	/**
	 * Removes every entry stored under one URI tag (RFC 9111 section 4.4), and refuses, for
	 * {@link #INVALIDATION_MEMORY}, entries fetched before {@code at}; returns how many were removed.
	 */
	Mono<Long> invalidate(String uriTag, long at);

	/** Removes every entry; returns how many. */
	Mono<Long> clear();

	/** Entries held, and their bytes when known (-1 otherwise). */
	Mono<long[]> size();

	/** The largest body this store keeps; larger responses pass through unstored. */
	default long maxEntrySize() {
		return Long.MAX_VALUE;
	}

}
