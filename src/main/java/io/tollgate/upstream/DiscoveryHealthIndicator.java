package io.tollgate.upstream;

import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code DEGRADED} while discovery fails and routing runs on the last known instances; traffic still flows, so it
 * is in neither the liveness nor the readiness group.
 */
class DiscoveryHealthIndicator implements ReactiveHealthIndicator {

	private final DiscoverySnapshot snapshot;

	DiscoveryHealthIndicator(DiscoverySnapshot snapshot) {
		this.snapshot = snapshot;
	}

	@Override
	public Mono<Health> health() {
		if (!this.snapshot.isUnreachable()) {
			return Mono.just(Health.up().withDetail("services", this.snapshot.lastKnownCounts()).build());
		}
		return Mono.just(Health.status(new Status("DEGRADED", "discovery unreachable; routing to last known instances"))
			.withDetail("unreachableSince", Instant.ofEpochMilli(this.snapshot.unreachableSince()).toString())
			.withDetail("lastKnownInstances", this.snapshot.lastKnownCounts())
			.build());
	}

}
