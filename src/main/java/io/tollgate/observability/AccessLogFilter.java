package io.tollgate.observability;

import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tollgate.consumer.Identity;
import io.tollgate.edge.ClientIp;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.pipeline.Shadow;
import io.tollgate.ratelimit.RateLimitOutcome;
import io.tollgate.reload.ConfigVersion;
import io.tollgate.responsecache.CacheStatus;
import io.tollgate.tracing.MethodTag;
import io.tollgate.tracing.RequestId;
import io.tollgate.tracing.Traces;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The access log: one JSON line per request on the logger {@code tollgate.access}, written through an async
 * appender (logback-spring.xml) so logging never blocks the event loop. API keys never appear: query values of
 * sensitive parameters are masked, headers are not logged. Also times every request, whatever answered it (a
 * policy, the cache, the upstream, the error handler: {@code tollgate.requests}), and counts requests per listed
 * consumer ({@code tollgate.consumer.requests}).
 */
public class AccessLogFilter implements WebFilter, Ordered {

	private static final Log log = LogFactory.getLog("tollgate.access");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ClientIp clientIp;

	private final SensitiveParameters sensitive;

	private final MeterRegistry meters;

	private final List<String> taggedConsumers;

	private final ConfigVersion configVersion;

	private final Map<String, io.micrometer.core.instrument.Counter> consumerCounters = new ConcurrentHashMap<>();

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	AccessLogFilter(ClientIp clientIp, SensitiveParameters sensitive, MeterRegistry meters,
			ObservabilityProperties properties, ConfigVersion configVersion) {
		this.clientIp = clientIp;
		this.configVersion = configVersion;
		this.sensitive = sensitive;
		this.meters = meters;
		this.taggedConsumers = List.copyOf(properties.metrics().consumers());
	}

	/** Drops the meters looked up so far (some were removed with their routes); they are found again on use. */
	void forgetMeters() {
		this.timers.clear();
		this.consumerCounters.clear();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		boolean logging = log.isInfoEnabled();
		long started = System.nanoTime();
		CountingResponse response = logging ? new CountingResponse(exchange.getResponse()) : null;
		ServerWebExchange target = logging ? exchange.mutate().response(response).build() : exchange;
		return chain.filter(target).doFinally((signal) -> {
			long elapsed = System.nanoTime() - started;
			time(target, elapsed);
			countConsumer(target);
			if (logging) {
				log.info(line(target, response.bytes.get(), elapsed));
			}
		});
	}

	private void time(ServerWebExchange exchange, long elapsedNanos) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		String routeId = (route != null) ? route.getId() : "none";
		String method = MethodTag.of(exchange.getRequest().getMethod());
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		int code = (status != null) ? status.value() : 200;
		this.timers.computeIfAbsent(routeId + '|' + method + '|' + code, (key) -> Timer.builder("tollgate.requests")
			.description("Requests, timed at the edge: whatever answered them")
			.tag("route", routeId)
			.tag("method", method)
			.tag("status", Integer.toString(code))
			.tag("outcome", outcome(code))
			.register(this.meters)).record(elapsedNanos, TimeUnit.NANOSECONDS);
	}

	private static String outcome(int code) {
		return switch (code / 100) {
			case 1 -> "INFORMATIONAL";
			case 2 -> "SUCCESS";
			case 3 -> "REDIRECTION";
			case 4 -> "CLIENT_ERROR";
			default -> "SERVER_ERROR";
		};
	}

	private void countConsumer(ServerWebExchange exchange) {
		if (this.taggedConsumers.isEmpty()) {
			return;
		}
		Identity identity = Identity.of(exchange);
		String consumer = (identity != null && this.taggedConsumers.contains(identity.consumer().username()))
				? identity.consumer().username() : "other";
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		String routeId = (route != null) ? route.getId() : "none";
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		String series = (status != null) ? (status.value() / 100) + "xx" : "unknown";
		this.consumerCounters
			.computeIfAbsent(consumer + '|' + routeId + '|' + series,
					(key) -> io.micrometer.core.instrument.Counter.builder("tollgate.consumer.requests")
						.description("Requests per listed consumer (others: other)")
						.tag("consumer", consumer)
						.tag("route", routeId)
						.tag("status", series)
						.register(this.meters))
			.increment();
	}

	private String line(ServerWebExchange exchange, long bytesOut, long elapsedNanos) {
		ServerHttpRequest request = exchange.getRequest();
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Identity identity = Identity.of(exchange);
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		Long upstreamNanos = exchange.getAttribute(UpstreamTimingFilter.ATTRIBUTE);
		String query = this.sensitive.mask(request.getURI().getRawQuery(), route);
		StringWriter out = new StringWriter(384);
		try (JsonGenerator json = JSON.createGenerator(out)) {
			json.writeStartObject();
			json.writeStringProperty("timestamp", Instant.now().toString());
			json.writeStringProperty("request_id", RequestId.of(exchange));
			json.writeStringProperty("trace_id", Traces.traceId(exchange));
			json.writeStringProperty("client_ip", this.clientIp.of(exchange));
			json.writeStringProperty("method", request.getMethod().name());
			json.writeStringProperty("path", (query != null) ? request.getPath().value() + "?" + query
					: request.getPath().value());
			json.writeStringProperty("route_id", (route != null) ? route.getId() : null);
			json.writeStringProperty("consumer", (identity != null) ? identity.consumer().username() : null);
			json.writeStringProperty("credential", (identity != null) ? identity.credentialId() : null);
			json.writeNumberProperty("status", (status != null) ? status.value() : 200);
			json.writeNumberProperty("latency_ms", elapsedNanos / 1_000_000.0);
			if (upstreamNanos != null) {
				json.writeNumberProperty("upstream_latency_ms", upstreamNanos / 1_000_000.0);
			}
			else {
				json.writeNullProperty("upstream_latency_ms");
			}
			json.writeNumberProperty("bytes_in", Math.max(0, request.getHeaders().getContentLength()));
			// Responses written by the error handler go around the counting decorator: their Content-Length says.
			json.writeNumberProperty("bytes_out",
					Math.max(bytesOut, exchange.getResponse().getHeaders().getContentLength()));
			json.writeStringProperty("cache", CacheStatus.of(exchange));
			RateLimitOutcome rateLimit = RateLimitOutcome.of(exchange);
			json.writeStringProperty("rate_limit", (rateLimit != null) ? rateLimit.decision() : null);
			json.writeStringProperty("rate_limit_store", (rateLimit != null) ? rateLimit.store() : null);
			json.writeStringProperty("shadow", Shadow.of(exchange));
			json.writeStringProperty("config_version", this.configVersion.current());
			json.writeEndObject();
		}
		return out.toString();
	}

	@Override
	public int getOrder() {
		return PolicyOrder.ACCESS_LOG;
	}

	/** Counts the body bytes written to the client. */
	private static final class CountingResponse extends ServerHttpResponseDecorator {

		private final AtomicLong bytes = new AtomicLong();

		CountingResponse(ServerHttpResponse delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return super.writeWith(Flux.from(body).doOnNext((buffer) -> this.bytes.addAndGet(buffer.readableByteCount())));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return super.writeAndFlushWith(Flux.from(body)
				.map((part) -> Flux.from(part).doOnNext((buffer) -> this.bytes.addAndGet(buffer.readableByteCount()))));
		}

	}

}
