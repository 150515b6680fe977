package io.tollgate.responsecache;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * The value of {@code X-Cache-Status}, and the {@code result} tag of the lookup meter; kept on the exchange for the
 * access log.
 */
public enum CacheStatus {

	/** Served from the cache (a stale entry too, when the upstream failed). */
	HIT("Hit"),
	/** Not in the cache (or expired): fetched, and stored if the response allows. */
	MISS("Miss"),
	/** The client asked to skip the cache ({@code no-cache}): fetched and stored afresh. */
	REFRESH("Refresh"),
	/** Expired, revalidated with the upstream (a conditional request answered 304), and served from the cache. */
	REVALIDATED("Revalidated"),
	/** Expired but within {@code stale-while-revalidate}: served from the cache while it is refreshed once. */
	STALE("Stale"),
	/** Not cacheable (method, status, content type, directives, size) or the store is unavailable. */
	BYPASS("Bypass");

	private final String header;

	CacheStatus(String header) {
		this.header = header;
	}

	private static final String ATTRIBUTE = CacheStatus.class.getName();

	/** The exchange's cache status, as in {@code X-Cache-Status}; null when no ResponseCache filter ran. */
	public static String of(ServerWebExchange exchange) {
		CacheStatus status = exchange.getAttribute(ATTRIBUTE);
		return (status != null) ? status.header : null;
	}

	/** Sets {@code X-Cache-Status} in the response headers and remembers it on the exchange. */
	void applyTo(ServerWebExchange exchange, HttpHeaders responseHeaders) {
		exchange.getAttributes().put(ATTRIBUTE, this);
		responseHeaders.set(ResponseCacheGatewayFilterFactory.STATUS_HEADER, this.header);
	}

}
