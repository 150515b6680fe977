package io.tollgate.responsecache;

/** The value of {@code X-Cache-Status}, and the {@code result} tag of the lookup meter. */
enum CacheStatus {

	/** Served from the cache (a stale entry too, when the upstream failed). */
	HIT("Hit"),
	/** Not in the cache (or expired): fetched, and stored if the response allows. */
	MISS("Miss"),
	/** The client asked to skip the cache ({@code no-cache}): fetched and stored afresh. */
	REFRESH("Refresh"),
	/** Not cacheable (method, status, content type, directives, size) or the store is unavailable. */
	BYPASS("Bypass");

	private final String header;

	CacheStatus(String header) {
		this.header = header;
	}

	String header() {
		return this.header;
	}

}
