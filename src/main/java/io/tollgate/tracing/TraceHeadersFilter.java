package io.tollgate.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.tollgate.pipeline.PolicyOrder;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends the gateway's server span upstream as the parent ({@code traceparent}, and whatever else the configured
 * propagation writes), replacing the client's own trace headers.
 */
class TraceHeadersFilter implements HttpHeadersFilter, Ordered {

	private static final TextMapSetter<HttpHeaders> HEADERS = (carrier, key, value) -> carrier.set(key, value);

	private final TextMapPropagator propagator;

	TraceHeadersFilter(TextMapPropagator propagator) {
		this.propagator = propagator;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		Span span = Traces.span(exchange);
		if (span == null || !span.getSpanContext().isValid()) {
			return input;
		}
		// Earlier header filters hand over a fresh copy; only the client's own headers are read-only.
		HttpHeaders out = (input == exchange.getRequest().getHeaders()) ? HttpHeaders.copyOf(input) : input;
		this.propagator.inject(Context.root().with(span), out, HEADERS);
		return out;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.TRACE_HEADERS;
	}

}
