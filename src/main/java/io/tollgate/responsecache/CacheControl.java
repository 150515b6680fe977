package io.tollgate.responsecache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Cache-Control} directives a shared cache acts on (RFC 9111 section 5.2), read from every value of
 * the header and every comma-separated directive in each (SCG's LocalResponseCache compares whole values, so
 * {@code no-cache, no-store} slips through it).
 *
 * @param noCache {@code no-cache}: must revalidate (requests: refresh; responses: not stored)
 * @param noStore {@code no-store}: never stored
 * @param isPrivate {@code private}: for one user only, never stored by a shared cache
 * @param maxAge {@code max-age} seconds, or -1
 * @param sMaxAge {@code s-maxage} seconds, or -1
 * @param isPublic {@code public}: any cache may store it, even for a request with {@code Authorization}
 * @param mustRevalidate {@code must-revalidate}: never served stale
 * @param proxyRevalidate {@code proxy-revalidate}: never served stale by a shared cache
 * @param staleWhileRevalidate RFC 5861 {@code stale-while-revalidate} seconds, or -1
 * @param staleIfError RFC 5861 {@code stale-if-error} seconds, or -1
 */
record CacheControl(boolean noCache, boolean noStore, boolean isPrivate, long maxAge, long sMaxAge, boolean isPublic,
		boolean mustRevalidate, boolean proxyRevalidate, long staleWhileRevalidate, long staleIfError) {

	/** RFC 9111 section 1.2.2: the largest delta-seconds a cache needs to represent. */
	static final long MAX_DELTA_SECONDS = 2_147_483_648L;

	static final CacheControl NONE = new CacheControl(false, false, false, -1, -1, false, false, false, -1, -1);

	static CacheControl parse(List<String> values) {
		if (values == null || values.isEmpty()) {
			return NONE;
		}
		boolean noCache = false;
		boolean noStore = false;
		boolean isPrivate = false;
		long maxAge = -1;
		long sMaxAge = -1;
		boolean isPublic = false;
		boolean mustRevalidate = false;
		boolean proxyRevalidate = false;
		long staleWhileRevalidate = -1;
		long staleIfError = -1;
		for (String value : values) {
			for (String directive : directives(value)) {
				String token = directive.trim().toLowerCase(Locale.ROOT);
				int eq = token.indexOf('=');
				String name = (eq >= 0) ? token.substring(0, eq).trim() : token;
				String argument = (eq >= 0) ? token.substring(eq + 1).trim().replace("\"", "") : null;
				switch (name) {
					case "no-cache" -> noCache = true;
					case "no-store" -> noStore = true;
					case "private" -> isPrivate = true;
					case "max-age" -> maxAge = seconds(argument, maxAge);
					case "s-maxage" -> sMaxAge = seconds(argument, sMaxAge);
					case "public" -> isPublic = true;
					case "must-revalidate" -> mustRevalidate = true;
					case "proxy-revalidate" -> proxyRevalidate = true;
					case "stale-while-revalidate" -> staleWhileRevalidate = seconds(argument, staleWhileRevalidate);
					case "stale-if-error" -> staleIfError = seconds(argument, staleIfError);
					default -> {
					}
				}
			}
		}
		return new CacheControl(noCache, noStore, isPrivate, maxAge, sMaxAge, isPublic, mustRevalidate, proxyRevalidate,
				staleWhileRevalidate, staleIfError);
	}

	/**
	 * The comma-separated directives of one header value. A comma inside a quoted argument (RFC 9110 section 5.6.4,
	 * with backslash escapes) does not separate: {@code ext="a, public"} is one directive, not a {@code public}.
	 */
	private static List<String> directives(String value) {
		if (value.indexOf('"') < 0) {
			return List.of(value.split(","));
		}
		List<String> directives = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (quoted && c == '\\' && i + 1 < value.length()) {
				current.append(c).append(value.charAt(++i));
				continue;
			}
			if (c == '"') {
				quoted = !quoted;
			}
			if (c == ',' && !quoted) {
				directives.add(current.toString());
				current.setLength(0);
			}
			else {
				current.append(c);
			}
		}
		directives.add(current.toString());
		return directives;
	}

	/**
	 * RFC 9111 section 3.5: a shared cache may store the response to a request with {@code Authorization} only
	 * when the response says so with {@code public}, {@code s-maxage} or {@code must-revalidate}.
	 */
	boolean allowsSharingAnAuthorizedResponse() {
		return this.isPublic || this.sMaxAge >= 0 || this.mustRevalidate;
	}

	/**
	 * Whether a shared cache may ever serve the response stale: not with must-revalidate, proxy-revalidate or
	 * s-maxage (sections 5.2.2.2, 5.2.2.8, 5.2.2.10).
	 */
	boolean mayServeStale() {
		// Section 5.2.2.10: s-maxage also means proxy-revalidate to a shared cache.
		return !this.mustRevalidate && !this.proxyRevalidate && this.sMaxAge < 0;
	}

	/** A request that says what {@code no-cache} says: the {@code Pragma: no-cache} of HTTP/1.0 clients. */
	CacheControl withNoCache() {
		return new CacheControl(true, this.noStore, this.isPrivate, this.maxAge, this.sMaxAge, this.isPublic,
				this.mustRevalidate, this.proxyRevalidate, this.staleWhileRevalidate, this.staleIfError);
	}

	/** The freshness lifetime a shared cache gets from the response, or -1 when it does not say. */
	long sharedMaxAge() {
		return (this.sMaxAge >= 0) ? this.sMaxAge : this.maxAge;
	}

	private static long seconds(String argument, long previous) {
		if (argument == null) {
			return previous;
		}
		if (!argument.isEmpty() && argument.chars().allMatch(Character::isDigit) && argument.length() > 10) {
			// RFC 9111 1.2.2: a delta-seconds too large to hold is 2^31 seconds, not an error.
			return (previous < 0) ? MAX_DELTA_SECONDS : Math.min(previous, MAX_DELTA_SECONDS);
		}
		try {
			long value = Math.min(Long.parseLong(argument), MAX_DELTA_SECONDS);
			// RFC 9111 4.2.1: with duplicate directives, the most restrictive (lowest) wins.
			return (previous < 0) ? Math.max(0, value) : Math.min(previous, Math.max(0, value));
		}
		catch (NumberFormatException ex) {
			// An invalid value is treated as stale (0).
			return 0;
		}
	}

}
