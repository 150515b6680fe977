package io.tollgate.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * One OpenTelemetry server span per request, continuing the client's trace context ({@code traceparent}). The
 * span reaches the upstream through {@link TraceHeadersFilter}. It replaces Spring's per-request observations
 * (server and gateway client), which cost most of a core's throughput: unsampled requests here cost an id and a
 * header, and only sampled ones get attributes. Requests are timed by the access log (observability).
 */
class ServerSpanFilter implements WebFilter, Ordered {

	private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {

		@Override
		public Iterable<String> keys(HttpHeaders carrier) {
			return carrier.headerNames();
		}

		@Override
		public String get(HttpHeaders carrier, String key) {
			return (carrier != null) ? carrier.getFirst(key) : null;
		}

	};

	private final Tracer tracer;

	private final TextMapPropagator propagator;

	ServerSpanFilter(Tracer tracer, TextMapPropagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		Context parent = this.propagator.extract(Context.root(), request.getHeaders(), HEADERS);
		String method = MethodTag.of(request.getMethod());
		Span span = this.tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
		exchange.getAttributes().put(Traces.SPAN_ATTRIBUTE, span);
		if (!span.isRecording()) {
			return chain.filter(exchange).doFinally((signal) -> span.end());
		}
		span.setAttribute("http.request.method", method);
		span.setAttribute("url.path", request.getPath().value());
		span.setAttribute("url.scheme", request.getURI().getScheme());
		return chain.filter(exchange).doFinally((signal) -> end(span, exchange));
	}

	private static void end(Span span, ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		if (route != null) {
			span.updateName(MethodTag.of(exchange.getRequest().getMethod()) + " " + route.getId());
			span.setAttribute("gateway.route.id", route.getId());
		}
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		int code = (status != null) ? status.value() : 200;
		span.setAttribute("http.response.status_code", code);
		if (code >= 500) {
			span.setStatus(StatusCode.ERROR);
		}
		span.end();
	}

	@Override
	public int getOrder() {
		return PolicyOrder.SERVER_SPAN;
	}

}
