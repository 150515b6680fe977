package io.tollgate.responsecache;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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
 * @param redis bounds (and, optionally, its own server) of the Redis store
 * @param targetedField the targeted cache-control field (RFC 9213) meant for this gateway: when a response has it,
 * its directives decide instead of {@code CDN-Cache-Control} and {@code Cache-Control}, and it is removed before the
 * response leaves (so an upstream can say "browsers: no-store; gateway: 60 s")
 */
@ConfigurationProperties("tollgate.response-cache")
@Validated
public record ResponseCacheProperties(@DefaultValue("memory") @NotNull StoreType store, @DefaultValue @Valid Memory memory,
		@DefaultValue("50ms") @NotNull Duration redisTimeout, @DefaultValue("10s") @NotNull Duration lockTimeout,
		@DefaultValue @Valid Redis redis, @DefaultValue("Tollgate-Cache-Control") @NotBlank String targetedField) {

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

	/**
	 * The Redis store. Redis evicts (under {@code maxmemory}) across the whole server, every database index
	 * alike, and rate-limit counters carry TTLs too: only a separate server keeps cache entries from ever pushing
	 * counters out. Give the cache one with {@code url}.
	 *
	 * @param url the cache's own Redis ({@code redis://[user:password@]host:port[/database]}, {@code rediss://}
	 * for TLS); empty: the shared {@code spring.data.redis} connection that rate limits use
	 * @param maxTtl the longest any entry is kept (fresh plus stale-if-error time), whatever the response or route
	 * says
	 * @param maxEntrySize responses with larger bodies are not stored in Redis (the route's own
	 * {@code max-entry-size} applies too; the smaller wins)
	 */
	public record Redis(String url, @DefaultValue("1h") @NotNull Duration maxTtl,
			@DefaultValue("1MB") @NotNull DataSize maxEntrySize) {

		public Redis {
			if (maxTtl != null && (maxTtl.isNegative() || maxTtl.isZero())) {
				throw new IllegalArgumentException("tollgate.response-cache.redis.max-ttl must be positive");
			}
			if (maxEntrySize != null && maxEntrySize.toBytes() <= 0) {
				throw new IllegalArgumentException("tollgate.response-cache.redis.max-entry-size must be positive");
			}
		}

	}

}
