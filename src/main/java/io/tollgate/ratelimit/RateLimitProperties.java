package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.ZoneId;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How rate limits are stored and what happens when the store fails ({@code tollgate.rate-limiting}). The limits
 * themselves are set per route ({@code RateLimit} filter) and per plan ({@code tollgate.plans}).
 *
 * @param store where counters live: {@code auto} (Redis when a Redis connection is configured, else local),
 * {@code redis} or {@code local}
 * @param faultTolerant when Redis fails or is slower than {@code redis-timeout}, decide with this replica's local
 * counters (same limits, per replica) instead of answering 503
 * @param redisTimeout the most a request waits for Redis before falling back
 * @param redisRetryInterval after a Redis failure, how long requests go straight to the local store before Redis
 * is tried again
 * @param zone time zone of the calendar boundaries of {@code day} and {@code month} quotas
 * @param local bounds of the local store
 */
@ConfigurationProperties("tollgate.rate-limiting")
@Validated
public record RateLimitProperties(@DefaultValue("auto") @NotNull StoreType store,
		@DefaultValue("true") boolean faultTolerant, @DefaultValue("50ms") @NotNull Duration redisTimeout,
		@DefaultValue("1s") @NotNull Duration redisRetryInterval, @DefaultValue("UTC") @NotNull ZoneId zone,
		@DefaultValue @Valid Local local) {

	/** Where counters live. */
	public enum StoreType {

		/** Redis when a Redis connection is configured ({@code spring.data.redis.*}), else local. */
		AUTO,
		/** Redis, shared by all replicas. */
		REDIS,
		/** This replica's memory. */
		LOCAL

	}

	/**
	 * The local store. A counter key is kept until its requests have left every window and its quota periods
	 * have ended, unless {@code max-keys} forces an eviction first.
	 *
	 * @param maxKeys the most counter keys kept; beyond it the least used are evicted
	 */
	public record Local(@DefaultValue("100000") @Positive long maxKeys) {
	}

}
