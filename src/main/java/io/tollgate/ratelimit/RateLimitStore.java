package io.tollgate.ratelimit;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Where counters live. Both implementations apply the same algorithm (see {@link Window}): a request passes only
 * if every window has room, and only a request that passes is counted.
 */
public interface RateLimitStore {

	/**
	 * Decides on one request and counts it if it passes.
	 * @param key the counter key (scope, limit-by and identity); windows are appended by the store
	 * @param limits the limits to apply, at least one
	 * @param nowMs the gateway's clock, so every replica and both stores agree on window boundaries
	 */
	Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs);

	/** The same decision, without counting anything: for the usage endpoint. */
	Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs);

}
