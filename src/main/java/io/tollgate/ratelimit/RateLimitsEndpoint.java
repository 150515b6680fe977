package io.tollgate.ratelimit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.Identity;
import io.tollgate.pipeline.RouteFilters;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.cloud.gateway.route.RouteLocator;

/**
 * {@code /actuator/ratelimits/{consumer}[?route=id]}: a consumer's current usage per window on each route that
 * limits by consumer, read from the active store without counting. Not exposed unless listed in
 * {@code management.endpoints.web.exposure.include}; it lives on the management port with the other endpoints.
 */
@Endpoint(id = "ratelimits")
public class RateLimitsEndpoint {

	private final RateLimiter limiter;

	private final RouteLocator routes;

	private final RateLimitGatewayFilterFactory factory;

	private final ConsumerRegistry registry;

	RateLimitsEndpoint(RateLimiter limiter, RouteLocator routes, RateLimitGatewayFilterFactory factory,
			ConsumerRegistry registry) {
		this.limiter = limiter;
		this.routes = routes;
		this.factory = factory;
		this.registry = registry;
	}

	@ReadOperation
	public Mono<Map<String, Object>> usage(@Selector String consumer, @Nullable String route) {
		Consumer found = this.registry.find(consumer);
		if (found == null) {
			return Mono.empty();
		}
		Identity identity = new Identity(found, null, false);
		// The routes as they are now: a removed route is gone from here too.
		return this.routes.getRoutes()
			.mapNotNull((current) -> RouteFilters.first(current, RateLimitGatewayFilterFactory.RateLimitFilter.class))
			.filter((limited) -> route == null || route.equals(limited.routeId()))
			.filter((limited) -> limited.config().limitBy() == LimitBy.CONSUMER)
			.concatMap((limited) -> {
				List<WindowLimit> limits = this.factory.limitsFor(limited.config(), identity);
				String key = this.factory.keyFor(limited.config(), limited.routeId(), null, identity);
				return this.limiter.peek(key, limits).map((decision) -> Map.entry(limited.routeId(), describe(decision)));
			})
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
			.map((byRoute) -> {
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("consumer", found.username());
				body.put("plan", found.plan());
				body.put("store", this.limiter.usesRedis() && !this.limiter.isDegraded() ? "redis" : "local");
				body.put("routes", byRoute);
				return body;
			});
	}

	private static Map<String, Object> describe(Decision decision) {
		Map<String, Object> windows = new LinkedHashMap<>();
		for (Decision.Usage usage : decision.usages()) {
			Map<String, Object> window = new LinkedHashMap<>();
			window.put("limit", usage.limit());
			window.put("used", usage.used());
			window.put("remaining", usage.remaining());
			window.put("resetSeconds", (usage.waitMs() + 999) / 1000);
			windows.put(usage.window().name().toLowerCase(java.util.Locale.ROOT), window);
		}
		return windows;
	}

}
