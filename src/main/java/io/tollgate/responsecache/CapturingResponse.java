package io.tollgate.responsecache;

import java.time.Clock;
import java.util.Set;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The response of a cache miss: it records the body of the {@link Capture} the ResponseCache filter attached as it
 * streams to the client, or, when the upstream answered 5xx and a stale entry may stand in
 * ({@code stale-if-error}), writes that entry instead.
 */
final class CapturingResponse extends ServerHttpResponseDecorator {

	private final ServerWebExchange exchange;

	private final Clock clock;

	CapturingResponse(ServerHttpResponse delegate, ServerWebExchange exchange, Clock clock) {
		super(delegate);
		this.exchange = exchange;
		this.clock = clock;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		Capture capture = this.exchange.getAttribute(Capture.ATTRIBUTE);
		if (capture == null) {
			return super.writeWith(body);
		}
		HttpStatusCode status = getStatusCode();
		int code = (status != null) ? status.value() : 200;
		long now = this.clock.millis();
		if (code == 304 && capture.revalidating && Capture.fromUpstream(this.exchange)) {
			// The stored entry is still current: refreshed with the 304's headers, it answers the client.
			capture.counted(CacheStatus.REVALIDATED);
			CachedResponse refreshed = capture.refresh(getHeaders(), this.exchange, now);
			return instead(body, refreshed, capture, CacheStatus.REVALIDATED, false);
		}
		capture.counted(capture.status);
		// A 5xx, or a circuit breaker's fallback: the upstream failed, and a stale entry may stand in.
		boolean failed = code >= 500
				|| this.exchange.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR) != null;
		if (failed && capture.stale != null && capture.stale.isUsableStale(now)) {
			capture.abandon();
			return instead(body, capture.stale, capture, CacheStatus.HIT, true);
		}
		boolean recording = capture.begin(code, getHeaders(), this.exchange, this.clock.millis());
		(recording ? capture.status : CacheStatus.BYPASS).applyTo(this.exchange, getHeaders());
		getHeaders().set(ResponseCacheGatewayFilterFactory.KEY_HEADER, capture.key);
		if (!recording) {
			return super.writeWith(body);
		}
		return super.writeWith(Flux.from(body)
			.doOnNext(capture::append)
			.doOnComplete(capture::complete)
			.doOnError((ex) -> capture.abandon())
			.doOnCancel(capture::abandon));
	}

	/** The upstream's body is dropped and the stored entry written in its place. */
	private Mono<Void> instead(Publisher<? extends DataBuffer> body, CachedResponse entry, Capture capture,
			CacheStatus status, boolean stale) {
		return Flux.from(body).doOnNext(DataBufferUtils::release).then(Mono.defer(() -> {
			// The upstream's headers go; the gateway's own (request id, rate limits) stay, and so does a cookie the
			// upstream set on its 304: it is this client's.
			Set<String> upstream = this.exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES);
			if (upstream != null) {
				upstream.stream()
					.filter((name) -> stale || !name.equalsIgnoreCase(org.springframework.http.HttpHeaders.SET_COOKIE))
					.forEach(getHeaders()::remove);
			}
			return CachedResponses.write(this.exchange, getDelegate(), entry, capture.key, this.clock.millis(), status,
					stale);
		}));
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		// Streamed (flushed) responses are not cached.
		Capture capture = this.exchange.getAttribute(Capture.ATTRIBUTE);
		if (capture != null) {
			capture.abandon();
			CacheStatus.BYPASS.applyTo(this.exchange, getHeaders());
		}
		return super.writeAndFlushWith(body);
	}

	@Override
	public Mono<Void> setComplete() {
		Capture capture = this.exchange.getAttribute(Capture.ATTRIBUTE);
		if (capture != null) {
			capture.abandon();
		}
		return super.setComplete();
	}

}
