package io.tollgate.reload;

import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health component {@code config}: always UP (a rejected change leaves the running configuration serving, so it
 * is no reason to take a replica out of a load balancer), with the version in force and the last reload's result.
 */
class ConfigHealthIndicator implements HealthIndicator {

	private final ConfigStatus status;

	ConfigHealthIndicator(ConfigStatus status) {
		this.status = status;
	}

	@Override
	public Health health() {
		Health.Builder health = Health.up()
			.withDetail("version", this.status.version())
			.withDetail("loaded-at", this.status.loadedAt().toString());
		Map<String, Object> last = this.status.lastReload();
		if (last != null) {
			health.withDetail("last-reload", last);
		}
		return health.build();
	}

}
