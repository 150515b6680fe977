package io.tollgate.consumer;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Removes client-sent identity headers ({@code X-Consumer-*}, {@code X-Credential-Identifier},
 * {@code X-Anonymous-Consumer}) before any route or policy sees the request, on every route. Requests without
 * them (nearly all) pass untouched: the request is copied only when there is something to remove.
 */
@Component
class SpoofedHeadersFilter implements WebFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		for (String name : IdentityHeaders.NAMES) {
			if (headers.containsHeader(name)) {
				return chain.filter(exchange.mutate()
					.request(request -> request.headers(IdentityHeaders::removeReserved))
					.build());
			}
		}
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return HIGHEST_PRECEDENCE + 1;
	}

}
