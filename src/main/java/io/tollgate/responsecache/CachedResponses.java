package io.tollgate.responsecache;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes a cached entry as the response: its status, headers and body, plus Age and the cache headers; or a 304 when
 * the request's validators match it ({@link ConditionalRequests}).
 */
final class CachedResponses {

	/** What a 304 keeps of the stored headers (RFC 9110 section 15.4.5), besides Age and the cache's own. */
	private static final Set<String> NOT_MODIFIED_HEADERS = Set.of("cache-control", "content-location", "date", "etag",
			"expires", "vary", "last-modified");

	private CachedResponses() {
	}

	/**
	 * @param status what {@code X-Cache-Status} says: a hit, a stale entry while it is refreshed, one just revalidated
	 * @param stale whether the entry is past its freshness (then it never answers 304, and says it is stale)
	 */
	static Mono<Void> write(ServerWebExchange exchange, ServerHttpResponse response, CachedResponse entry, String key,
			long now, CacheStatus status, boolean stale) {
		// The client already has this representation: 304, with the validators and caching headers, no body.
		boolean notModified = !stale && ConditionalRequests.notModified(exchange.getRequest().getHeaders(), entry);
		response.setStatusCode(notModified ? HttpStatus.NOT_MODIFIED : HttpStatusCode.valueOf(entry.status()));
		HttpHeaders headers = response.getHeaders();
		Set<String> replaced = new HashSet<>();
		for (Map.Entry<String, String> header : entry.headers()) {
			String name = header.getKey().toLowerCase(Locale.ROOT);
			if (notModified && !NOT_MODIFIED_HEADERS.contains(name)) {
				continue;
			}
			if (replaced.add(name)) {
				headers.remove(header.getKey());
			}
			headers.add(header.getKey(), header.getValue());
		}
		status.applyTo(exchange, headers);
		headers.set(ResponseCacheGatewayFilterFactory.KEY_HEADER, key);
		headers.set(HttpHeaders.AGE, Long.toString(entry.ageSeconds(now)));
		if (stale) {
			headers.set(HttpHeaders.WARNING, "110 - \"Response is Stale\"");
		}
		if (notModified) {
			return response.setComplete();
		}
		headers.setContentLength(entry.body().length);
		if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod()) || entry.body().length == 0) {
			return response.setComplete();
		}
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(entry.body())));
	}

}
