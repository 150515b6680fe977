package io.tollgate.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;

import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/** The trace id of an exchange's server span, for logs and error bodies; null without tracing. */
public final class Traces {

	private Traces() {
	}

	public static String traceId(ServerWebExchange exchange) {
		return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
			.map((context) -> (TracingObservationHandler.TracingContext) context
				.get(TracingObservationHandler.TracingContext.class))
			.map(TracingObservationHandler.TracingContext::getSpan)
			.map(Span::context)
			.map((context) -> context.traceId())
			.orElse(null);
	}

}
