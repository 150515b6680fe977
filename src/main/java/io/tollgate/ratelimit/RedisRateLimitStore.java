package io.tollgate.ratelimit;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Counters in Redis, shared by every replica: one run of {@code rate_limit.lua} per request, for all windows at
 * once. Keys are {@code tollgate:rl:{<key>}:<window>}: the hash tag keeps one key's windows in one Redis Cluster
 * slot; every key carries a TTL.
 */
public class RedisRateLimitStore implements RateLimitStore, AutoCloseable {

	private final LimitScript script;

	private final QuotaPeriods periods;

	RedisRateLimitStore(LimitScript script, ZoneId zone) {
		this.script = script;
		this.periods = new QuotaPeriods(zone);
	}

	/** True when answers arrive on the calling event loop, so the caller need not hand them back to it. */
	boolean answersOnCallingLoop() {
		return this.script.answersOnCallingLoop();
	}

	/** Closes the store's own Redis connections (when the context closes). */
	@Override
	public void close() {
		this.script.close();
	}

	@Override
	public Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs) {
		return run(key, limits, nowMs, true);
	}

	@Override
	public Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs) {
		return run(key, limits, nowMs, false);
	}

	private Mono<Decision> run(String key, List<WindowLimit> limits, long now, boolean consume) {
		if (!this.script.isReady()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		int n = limits.size();
		String[] keys = new String[n];
		String[] args = new String[2 + 4 * n];
		args[0] = Long.toString(now);
		args[1] = consume ? "1" : "0";
		String prefix = "tollgate:rl:{" + key + "}:";
		for (int i = 0; i < n; i++) {
			WindowLimit limit = limits.get(i);
			Window window = limit.window();
			int a = 2 + 4 * i;
			if (window.isSliding()) {
				keys[i] = prefix + window.headerName();
				args[a] = "s";
				args[a + 1] = Long.toString(limit.limit());
				args[a + 2] = Long.toString(window.lengthMs());
				args[a + 3] = Long.toString(window.bucketMs());
			}
			else {
				Window.Period period = this.periods.of(window, now);
				keys[i] = prefix + window.headerName() + ":" + period.id();
				args[a] = "q";
				args[a + 1] = Long.toString(limit.limit());
				args[a + 2] = Long.toString(period.endMs());
				args[a + 3] = "0";
			}
		}
		return this.script.run(keys, args).map((reply) -> toDecision(limits, reply));
	}

	private static Decision toDecision(List<WindowLimit> limits, List<Long> reply) {
		List<Decision.Usage> usages = new ArrayList<>(limits.size());
		for (int i = 0; i < limits.size(); i++) {
			WindowLimit limit = limits.get(i);
			usages.add(new Decision.Usage(limit.window(), limit.limit(), reply.get(1 + 2 * i), reply.get(2 + 2 * i)));
		}
		return new Decision(reply.get(0) == 1L, usages);
	}

}
