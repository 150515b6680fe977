package io.tollgate.ratelimit;

import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The limiter's state: {@code UP} with Redis or the configured local store, {@code DEGRADED} while Redis fails
 * and each replica limits with its own counters. Degraded is not down: traffic flows, so it never fails
 * liveness or readiness (it is in neither group) and maps to HTTP 200.
 */
class RateLimiterHealthIndicator implements ReactiveHealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED", "Redis is failing; limits are enforced per replica");

	private final RateLimiter limiter;

	RateLimiterHealthIndicator(RateLimiter limiter) {
		this.limiter = limiter;
	}

	@Override
	public Mono<Health> health() {
		Health.Builder health = this.limiter.isDegraded() ? Health.status(DEGRADED) : Health.up();
		health.withDetail("store", this.limiter.usesRedis() ? "redis" : "local");
		if (this.limiter.isDegraded()) {
			health.withDetail("fallback", "local").withDetail("failingSince",
					Instant.ofEpochMilli(this.limiter.failingSinceMs()).toString());
		}
		return Mono.just(health.build());
	}

}
