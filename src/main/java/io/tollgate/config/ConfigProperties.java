package io.tollgate.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Checks on the operator's configuration itself ({@code tollgate.config}).
 *
 * @param requireRoutes refuse to start without a single route (a gateway that routes nothing is usually a
 * {@code TOLLGATE_CONFIG_DIR} pointing at the wrong place); off: a warning is logged instead
 */
@ConfigurationProperties("tollgate.config")
public record ConfigProperties(@DefaultValue("false") boolean requireRoutes) {
}
