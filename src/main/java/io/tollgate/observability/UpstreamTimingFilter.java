package io.tollgate.observability;

import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Measures the upstream's share of a request: from just before Spring Cloud Gateway's routing filter sends it
 * until the upstream's response headers are in (the last attempt, with retries).
 */
class UpstreamTimingFilter implements GlobalFilter, Ordered {

	static final String ATTRIBUTE = UpstreamTimingFilter.class.getName();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long started = System.nanoTime();
		return chain.filter(exchange)
			.doFinally((signal) -> exchange.getAttributes().put(ATTRIBUTE, System.nanoTime() - started));
	}

	@Override
	public int getOrder() {
		return PolicyOrder.UPSTREAM_TIMING;
	}

}
