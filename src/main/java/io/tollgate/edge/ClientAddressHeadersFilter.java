package io.tollgate.edge;

import io.tollgate.pipeline.PolicyOrder;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the upstream the client's address as the gateway resolved it ({@link ClientIp}): {@code X-Real-IP}, as
 * nginx's {@code proxy_set_header X-Real-IP $remote_addr} would, replacing whatever the client or a proxy sent.
 */
class ClientAddressHeadersFilter implements HttpHeadersFilter, Ordered {

	static final String REAL_IP = "X-Real-IP";

	private final ClientIp clientIp;

	ClientAddressHeadersFilter(ClientIp clientIp) {
		this.clientIp = clientIp;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		// Earlier header filters hand over a fresh copy; only the client's own headers are read-only.
		HttpHeaders out = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		out.set(REAL_IP, this.clientIp.of(exchange));
		return out;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.CLIENT_ADDRESS_HEADERS;
	}

}
