package io.tollgate.responsecache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tollgate.consumer.Sha256;

import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Which responses of a route may be stored, and for how long: status, content type, {@code Cache-Control},
 * {@code Set-Cookie}, {@code Vary}, {@code Authorization} (section 3.5) and size (RFC 9111, as a shared cache).
 */
final class ResponsePolicy {

	/** RFC 9213's field for every CDN (and, here, this gateway); passed on to the client as it is. */
	static final String CDN_CACHE_CONTROL = "CDN-Cache-Control";

	private final Set<Integer> statuses;

	private final List<MediaType> contentTypes;

	private final boolean honourCacheControl;

	private final long ttlMs;

	private final long maxEntrySize;

	private final Set<String> keyedHeaders;

	private final InFlight inFlight;

	private final String targetedField;

	/** Whether a response with only Last-Modified gets 10 % of its age as freshness (RFC 9111 section 4.2.2). */
	private final boolean heuristic;

	/** The route's {@code stale-if-error}: how long past freshness an entry may stand in for a failed upstream. */
	private final long staleIfErrorMs;

	/** How long past its freshness an entry with a validator is kept, to be revalidated (route's {@code keep}). */
	private final long keepMs;

	ResponsePolicy(Set<Integer> statuses, List<MediaType> contentTypes, boolean honourCacheControl, long ttlMs,
			long maxEntrySize, Set<String> keyedHeaders, InFlight inFlight, String targetedField) {
		this(statuses, contentTypes, honourCacheControl, ttlMs, maxEntrySize, keyedHeaders, inFlight, targetedField,
				false);
	}

	ResponsePolicy(Set<Integer> statuses, List<MediaType> contentTypes, boolean honourCacheControl, long ttlMs,
			long maxEntrySize, Set<String> keyedHeaders, InFlight inFlight, String targetedField, boolean heuristic) {
		this(statuses, contentTypes, honourCacheControl, ttlMs, maxEntrySize, keyedHeaders, inFlight, targetedField,
				heuristic, 0, 0);
	}

	ResponsePolicy(Set<Integer> statuses, List<MediaType> contentTypes, boolean honourCacheControl, long ttlMs,
			long maxEntrySize, Set<String> keyedHeaders, InFlight inFlight, String targetedField, boolean heuristic,
			long staleIfErrorMs, long keepMs) {
		this.staleIfErrorMs = staleIfErrorMs;
		this.keepMs = keepMs;
		this.targetedField = targetedField;
		this.heuristic = heuristic;
		this.statuses = statuses;
		this.contentTypes = contentTypes;
		this.honourCacheControl = honourCacheControl;
		this.ttlMs = ttlMs;
		this.maxEntrySize = maxEntrySize;
		this.keyedHeaders = keyedHeaders;
		this.inFlight = inFlight;
	}

	long maxEntrySize() {
		return this.maxEntrySize;
	}

	InFlight inFlight() {
		return this.inFlight;
	}

	String targetedField() {
		return this.targetedField;
	}

	/**
	 * The directives the gateway obeys (RFC 9213 section 2.2): its own targeted field if the response has one, else
	 * {@code CDN-Cache-Control}, else {@code Cache-Control}; a targeted field present replaces the fields after it.
	 */
	List<String> directivesFor(HttpHeaders response) {
		List<String> targeted = targeted(response);
		return (targeted != null) ? targeted : response.get(HttpHeaders.CACHE_CONTROL);
	}

	/** The targeted field that decides, or null: an empty one does not (it would silence Cache-Control's no-store). */
	private List<String> targeted(HttpHeaders response) {
		for (String field : List.of(this.targetedField, CDN_CACHE_CONTROL)) {
			List<String> values = response.get(field);
			if (values != null && values.stream().anyMatch((value) -> !value.isBlank())) {
				return values;
			}
		}
		return null;
	}

	/**
	 * Whether a request carries credentials: {@code Authorization} (RFC 9111 section 3.5), or a {@code Cookie}, where
	 * JwtAuth may take its token from and sessions live. Treated alike, as Varnish does: a response to either is
	 * stored only when the upstream says it may be shared, and only for the same values.
	 */
	static boolean carriesCredentials(HttpHeaders request) {
		return request.containsHeader(HttpHeaders.AUTHORIZATION) || request.containsHeader(HttpHeaders.COOKIE);
	}

	/** The credentials of a request, as one string to digest for its key. */
	static String credentials(HttpHeaders request) {
		List<String> authorization = request.getOrEmpty(HttpHeaders.AUTHORIZATION);
		List<String> cookies = request.getOrEmpty(HttpHeaders.COOKIE);
		return String.join("\n", authorization) + "\ncookie\n" + String.join("\n", cookies);
	}

	/**
	 * How long the response stays fresh and which request headers it varies on beyond the key; null when it must
	 * not be stored.
	 */
	Verdict verdict(int status, HttpHeaders response, HttpHeaders request) {
		return verdict(status, response, request, System.currentTimeMillis());
	}

	/**
	 * As above, for a response that arrived at {@code receivedAt} (RFC 9111's response_time): its age on arrival
	 * (section 4.2.3: the upstream's {@code Age}, or how long ago its {@code Date} was, whichever is more) counts
	 * against its freshness, which comes from {@code s-maxage}, else {@code max-age}, else {@code Expires} minus
	 * {@code Date}, else (with the heuristic) 10 % of the time since {@code Last-Modified}, else the route's ttl.
	 */
	Verdict verdict(int status, HttpHeaders response, HttpHeaders request, long receivedAt) {
		if (!this.statuses.contains(status) || !allowedContentType(response)
				|| response.containsHeader(HttpHeaders.SET_COOKIE)) {
			return null;
		}
		String coding = response.getFirst(HttpHeaders.CONTENT_ENCODING);
		if (coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
			// Only a coding that is part of the key: an entry keyed "accepts nothing" never holds a compressed body.
			List<String> accepted = List.of(ResponseCacheGatewayFilterFactory.acceptedEncodings(request).split(","));
			if (!accepted.contains(coding.trim().toLowerCase(Locale.ROOT)) && !accepted.contains("*")) {
				return null;
			}
		}
		CacheControl directives = CacheControl.parse(directivesFor(response));
		if (carriesCredentials(request)
				&& (!directives.allowsSharingAnAuthorizedResponse() || directives.isPrivate() || directives.noStore())) {
			// Read even when the route does not honour Cache-Control: forcing a TTL never makes an
			// authenticated response shareable unless the upstream opted in (RFC 9111 section 3.5), nor one it
			// marked private or not to be stored.
			return null;
		}
		long freshMs = this.ttlMs;
		long ageMs = 0;
		boolean revalidatable = this.keepMs > 0 && (response.getETag() != null
				|| response.containsHeader(HttpHeaders.LAST_MODIFIED));
		CacheControl obeyed = CacheControl.NONE;
		if (this.honourCacheControl) {
			obeyed = directives;
			if (directives.noStore() || directives.isPrivate()) {
				return null;
			}
			Long lifetime = Freshness.lifetimeMs(directives, response, receivedAt, this.heuristic,
					targeted(response) != null);
			if (lifetime != null) {
				freshMs = lifetime;
			}
			if (directives.noCache()) {
				// Section 5.2.2.4: stored, but revalidated before every reuse; without a validator that is a refetch.
				freshMs = 0;
			}
			ageMs = Freshness.initialAgeMs(response, receivedAt);
		}
		if (freshMs <= ageMs && !revalidatable) {
			return null; // no freshness, or stale on arrival, and nothing to revalidate with
		}
		Map<String, String> vary = new LinkedHashMap<>();
		List<String> varyValues = response.get(HttpHeaders.VARY);
		if (varyValues != null) {
			for (String value : varyValues) {
				for (String name : value.split(",")) {
					String header = name.trim().toLowerCase(Locale.ROOT);
					if (header.equals("*")) {
						return null;
					}
					if (!header.isEmpty() && !this.keyedHeaders.contains(header)) {
						vary.put(header, valueOf(request, header));
					}
				}
			}
		}
		// RFC 9111 sections 5.2.2.2 and 5.2.2.8: a must-revalidate (or proxy-revalidate) response is never served
		// stale by a shared cache, not even on errors; nor is one to be revalidated before every reuse (no-cache).
		boolean mayServeStale = directives.mayServeStale() && !obeyed.noCache();
		return new Verdict(freshMs, ageMs, Map.copyOf(vary), mayServeStale,
				Math.max(0, obeyed.staleWhileRevalidate()) * 1000, Math.max(0, obeyed.staleIfError()) * 1000,
				revalidatable);
	}

	/**
	 * The entry for a response that arrived at {@code receivedAt}, stored as if it had arrived when it was generated
	 * (its age on arrival counted): fresh for its lifetime; then, unless it must be revalidated, servable stale while
	 * it is refreshed ({@code stale-while-revalidate}) and when the upstream fails ({@code stale-if-error}, the
	 * route's or the response's, whichever is longer); kept {@code keep} longer when it has a validator.
	 */
	CachedResponse entry(int status, List<Map.Entry<String, String>> headers, byte[] body, Verdict verdict,
			long receivedAt) {
		long at = receivedAt - verdict.ageMs();
		long freshUntil = at + verdict.freshMs();
		long staleUntil = freshUntil;
		long whileRevalidating = freshUntil;
		if (verdict.mayServeStale()) {
			staleUntil += Math.max(this.staleIfErrorMs, verdict.staleIfErrorMs());
			whileRevalidating += verdict.staleWhileRevalidateMs();
		}
		long keepUntil = Math.max(staleUntil, whileRevalidating);
		if (verdict.revalidatable()) {
			keepUntil = Math.max(keepUntil, Math.max(freshUntil, receivedAt) + this.keepMs);
		}
		return new CachedResponse(status, headers, body, at, freshUntil, staleUntil, verdict.vary(), whileRevalidating,
				keepUntil);
	}

	/** True when a stored entry's {@code Vary} values match this request's. */
	static boolean varyMatches(CachedResponse entry, HttpHeaders request) {
		for (Map.Entry<String, String> vary : entry.vary().entrySet()) {
			if (!vary.getValue().equals(valueOf(request, vary.getKey()))) {
				return false;
			}
		}
		return true;
	}

	private boolean allowedContentType(HttpHeaders response) {
		String declared = response.getFirst(HttpHeaders.CONTENT_TYPE);
		if (declared == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(declared);
			return this.contentTypes.stream().anyMatch((allowed) -> allowed.includes(type));
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

	/** A digest of the request's values: entries (in memory and Redis) never hold a request's cookie or token. */
	private static String valueOf(HttpHeaders request, String name) {
		List<String> values = request.get(name);
		return (values == null) ? "" : Sha256.shortHex(String.join(",", values));
	}

	/**
	 * @param freshMs how long the entry is fresh, counted from when it was generated
	 * @param ageMs how old it already was when it arrived (RFC 9111 section 4.2.3's corrected initial age)
	 * @param vary request headers (beyond the key) and the values it was stored for
	 * @param mayServeStale whether stale-if-error may serve it once it has expired
	 * @param staleWhileRevalidateMs the response's {@code stale-while-revalidate} (RFC 5861), or 0
	 * @param staleIfErrorMs the response's {@code stale-if-error} (RFC 5861), or 0
	 * @param revalidatable whether it has a validator and is kept past its freshness to be revalidated
	 */
	record Verdict(long freshMs, long ageMs, Map<String, String> vary, boolean mayServeStale,
			long staleWhileRevalidateMs, long staleIfErrorMs, boolean revalidatable) {

		Verdict(long freshMs, long ageMs, Map<String, String> vary, boolean mayServeStale) {
			this(freshMs, ageMs, vary, mayServeStale, 0, 0, false);
		}

	}

}
