package io.tollgate.validation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/** The body size limit of each route: the global default, or what the route's {@code ValidateRequest} says. */
public class BodySizeLimits {

	private final long defaultLimit;

	private final Map<String, Long> byRoute = new ConcurrentHashMap<>();

	BodySizeLimits(ValidationProperties properties) {
		this.defaultLimit = properties.maxBodySize().toBytes();
	}

	void override(String routeId, long limit) {
		this.byRoute.put(routeId, limit);
	}

	long of(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		return (route != null) ? this.byRoute.getOrDefault(route.getId(), this.defaultLimit) : this.defaultLimit;
	}

}
