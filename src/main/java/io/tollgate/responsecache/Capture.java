package io.tollgate.responsecache;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * One response being recorded for the cache as it streams to the client. The ResponseCache filter attaches it
 * to the exchange on a miss; {@link CapturingResponse} feeds it; a body over {@code max-entry-size} is let
 * through and not recorded.
 */
final class Capture {

	static final String ATTRIBUTE = Capture.class.getName();

	/**
	 * Headers never stored: per hop, per request, or recomputed on every hit. Date is stored: a hit carries the
	 * upstream's Date, and its age in Age.
	 */
	private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "transfer-encoding", "age",
			"x-request-id", "set-cookie", "proxy-connection", "upgrade", "trailer");

	final String key;

	final CacheStatus status;

	final CachedResponse stale;

	private final ResponsePolicy policy;

	private final Sinks.One<CachedResponse> waiters;

	private final Consumer<CachedResponse> store;

	private final HttpHeaders requestHeaders;

	private final long staleIfErrorMs;

	private long expectedLength = -1;

	private ByteArrayOutputStream body = new ByteArrayOutputStream();

	private int statusCode;

	private List<Map.Entry<String, String>> headers;

	private long freshMs;

	private long receivedAt;

	/** How old the response was on arrival: its age on a hit is this plus the time it has been stored. */
	private long ageMs;

	private Map<String, String> vary;

	private boolean mayServeStale;

	private boolean done;

	Capture(String key, CacheStatus status, CachedResponse stale, ResponsePolicy policy, Sinks.One<CachedResponse> waiters,
			Consumer<CachedResponse> store, HttpHeaders requestHeaders, long staleIfErrorMs) {
		this.key = key;
		this.status = status;
		this.stale = stale;
		this.policy = policy;
		this.waiters = waiters;
		this.store = store;
		this.requestHeaders = requestHeaders;
		this.staleIfErrorMs = staleIfErrorMs;
	}

	/**
	 * Decides, once status and headers are known, whether the response will be stored; false means it passes
	 * through unrecorded.
	 */
	boolean begin(int statusCode, HttpHeaders responseHeaders, ServerWebExchange exchange, long now) {
		ResponsePolicy.Verdict verdict = this.policy.verdict(statusCode, responseHeaders, this.requestHeaders, now);
		if (verdict == null) {
			abandon();
			return false;
		}
		this.statusCode = statusCode;
		// Freshness counts from when the response arrived (RFC 9111's response_time), not from when its body ended.
		this.receivedAt = now;
		this.expectedLength = responseHeaders.getContentLength();
		this.freshMs = verdict.freshMs();
		this.ageMs = verdict.ageMs();
		this.vary = verdict.vary();
		this.mayServeStale = verdict.mayServeStale();
		Set<String> upstreamNames = exchange.getAttribute(
				org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES);
		List<Map.Entry<String, String>> kept = new ArrayList<>();
		responseHeaders.forEach((name, values) -> {
			boolean fromUpstream = upstreamNames == null || upstreamNames.stream().anyMatch(name::equalsIgnoreCase);
			if (fromUpstream && !NOT_STORED.contains(name.toLowerCase(java.util.Locale.ROOT))
					&& !name.regionMatches(true, 0, "x-cache-", 0, 8) && !name.regionMatches(true, 0, "ratelimit", 0, 9)
					&& !name.regionMatches(true, 0, "x-ratelimit", 0, 11) && !name.equalsIgnoreCase("retry-after")) {
				values.forEach((value) -> kept.add(Map.entry(name, value)));
			}
		});
		this.headers = List.copyOf(kept);
		return true;
	}

	void append(DataBuffer buffer) {
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
	CachedResponse complete() {
		CachedResponse entry = null;
		if (!this.done && this.body != null && this.headers != null && this.freshMs > 0) {
			// Stored as if it had arrived when it was generated: Age, freshness and expiry all count from there.
			long at = this.receivedAt - this.ageMs;
			entry = new CachedResponse(this.statusCode, this.headers, this.body.toByteArray(), at, at + this.freshMs,
					at + this.freshMs + (this.mayServeStale ? this.staleIfErrorMs : 0), this.vary);
			this.store.accept(entry);
		}
		finish(entry);
		return entry;
	}

	void abandon() {
		this.body = null;
		finish(null);
	}

	/** Always called when the exchange ends: waiters never wait past it. */
	void finish(CachedResponse entry) {
		if (!this.done) {
			this.done = true;
			if (this.waiters != null) {
				this.policy.inFlight().finish(this.key, this.waiters, entry);
			}
		}
	}

}
