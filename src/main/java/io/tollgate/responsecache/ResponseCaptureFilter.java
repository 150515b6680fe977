package io.tollgate.responsecache;

import java.time.Clock;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Puts a {@link CapturingResponse} around the response of routes that have a ResponseCache filter. It has to
 * run before Spring Cloud Gateway's {@code NettyWriteResponseFilter} (order -1) takes hold of the response, that
 * is before auth and the cache filter itself; the decorator records nothing unless the cache filter, later,
 * asks it to. Routes without a ResponseCache are left alone.
 */
class ResponseCaptureFilter implements GlobalFilter, Ordered {

	private final Clock clock;

	ResponseCaptureFilter(Clock clock) {
		this.clock = clock;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		if (!hasResponseCache(exchange)) {
			return chain.filter(exchange);
		}
		CapturingResponse response = new CapturingResponse(exchange.getResponse(), exchange, this.clock);
		return chain.filter(exchange.mutate().response(response).build());
	}

	private static boolean hasResponseCache(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		if (route == null) {
			return false;
		}
		for (GatewayFilter filter : route.getFilters()) {
			if (filter instanceof OrderedGatewayFilter ordered
					&& ordered.getDelegate() instanceof ResponseCacheGatewayFilterFactory.ResponseCacheFilter) {
				return true;
			}
		}
		return false;
	}

	@Override
	public int getOrder() {
		return -3;
	}

}
