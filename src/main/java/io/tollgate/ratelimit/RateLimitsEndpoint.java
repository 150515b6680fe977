package io.tollgate.ratelimit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.Identity;
import io.tollgate.pipeline.RouteFilters;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
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
		return usage(found, List.of(), route);
	}

	/**
	 * A consumer's usage, read without counting, on every route whose limit counts it: by consumer, and by
	 * credential for each of {@code credentialIds}. Routes that count by address, header, path or route are listed
	 * with their {@code limitBy} only: their counters are not the consumer's.
	 */
	public Mono<Map<String, Object>> usage(Consumer consumer, List<String> credentialIds, @Nullable String route) {
		Identity identity = new Identity(consumer, null, false);
		// The routes as they are now: a removed route is gone from here too.
		return this.routes.getRoutes()
			.mapNotNull((current) -> RouteFilters.first(current, RateLimitGatewayFilterFactory.RateLimitFilter.class))
			.filter((limited) -> route == null || route.equals(limited.routeId()))
			.concatMap((limited) -> usageOn(limited, identity, credentialIds)
				.map((usage) -> Map.entry(limited.routeId(), usage)))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
			.map((byRoute) -> {
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("consumer", consumer.username());
				body.put("plan", consumer.plan());
				body.put("store", this.limiter.usesRedis() && !this.limiter.isDegraded() ? "redis" : "local");
				body.put("routes", byRoute);
				return body;
			});
	}

	private Mono<Object> usageOn(RateLimitGatewayFilterFactory.RateLimitFilter limited, Identity identity,
			List<String> credentialIds) {
		RateLimitGatewayFilterFactory.Config config = limited.config();
		String limitBy = config.limitBy().name().toLowerCase(Locale.ROOT);
		if (config.limitBy() == LimitBy.CONSUMER) {
			return peek(limited, identity);
		}
		if (config.limitBy() != LimitBy.CREDENTIAL) {
			return Mono.just(Map.of("limitBy", limitBy));
		}
		return Flux.fromIterable(credentialIds)
			.concatMap((id) -> peek(limited, new Identity(identity.consumer(), id, false))
				.map((usage) -> Map.entry(id, usage)))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new)
			.map((byCredential) -> Map.of("limitBy", limitBy, "credentials", byCredential));
	}

	private Mono<Object> peek(RateLimitGatewayFilterFactory.RateLimitFilter limited, Identity identity) {
		List<WindowLimit> limits = this.factory.limitsFor(limited.config(), identity);
		String key = this.factory.keyFor(limited.config(), limited.routeId(), null, identity);
		return this.limiter.peek(key, limits).map((decision) -> describe(decision));
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
