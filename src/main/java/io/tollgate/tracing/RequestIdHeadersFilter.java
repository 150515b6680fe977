package io.tollgate.tracing;

import io.tollgate.pipeline.PolicyOrder;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/** Sends the exchange's request id upstream, replacing whatever unacceptable id the client sent. */
@Component
class RequestIdHeadersFilter implements HttpHeadersFilter, Ordered {

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		String id = RequestId.of(exchange);
		if (id.equals(input.getFirst(RequestId.HEADER))) {
			return input;
		}
		// Earlier header filters hand over a fresh copy; only the client's own headers are read-only.
		HttpHeaders out = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		out.set(RequestId.HEADER, id);
		return out;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.REQUEST_ID_HEADERS;
	}

}
