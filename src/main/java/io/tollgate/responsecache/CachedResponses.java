package io.tollgate.responsecache;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/** Writes a cached entry as the response: its status, headers and body, plus Age and the cache headers. */
final class CachedResponses {

	private CachedResponses() {
	}

	static Mono<Void> write(ServerWebExchange exchange, ServerHttpResponse response, CachedResponse entry, String key,
			long now, boolean stale) {
		response.setStatusCode(HttpStatusCode.valueOf(entry.status()));
		HttpHeaders headers = response.getHeaders();
		Set<String> replaced = new HashSet<>();
		for (Map.Entry<String, String> header : entry.headers()) {
			if (replaced.add(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
				headers.remove(header.getKey());
			}
			headers.add(header.getKey(), header.getValue());
		}
		CacheStatus.HIT.applyTo(exchange, headers);
		headers.set(ResponseCacheGatewayFilterFactory.KEY_HEADER, key);
		headers.set(HttpHeaders.AGE, Long.toString(entry.ageSeconds(now)));
		if (stale) {
			headers.set(HttpHeaders.WARNING, "110 - \"Response is Stale\"");
		}
		headers.setContentLength(entry.body().length);
		if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod()) || entry.body().length == 0) {
			return response.setComplete();
		}
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(entry.body())));
	}

}
