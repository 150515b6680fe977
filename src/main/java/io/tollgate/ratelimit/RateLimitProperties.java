package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.ZoneId;

import io.tollgate.config.InvalidConfigurationException;
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
 * @param local bounds of the local store (and of the keys batched sync holds)
 * @param sync how replicas share counts in Redis: {@code exact} (every request decided in Redis, one round trip
 * each) or {@code batched} (decided in memory, counts exchanged with Redis every {@code sync-interval}; the limit
 * may then be exceeded by what other replicas admit in about two intervals). A route's {@code sync} overrides it
 * @param syncInterval with batched sync, how often each replica exchanges its counts with Redis
 */
@ConfigurationProperties("tollgate.rate-limiting")
@Validated
public record RateLimitProperties(@DefaultValue("auto") @NotNull StoreType store,
		@DefaultValue("true") boolean faultTolerant, @DefaultValue("50ms") @NotNull Duration redisTimeout,
		@DefaultValue("1s") @NotNull Duration redisRetryInterval, @DefaultValue("UTC") @NotNull ZoneId zone,
		@DefaultValue @Valid Local local, @DefaultValue("exact") String sync,
		@DefaultValue("100ms") @NotNull Duration syncInterval) {

	public RateLimitProperties {
		SyncMode.parse("tollgate.rate-limiting.sync", sync);
		if (syncInterval != null && (syncInterval.isNegative() || syncInterval.toMillis() < 1)) {
			throw new InvalidConfigurationException("tollgate.rate-limiting.sync-interval",
					"must be at least one millisecond");
		}
	}

	/** {@link #sync()} as read at startup. */
	public SyncMode syncMode() {
		return SyncMode.parse("tollgate.rate-limiting.sync", this.sync);
	}

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
