package io.tollgate.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

import org.springframework.web.server.ServerWebExchange;

/** The exchange's server span, for logs, error bodies and the upstream request; none without tracing. */
public final class Traces {

	static final String SPAN_ATTRIBUTE = Traces.class.getName() + ".span";

	private Traces() {
	}

	static Span span(ServerWebExchange exchange) {
		return exchange.getAttribute(SPAN_ATTRIBUTE);
	}

	/** The trace id of the exchange's server span (sampled or not); null without tracing. */
	public static String traceId(ServerWebExchange exchange) {
		Span span = span(exchange);
		if (span == null) {
			return null;
		}
		SpanContext context = span.getSpanContext();
		return context.isValid() ? context.getTraceId() : null;
	}

}
