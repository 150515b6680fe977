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

	/** Stores an entry for {@code keepFor} (its fresh time plus any stale-if-error window). */
	Mono<Void> put(String key, CachedResponse response, Duration keepFor);

	Mono<Boolean> evict(String key);

	/** Removes every entry stored under one URI tag (RFC 9111 section 4.4); returns how many. */
	Mono<Long> invalidate(String uriTag);

	/** Removes every entry; returns how many. */
	Mono<Long> clear();

	/** Entries held, and their bytes when known (-1 otherwise). */
	Mono<long[]> size();

	/** The largest body this store keeps; larger responses pass through unstored. */
	default long maxEntrySize() {
		return Long.MAX_VALUE;
	}

}
