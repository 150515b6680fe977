package io.tollgate.upstream;

import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Keeps a client's own failures out of the upstream's health: when the request body fails on the client's side
 * (it grew past the size limit, 413; the client went away mid-upload; a broken chunk), the rest of the chain is
 * cancelled before that error reaches it, and the error goes straight to the error handler. A cancelled call is
 * neither a success nor a failure to the route's {@code CircuitBreaker} (Resilience4j releases its permission) or
 * to the {@link OutlierDetector}, so ten oversized uploads cannot open a circuit or eject an instance for everyone.
 * Only failures of the upstream itself (connection errors, timeouts, the statuses a breaker is set to count) count.
 * Requests without a body pass untouched.
 */
class ClientBodyFailureFilter implements GlobalFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		if (headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return chain.filter(exchange);
		}
		Sinks.Empty<Void> clientFailed = Sinks.empty();
		ServerHttpRequest watched = new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				// Runs before the error travels on to whoever reads the body (the upstream client, a buffering filter).
				return super.getBody().doOnError(clientFailed::tryEmitError);
			}
		};
		// The client's failure is subscribed first, so it wins the race: the chain is cancelled, not failed.
		return Mono.firstWithSignal(clientFailed.asMono(), chain.filter(exchange.mutate().request(watched).build()));
	}

	@Override
	public int getOrder() {
		return PolicyOrder.CLIENT_BODY_FAILURE;
	}

}
