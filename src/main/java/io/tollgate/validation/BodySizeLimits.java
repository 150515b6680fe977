package io.tollgate.validation;

import io.tollgate.pipeline.RouteFilters;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * The body size limit of an exchange: what its route's {@code ValidateRequest} says, else the global default.
 * Read from the matched route itself, so a route rebuilt or removed never leaves a limit behind.
 */
public class BodySizeLimits {

	private final long defaultLimit;

	BodySizeLimits(ValidationProperties properties) {
		this.defaultLimit = properties.maxBodySize().toBytes();
	}

	long of(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		ValidateRequestGatewayFilterFactory.ValidateRequestFilter validation = RouteFilters.first(route,
				ValidateRequestGatewayFilterFactory.ValidateRequestFilter.class);
		Long limit = (validation != null) ? validation.maxBodySize() : null;
		return (limit != null) ? limit : this.defaultLimit;
	}

}
