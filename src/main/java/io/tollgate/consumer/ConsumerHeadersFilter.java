package io.tollgate.consumer;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the upstream who the caller is: the identity headers of the authenticated consumer (after removing any
 * reserved header a client tried to pass, including {@code X-Consumer-*} names that {@link SpoofedHeadersFilter}
 * does not look for), and {@code X-Real-IP}, the client address as the gateway resolved it ({@link ClientIp}), as
 * nginx's {@code proxy_set_header X-Real-IP $remote_addr} would. Done here, where Spring Cloud Gateway builds the
 * upstream headers anyway, instead of copying the request in each auth filter.
 */
@Component
class ConsumerHeadersFilter implements HttpHeadersFilter, Ordered {

	private final ClientIp clientIp;

	ConsumerHeadersFilter(ClientIp clientIp) {
		this.clientIp = clientIp;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		// Earlier header filters hand over a fresh copy; only the client's own headers are read-only.
		HttpHeaders out = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		IdentityHeaders.removeReserved(out);
		Identity identity = Identity.of(exchange);
		if (identity != null) {
			IdentityHeaders.write(identity, out);
		}
		out.set(ClientAddressHeaders.REAL_IP, this.clientIp.of(exchange));
		return out;
	}

	@Override
	public int getOrder() {
		return LOWEST_PRECEDENCE;
	}

}
