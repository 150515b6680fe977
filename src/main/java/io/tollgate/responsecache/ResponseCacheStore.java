package io.tollgate.responsecache;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Where cached responses live. Keys are already hashed and namespaced by the caller, as {@code <uri>-<variant>}: the
 * part before the dash identifies the request's URI (path and query), so that all the entries of one URI can be
 * invalidated at once.
 */
public interface ResponseCacheStore {

	/**
	 * Marks every entry of {@code uri} (the key part before the dash) stored at or before {@code at} as invalid: a
	 * successful unsafe request changed it (RFC 9111 section 4.4). {@link #get} no longer returns them.
	 */
	Mono<Void> invalidate(String uri, long at);

	/** The URI part of a key. */
	static String uriOf(String key) {
		int dash = key.indexOf('-');
		return (dash > 0) ? key.substring(0, dash) : key;
	}

	/** The entry, or empty. Errors mean the store is unavailable: the caller passes the request through. */
	Mono<CachedResponse> get(String key);

	/** Stores an entry for {@code keepFor} (its fresh time plus any stale-if-error window). */
	Mono<Void> put(String key, CachedResponse response, Duration keepFor);

	Mono<Boolean> evict(String key);

	/** Removes every entry; returns how many. */
	Mono<Long> clear();

	/** Entries held, and their bytes when known (-1 otherwise). */
	Mono<long[]> size();

	/** The largest body this store keeps; larger responses pass through unstored. */
	default long maxEntrySize() {
		return Long.MAX_VALUE;
	}

}
