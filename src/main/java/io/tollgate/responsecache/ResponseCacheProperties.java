package io.tollgate.responsecache;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where cached responses live ({@code tollgate.response-cache}); what is cached is set per route
 * ({@code ResponseCache} filter).
 *
 * @param store {@code memory} (this replica's heap) or {@code redis} (shared by every replica)
 * @param memory bounds of the memory store
 * @param redisTimeout the most a request waits for Redis; slower (or failing) lookups pass through uncached
 * @param lockTimeout how long concurrent misses on one key wait for the first one's response before going
 * upstream themselves
 */
@ConfigurationProperties("tollgate.response-cache")
@Validated
public record ResponseCacheProperties(@DefaultValue("memory") @NotNull StoreType store, @DefaultValue @Valid Memory memory,
		@DefaultValue("50ms") @NotNull Duration redisTimeout, @DefaultValue("10s") @NotNull Duration lockTimeout) {

	/** Where cached responses live. */
	public enum StoreType {

		/** This replica's heap, bounded by total bytes. */
		MEMORY,
		/** Redis, shared by all replicas; entries carry TTLs. */
		REDIS

	}

	/**
	 * The memory store.
	 *
	 * @param maxSize total bytes of cached responses kept; beyond it the least used are evicted
	 */
	public record Memory(@DefaultValue("64MB") @NotNull DataSize maxSize) {
	}

}
