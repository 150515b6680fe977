package io.tollgate.responsecache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Sinks;

/**
 * Misses being fetched right now, by key: the first miss on a key fetches it, the ones that arrive meanwhile
 * wait for its response instead of all going upstream (stampede protection, per replica).
 */
final class InFlight {

	private final Map<String, Sinks.One<CachedResponse>> fetching = new ConcurrentHashMap<>();

	/** The sink of the fetch this caller now leads, or null if another caller is already fetching the key. */
	Sinks.One<CachedResponse> lead(String key) {
		Sinks.One<CachedResponse> mine = Sinks.one();
		return (this.fetching.putIfAbsent(key, mine) == null) ? mine : null;
	}

	/** The fetch in progress for a key, or null. */
	Sinks.One<CachedResponse> current(String key) {
		return this.fetching.get(key);
	}

	/** Ends a fetch: waiters get the entry (or nothing, and fetch for themselves). */
	void finish(String key, Sinks.One<CachedResponse> sink, CachedResponse entry) {
		this.fetching.remove(key, sink);
		if (entry != null) {
			sink.tryEmitValue(entry);
		}
		else {
			sink.tryEmitEmpty();
		}
	}

}
