package io.tollgate.upstream;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway treats the instances behind {@code lb://} routes ({@code tollgate.upstream}). Discovery itself
 * is Spring Cloud Consul's ({@code spring.cloud.consul.*}); timeouts, retries and circuit breakers are set per
 * route.
 *
 * @param outlierDetection passive health: instances that keep failing are taken out of rotation for a while
 * @param retryBudget a cap on retries (of routes with {@code Retry}) relative to traffic, so retries never
 * multiply load in an outage
 */
@ConfigurationProperties("tollgate.upstream")
@Validated
public record UpstreamProperties(@DefaultValue @Valid OutlierDetection outlierDetection,
		@DefaultValue @Valid RetryBudget retryBudget) {

	/**
	 * Passive health.
	 *
	 * @param enabled eject failing instances
	 * @param consecutiveFailures failures in a row (connection errors, 502, 503, 504) that eject an instance
	 * @param ejectionTime how long an ejected instance gets no traffic
	 * @param maxEjectionPercent never eject more than this share of a service's instances
	 */
	public record OutlierDetection(@DefaultValue("true") boolean enabled,
			@DefaultValue("5") @Positive int consecutiveFailures, @DefaultValue("30s") @NotNull Duration ejectionTime,
			@DefaultValue("50") @Min(0) @Max(100) int maxEjectionPercent) {
	}

	/**
	 * Retry budget, over the last 10 seconds.
	 *
	 * @param ratio retries allowed per first attempt
	 * @param minPerSecond retries always allowed per second, however little traffic there is
	 */
	public record RetryBudget(@DefaultValue("0.2") @DecimalMin("0") @DecimalMax("10") double ratio,
			@DefaultValue("10") @Min(0) int minPerSecond) {
	}

}
