package io.tollgate.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The RateLimit configuration of each route, as last applied: what the usage endpoint reports on. */
public class RateLimitRoutes {

	private final Map<String, RateLimitGatewayFilterFactory.Config> byRoute = new ConcurrentHashMap<>();

	void register(String routeId, RateLimitGatewayFilterFactory.Config config) {
		this.byRoute.put(routeId, config);
	}

	Map<String, RateLimitGatewayFilterFactory.Config> all() {
		return Map.copyOf(this.byRoute);
	}

}
