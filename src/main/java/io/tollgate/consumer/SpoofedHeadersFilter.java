package io.tollgate.consumer;

import java.util.ArrayList;
import java.util.List;

import io.tollgate.edge.ClientAddressHeaders;
import io.tollgate.edge.ClientIp;
import io.tollgate.pipeline.PolicyOrder;
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
 * Removes, before any route or policy sees the request, on every route: client-sent identity headers (any
 * {@code X-Consumer-*}, {@code X-Credential-Identifier}, {@code X-Anonymous-Consumer}, in any spelling, see
 * {@link IdentityHeaders}), and client-address headers that the peer may not send ({@link ClientAddressHeaders}).
 * Requests without them (nearly all) pass untouched: the names are scanned on Netty's own header list, without
 * copying, and the request is copied only when there is something to remove.
 */
@Component
class SpoofedHeadersFilter implements WebFilter, Ordered {

	private final ClientIp clientIp;

	SpoofedHeadersFilter(ClientIp clientIp) {
		this.clientIp = clientIp;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		List<String> forged = forgedHeaders(exchange);
		if (forged == null) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate()
			.request((request) -> request.headers((headers) -> forged.forEach(headers::remove)))
			.build());
	}

	/** The names to remove, or null when there are none. */
	private List<String> forgedHeaders(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		List<String> forged = null;
		if (ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty) {
			var headers = netty.requestHeaders().iteratorCharSequence();
			while (headers.hasNext()) {
				forged = consider(headers.next().getKey(), exchange, forged);
			}
		}
		else {
			for (String name : request.getHeaders().headerNames()) {
				forged = consider(name, exchange, forged);
			}
		}
		return forged;
	}

	private List<String> consider(CharSequence name, ServerWebExchange exchange, List<String> forged) {
		boolean remove = IdentityHeaders.isReserved(name) || ClientAddressHeaders.isNeverAccepted(name)
				|| (ClientAddressHeaders.isTrustedProxyOnly(name) && !this.clientIp.isFromTrustedProxy(exchange));
		if (!remove) {
			return forged;
		}
		List<String> names = (forged != null) ? forged : new ArrayList<>(2);
		names.add(name.toString());
		return names;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.SPOOFED_HEADERS;
	}

}
