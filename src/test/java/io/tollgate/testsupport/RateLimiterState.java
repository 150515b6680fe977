package io.tollgate.testsupport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.ratelimit.RateLimiter;

import org.springframework.context.ApplicationContext;

/** What a gateway's rate limiter is doing, for failover tests. */
public final class RateLimiterState {

	private RateLimiterState() {
	}

	/** True while the gateway decides in Redis (what its {@code rateLimiter} health reports as UP). */
	public static boolean countsInRedis(ApplicationContext gateway) {
		RateLimiter limiter = gateway.getBean(RateLimiter.class);
		return limiter.usesRedis() && !limiter.isDegraded();
	}

	/** How many decisions the gateway made with local counters ({@code tollgate.ratelimit.fallbacks}, all tags). */
	public static double fallbacks(ApplicationContext gateway) {
		return gateway.getBean(MeterRegistry.class)
			.find("tollgate.ratelimit.fallbacks")
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

}
