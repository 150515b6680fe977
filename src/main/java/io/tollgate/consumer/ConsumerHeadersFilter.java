package io.tollgate.consumer;

import io.tollgate.pipeline.PolicyOrder;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes the caller's identity into the request sent upstream, after removing any reserved header a client
 * tried to pass (including {@code X-Consumer-*} names that {@link SpoofedHeadersFilter} does not look for).
 * Done here, where Spring Cloud Gateway builds the upstream headers anyway, instead of copying the request in
 * each auth filter.
 */
@Component
class ConsumerHeadersFilter implements HttpHeadersFilter, Ordered {

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		// Earlier header filters hand over a fresh copy; only the client's own headers are read-only.
		HttpHeaders out = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		IdentityHeaders.removeReserved(out);
		Identity identity = Identity.of(exchange);
		if (identity != null) {
			IdentityHeaders.write(identity, out);
		}
		return out;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.CONSUMER_HEADERS;
	}

}
