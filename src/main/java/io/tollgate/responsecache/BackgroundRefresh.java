package io.tollgate.responsecache;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

/**
 * The refresh behind a {@code stale-while-revalidate} answer: the rest of the route's filter chain (its rewrites,
 * retries, circuit breaker and the proxying itself) run once more for a copy of the request, with the stored
 * entry's validators, and the response is recorded as a miss would be but written nowhere. It starts once the client
 * has its answer, on the request's event loop, and is bounded by {@code lock-timeout}; it counts in the upstream's
 * metrics, circuit breaker and retry budget as any request does, under the client's request id.
 */
final class BackgroundRefresh {

	private static final Log logger = LogFactory.getLog(BackgroundRefresh.class);

	private BackgroundRefresh() {
	}

	static void start(ServerWebExchange exchange, GatewayFilterChain chain, Capture capture, Clock clock,
			Duration timeout) {
		try {
			run(exchange, chain, capture, clock, timeout);
		}
		catch (RuntimeException ex) {
			// Never leave the key's refresh marked as in flight: no other would start while it is.
			capture.abandon();
			logger.debug("Background refresh of a stale entry not started: " + ex);
		}
	}

	private static void run(ServerWebExchange exchange, GatewayFilterChain chain, Capture capture, Clock clock,
			Duration timeout) {
		// With the entry's validators, or with none: the client's own would get a 304 that refreshes nothing.
		ServerHttpRequest request = capture.revalidating
				? ResponseCacheGatewayFilterFactory.conditional(exchange.getRequest(), capture.stale)
				: exchange.getRequest().mutate().headers((headers) -> {
					headers.remove(HttpHeaders.IF_NONE_MATCH);
					headers.remove(HttpHeaders.IF_MODIFIED_SINCE);
				}).build();
		Discarding discarding = new Discarding(exchange.getResponse().bufferFactory());
		ServerWebExchange copy = new Detached(exchange.mutate().request(new Bodiless(request)).response(discarding).build());
		copy.getAttributes().put(Capture.ATTRIBUTE, capture);
		ServerWebExchange recorded = copy.mutate().response(new CapturingResponse(discarding, copy, clock)).build();
		Mono.defer(() -> chain.filter(recorded))
			// On the request's event loop, as the recording itself (a timeout elsewhere would race it).
			.timeout(timeout, io.tollgate.pipeline.EventLoops.of(exchange))
			.doOnError((ex) -> capture.abandon())
			.doOnCancel(capture::abandon)
			.doFinally((signal) -> capture.abandon()) // a no-op once the response was recorded
			.subscribe(null, (ex) -> logger.debug("Background refresh of a stale entry failed: " + ex));
	}

	/** The client's exchange with attributes of its own, so the refresh's filters never touch the client's. */
	private static final class Detached extends ServerWebExchangeDecorator {

		private final Map<String, Object> attributes;

		Detached(ServerWebExchange delegate) {
			super(delegate);
			this.attributes = new ConcurrentHashMap<>(delegate.getAttributes());
			this.attributes.remove(Capture.ATTRIBUTE);
		}

		@Override
		public Map<String, Object> getAttributes() {
			return this.attributes;
		}

	}

	/** A GET has no body; the client's connection, which may already serve its next request, is never read. */
	private static final class Bodiless extends ServerHttpRequestDecorator {

		Bodiless(ServerHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return Flux.empty();
		}

	}

	/** A response with no client behind it: what is written is released. */
	private static final class Discarding extends AbstractServerHttpResponse {

		Discarding(DataBufferFactory bufferFactory) {
			super(bufferFactory, new HttpHeaders());
		}

		@Override
		@SuppressWarnings("unchecked")
		public <T> T getNativeResponse() {
			return (T) this;
		}

		@Override
		protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
			return Flux.from(body).doOnNext(DataBufferUtils::release).then();
		}

		@Override
		protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return Flux.from(body).concatMap((part) -> Flux.from(part).doOnNext(DataBufferUtils::release)).then();
		}

		@Override
		protected void applyStatusCode() {
		}

		@Override
		protected void applyHeaders() {
		}

		@Override
		protected void applyCookies() {
		}

	}

}
