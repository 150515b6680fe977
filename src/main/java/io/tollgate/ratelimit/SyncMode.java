package io.tollgate.ratelimit;

import java.util.Locale;

import io.tollgate.config.InvalidConfigurationException;

/**
 * How a replica's counts meet the other replicas' (with counters in Redis; the local store has nothing to sync).
 * {@code exact}: every request is decided in Redis, one round trip each. {@code batched}: every request is decided
 * from this replica's memory, and deltas are exchanged with Redis every {@code sync-interval} (see
 * {@link BatchedRateLimitStore} for what that costs in precision).
 */
public enum SyncMode {

	/** One Redis call per request: the limit holds exactly across replicas. */
	EXACT,
	/** No Redis call on the request path; replicas exchange their counts every {@code sync-interval}. */
	BATCHED;

	/** Reads {@code exact} or {@code batched} (any case); anything else stops startup naming {@code property}. */
	static SyncMode parse(String property, String value) {
		if (value != null) {
			String trimmed = value.trim().toLowerCase(Locale.ROOT);
			if (trimmed.equals("exact")) {
				return EXACT;
			}
			if (trimmed.equals("batched")) {
				return BATCHED;
			}
		}
		throw new InvalidConfigurationException(property, "must be exact or batched");
	}

}
