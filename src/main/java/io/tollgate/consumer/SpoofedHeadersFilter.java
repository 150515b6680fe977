package io.tollgate.consumer;

import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Removes client-sent identity headers (any {@code X-Consumer-*}, {@code X-Credential-Identifier},
 * {@code X-Anonymous-Consumer}) before any route or policy sees the request, on every route. Requests without
 * them (nearly all) pass untouched: the names are scanned on Netty's own header list, without copying, and the
 * request is copied only when there is something to remove.
 */
@Component
class SpoofedHeadersFilter implements WebFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!carriesReservedHeader(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		return chain.filter(
				exchange.mutate().request((request) -> request.headers(IdentityHeaders::removeReserved)).build());
	}

	private static boolean carriesReservedHeader(ServerHttpRequest request) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		if (nativeRequest instanceof HttpServerRequest netty) {
			var names = netty.requestHeaders().iteratorCharSequence();
			while (names.hasNext()) {
				if (IdentityHeaders.isReserved(names.next().getKey())) {
					return true;
				}
			}
			return false;
		}
		return request.getHeaders().headerNames().stream().anyMatch(IdentityHeaders::isReserved);
	}

	@Override
	public int getOrder() {
		return HIGHEST_PRECEDENCE + 1;
	}

}
