package io.tollgate.responsecache;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Sinks;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * One response being recorded for the cache as it streams to the client. The ResponseCache filter attaches it
 * to the exchange on a miss or a revalidation; {@link CapturingResponse} feeds it; a body over
 * {@code max-entry-size} is let through and not recorded. A 304 to a revalidation refreshes the stored entry
 * instead ({@link #refresh}).
 */
final class Capture {

	static final String ATTRIBUTE = Capture.class.getName();

	/**
	 * Headers never stored: per hop, per request, or recomputed on every hit. Date is stored: a hit carries the
	 * upstream's Date, and its age in Age.
	 */
	private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "transfer-encoding", "age",
			"x-request-id", "set-cookie", "proxy-connection", "upgrade", "trailer");

	/**
	 * Fields that describe the stored body (RFC 9111 section 3.2): a newer response never changes them, and one that
	 * states other values is about another representation.
	 */
	private static final List<String> CONTENT_FIELDS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_ENCODING,
			HttpHeaders.CONTENT_LANGUAGE, HttpHeaders.CONTENT_RANGE);

	/** Where a capture's outcome goes: the store (through the filter), and the lookup meter. */
	interface Outcome {

		void store(CachedResponse entry);

		/** The stored entry no longer stands for what the upstream has: removed. */
		void forget();

		/** Counts how a revalidation ended (a miss counts when it starts). */
		void count(CacheStatus status);

	}

	final String key;

	final CacheStatus status;

	/** The stored entry being replaced (expired, or asked to be refreshed), or null. */
	final CachedResponse stale;

	/** Whether the request went upstream with the stored entry's validators (so a 304 refreshes it). */
	final boolean revalidating;

	private final ResponsePolicy policy;

	private final Sinks.One<CachedResponse> waiters;

	private final Outcome outcome;

	private final HttpHeaders requestHeaders;

	private long expectedLength = -1;

	private ByteArrayOutputStream body = new ByteArrayOutputStream();

	private int statusCode;

	private List<Map.Entry<String, String>> headers;

	private ResponsePolicy.Verdict verdict;

	private long receivedAt;

	private boolean done;

	private boolean counted;

	Capture(String key, CacheStatus status, CachedResponse stale, boolean revalidating, ResponsePolicy policy,
			Sinks.One<CachedResponse> waiters, Outcome outcome, HttpHeaders requestHeaders) {
		this.key = key;
		this.status = status;
		this.stale = stale;
		this.revalidating = revalidating;
		this.policy = policy;
		this.waiters = waiters;
		this.outcome = outcome;
		this.requestHeaders = requestHeaders;
	}

	/**
	 * Decides, once status and headers are known, whether the response will be stored; false means it passes
	 * through unrecorded.
	 */
	synchronized boolean begin(int statusCode, HttpHeaders responseHeaders, ServerWebExchange exchange, long now) {
		// Only what the upstream sent is stored: not a circuit breaker's fallback, nor anything the gateway wrote.
		ResponsePolicy.Verdict verdict = fromUpstream(exchange)
				? this.policy.verdict(statusCode, responseHeaders, this.requestHeaders, now) : null;
		if (verdict == null) {
			abandon();
			return false;
		}
		this.statusCode = statusCode;
		// Freshness counts from when the response arrived (RFC 9111's response_time), not from when its body ended.
		this.receivedAt = now;
		this.expectedLength = responseHeaders.getContentLength();
		this.verdict = verdict;
		this.headers = storable(responseHeaders, exchange);
		return true;
	}

	/**
	 * A 304 to the revalidation (RFC 9111 section 4.3.3): the stored entry, with the 304's headers in place of its
	 * own (section 3.2), is fresh again and is what the client gets. A 304 that names another representation (a
	 * different entity tag) or forbids storing leaves nothing stored; the entry still answers this once, since the
	 * upstream said the client's copy (the cache's) is current.
	 */
	synchronized CachedResponse refresh(HttpHeaders notModified, ServerWebExchange exchange, long now) {
		if (notModified.containsHeader(HttpHeaders.SET_COOKIE)) {
			// Meant for this client (it gets the cookie): the shared entry is neither refreshed nor dropped.
			finish(null);
			return this.stale;
		}
		CachedResponse refreshed = updated(this.stale, notModified, storable(notModified, exchange), this.policy,
				this.requestHeaders, now);
		if (refreshed == null) {
			this.outcome.forget();
		}
		else if (refreshed.isFresh(now) || !withoutDate(refreshed.headers()).equals(withoutDate(this.stale.headers()))) {
			// A no-cache entry's 304 that changes nothing is not stored again: its body would be rewritten for nothing.
			this.outcome.store(refreshed);
		}
		finish(refreshed);
		return (refreshed != null) ? refreshed : this.stale;
	}

	private static List<Map.Entry<String, String>> withoutDate(List<Map.Entry<String, String>> headers) {
		return headers.stream().filter((header) -> !header.getKey().equalsIgnoreCase(HttpHeaders.DATE)).toList();
	}

	/** Whether the exchange's response came from the upstream (Spring Cloud Gateway's routing filter). */
	static boolean fromUpstream(ServerWebExchange exchange) {
		return exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES) != null
				&& exchange.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR) == null;
	}

	/** For a refresh whose request was already counted (a stale answer): it counts nothing more. */
	synchronized void alreadyCounted() {
		this.counted = true;
	}

	/** Counts a revalidation's outcome once. */
	synchronized void counted(CacheStatus outcome) {
		if (this.revalidating && !this.counted) {
			this.counted = true;
			this.outcome.count(outcome);
		}
	}

	/**
	 * A stored entry updated from a newer response's headers (a 304, or a HEAD response: sections 3.2, 4.3.4 and
	 * 4.3.5); null when that response is about another representation or may not be stored.
	 */
	static CachedResponse updated(CachedResponse stored, HttpHeaders newer, List<Map.Entry<String, String>> newerStorable,
			ResponsePolicy policy, HttpHeaders requestHeaders, long now) {
		if (!sameRepresentation(stored, newer)) {
			return null;
		}
		Set<String> replaced = new java.util.HashSet<>();
		for (Map.Entry<String, String> header : newerStorable) {
			replaced.add(header.getKey().toLowerCase(Locale.ROOT));
		}
		// Content-Length and the content fields describe the stored body, which does not change (section 3.2).
		replaced.remove("content-length");
		CONTENT_FIELDS.forEach((field) -> replaced.remove(field.toLowerCase(Locale.ROOT)));
		List<Map.Entry<String, String>> merged = new ArrayList<>();
		for (Map.Entry<String, String> header : stored.headers()) {
			if (!replaced.contains(header.getKey().toLowerCase(Locale.ROOT))) {
				merged.add(header);
			}
		}
		for (Map.Entry<String, String> header : newerStorable) {
			if (replaced.contains(header.getKey().toLowerCase(Locale.ROOT))) {
				merged.add(header);
			}
		}
		if (!newer.containsHeader(HttpHeaders.DATE)) {
			// RFC 9110 section 6.6.1: a cache adds the Date a message lacks; the stored one would age the entry.
			merged.removeIf((header) -> header.getKey().equalsIgnoreCase(HttpHeaders.DATE));
			merged.add(Map.entry(HttpHeaders.DATE, Freshness.httpDate(now)));
		}
		HttpHeaders mergedHeaders = new HttpHeaders();
		merged.forEach((header) -> mergedHeaders.add(header.getKey(), header.getValue()));
		if (newer.getFirst(HttpHeaders.AGE) != null) {
			mergedHeaders.set(HttpHeaders.AGE, newer.getFirst(HttpHeaders.AGE)); // its age counts, though not stored
		}
		ResponsePolicy.Verdict verdict = policy.verdict(stored.status(), mergedHeaders, requestHeaders, now);
		if (verdict == null || newer.containsHeader(HttpHeaders.SET_COOKIE)) {
			return null;
		}
		return policy.entry(stored.status(), List.copyOf(merged), stored.body(), verdict, now);
	}

	/**
	 * Whether a newer response's validators (and, for HEAD, length) agree with the stored ones, where both have
	 * them (sections 4.3.4, 4.3.5). Entity tags are compared without their weakness: {@code W/"a"} and {@code "a"}
	 * name one representation here, as the 304 answers the tag the cache sent.
	 */
	private static boolean sameRepresentation(CachedResponse stored, HttpHeaders newer) {
		String newerTag = newer.getETag();
		String storedTag = stored.header(HttpHeaders.ETAG);
		if (newerTag != null && storedTag != null && !ConditionalRequests.opaque(newerTag).equals(ConditionalRequests.opaque(storedTag))) {
			return false;
		}
		String newerModified = newer.getFirst(HttpHeaders.LAST_MODIFIED);
		String storedModified = stored.header(HttpHeaders.LAST_MODIFIED);
		if (newerModified != null && storedModified != null
				&& !java.util.Objects.equals(Freshness.epochMs(newerModified), Freshness.epochMs(storedModified))) {
			return false;
		}
		for (String field : CONTENT_FIELDS) {
			String value = newer.getFirst(field);
			String kept = stored.header(field);
			if (value != null && !value.equalsIgnoreCase((kept != null) ? kept : "")) {
				return false;
			}
		}
		long newerLength = newer.getContentLength();
		return newerLength <= 0 || newerLength == stored.body().length;
	}

	/** Whether both have a validator of one kind, and it agrees: what a HEAD response needs to update an entry. */
	static boolean validatorsAgree(CachedResponse stored, HttpHeaders newer) {
		String newerTag = newer.getETag();
		String storedTag = stored.header(HttpHeaders.ETAG);
		boolean tags = newerTag != null && storedTag != null;
		boolean dates = newer.getFirst(HttpHeaders.LAST_MODIFIED) != null && stored.header(HttpHeaders.LAST_MODIFIED) != null;
		return (tags || dates) && sameRepresentation(stored, newer);
	}

	/** The headers of an upstream response that a stored entry keeps: the upstream's own, less those above. */
	static List<Map.Entry<String, String>> storable(HttpHeaders responseHeaders, ServerWebExchange exchange) {
		Set<String> upstreamNames = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES);
		List<Map.Entry<String, String>> kept = new ArrayList<>();
		responseHeaders.forEach((name, values) -> {
			boolean fromUpstream = upstreamNames != null && upstreamNames.stream().anyMatch(name::equalsIgnoreCase);
			if (fromUpstream && !NOT_STORED.contains(name.toLowerCase(Locale.ROOT))
					&& !name.regionMatches(true, 0, "x-cache-", 0, 8) && !name.regionMatches(true, 0, "ratelimit", 0, 9)
					&& !name.regionMatches(true, 0, "x-ratelimit", 0, 11) && !name.equalsIgnoreCase("retry-after")) {
				values.forEach((value) -> kept.add(Map.entry(name, value)));
			}
		});
		return List.copyOf(kept);
	}

	synchronized void append(DataBuffer buffer) {
		if (this.body == null) {
			return;
		}
		if (this.body.size() + buffer.readableByteCount() > this.policy.maxEntrySize()) {
			// Too large to keep: the rest streams to the client, nothing is stored.
			this.body = null;
			return;
		}
		try (DataBuffer.ByteBufferIterator parts = buffer.readableByteBuffers()) {
			while (parts.hasNext()) {
				ByteBuffer part = parts.next();
				byte[] bytes = new byte[part.remaining()];
				part.get(bytes);
				this.body.write(bytes, 0, bytes.length);
			}
		}
		if (this.body.size() == this.expectedLength) {
			// The last byte is in hand: store now, before the client can see the end and ask again.
			complete();
		}
	}

	/** The whole body went to the client: store it (if still wanted) and hand it to the waiters. */
	synchronized CachedResponse complete() {
		CachedResponse entry = null;
		if (!this.done && this.body != null && this.headers != null) {
			entry = this.policy.entry(this.statusCode, this.headers, this.body.toByteArray(), this.verdict,
					this.receivedAt);
			this.outcome.store(entry);
		}
		finish(entry);
		return entry;
	}

	synchronized void abandon() {
		this.body = null;
		finish(null);
	}

	/** Always called when the exchange ends: waiters never wait past it. */
	synchronized void finish(CachedResponse entry) {
		if (!this.done) {
			this.done = true;
			counted(this.status); // a revalidation that got no 304 (or none at all) counts as what it started as
			if (this.waiters != null) {
				this.policy.inFlight().finish(this.key, this.waiters, entry);
			}
		}
	}

}
