package io.tollgate.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator's configuration itself ({@code tollgate.config}): startup checks and reloading.
 *
 * @param requireRoutes refuse to start without a single route (a gateway that routes nothing is usually a
 * {@code TOLLGATE_CONFIG_DIR} pointing at the wrong place); off: a warning is logged instead
 * @param watch reload when a file in {@code TOLLGATE_CONFIG_DIR}, or {@code tollgate.consumers-file}, changes
 * @param watchInterval how often those files are looked at; a change is in force within about this long
 */
@ConfigurationProperties("tollgate.config")
public record ConfigProperties(@DefaultValue("false") boolean requireRoutes, @DefaultValue("true") boolean watch,
		@DefaultValue("1s") Duration watchInterval) {

	public ConfigProperties {
		if (watchInterval.isNegative() || watchInterval.isZero()) {
			throw new InvalidConfigurationException("tollgate.config.watch-interval", "must be positive");
		}
	}

}
