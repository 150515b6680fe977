package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import reactor.core.publisher.Mono;

/**
 * Counters in this replica's memory: the store without Redis, and the fallback while Redis fails. The same
 * algorithm as {@code rate_limit.lua}. Bounded: at most {@code max-keys} counter keys, idle ones evicted first
 * (Caffeine), so a flood of distinct client IPs cannot exhaust the heap.
 */
public class LocalRateLimitStore implements RateLimitStore {

	private final Cache<String, Counters> counters;

	private final ZoneId zone;

	public LocalRateLimitStore(long maxKeys, Duration idleTimeout, ZoneId zone) {
		this.counters = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(idleTimeout).build();
		this.zone = zone;
	}

	@Override
	public Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs) {
		return Mono.just(this.counters.get(key, (k) -> new Counters()).decide(limits, nowMs, this.zone, true));
	}

	@Override
	public Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs) {
		Counters existing = this.counters.getIfPresent(key);
		return Mono.just(((existing != null) ? existing : new Counters()).decide(limits, nowMs, this.zone, false));
	}

	/** How many counter keys are held now (after pending evictions ran). */
	public long trackedKeys() {
		this.counters.cleanUp();
		return this.counters.estimatedSize();
	}

	/** The counters of one key: a bucket ring per sliding window, a counter per quota period. */
	private static final class Counters {

		private final Map<Window, long[]> indexes = new HashMap<>(4);

		private final Map<Window, long[]> counts = new HashMap<>(4);

		private final Map<Window, String> periods = new HashMap<>(2);

		private final Map<Window, Long> quotaCounts = new HashMap<>(2);

		synchronized Decision decide(List<WindowLimit> limits, long now, ZoneId zone, boolean consume) {
			int n = limits.size();
			long[] used = new long[n];
			Window.Period[] periods = new Window.Period[n];
			boolean allowed = true;
			for (int i = 0; i < n; i++) {
				Window window = limits.get(i).window();
				if (window.isSliding()) {
					used[i] = slidingTotal(window, now);
				}
				else {
					periods[i] = window.period(now, zone);
					used[i] = periods[i].id().equals(this.periods.get(window)) ? this.quotaCounts.get(window) : 0;
				}
				allowed &= used[i] < limits.get(i).limit();
			}
			List<Decision.Usage> usages = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				WindowLimit limit = limits.get(i);
				Window window = limit.window();
				long wait;
				if (window.isSliding()) {
					if (allowed && consume) {
						wait = countAndReset(window, now);
						used[i]++;
					}
					else {
						wait = slidingWait(window, now, (used[i] >= limit.limit()) ? used[i] - limit.limit() + 1 : 1);
					}
				}
				else {
					wait = periods[i].endMs() - now;
					if (allowed && consume) {
						if (!periods[i].id().equals(this.periods.get(window))) {
							this.periods.put(window, periods[i].id());
							this.quotaCounts.put(window, 0L);
						}
						this.quotaCounts.merge(window, 1L, Long::sum);
						used[i]++;
					}
				}
				usages.add(new Decision.Usage(window, limit.limit(), used[i], wait));
			}
			return new Decision(allowed, usages);
		}

		/** Requests in the buckets [current - BUCKETS, current]: at least one full window back. */
		private long slidingTotal(Window window, long now) {
			long[] idx = this.indexes.get(window);
			if (idx == null) {
				return 0;
			}
			long oldest = now / window.bucketMs() - Window.BUCKETS;
			long[] cnt = this.counts.get(window);
			long total = 0;
			for (int s = 0; s < idx.length; s++) {
				if (idx[s] >= oldest) {
					total += cnt[s];
				}
			}
			return total;
		}

		/** Ms until {@code need} counted requests have left the window (0 if nothing is counted). */
		private long slidingWait(Window window, long now, long need) {
			long[] idx = this.indexes.get(window);
			if (idx == null) {
				return 0;
			}
			long bucket = window.bucketMs();
			long oldest = now / bucket - Window.BUCKETS;
			long[] cnt = this.counts.get(window);
			long freed = 0;
			// The ring holds BUCKETS + 1 slots; walk them from the oldest live index upwards.
			for (long index = oldest; index <= now / bucket; index++) {
				int s = (int) Math.floorMod(index, (long) idx.length);
				if (idx[s] == index) {
					freed += cnt[s];
					if (freed >= need) {
						return (index + Window.BUCKETS + 1) * bucket - now;
					}
				}
			}
			return 0;
		}

		/** Counts one request in the current bucket; returns ms until the window's count next goes down. */
		private long countAndReset(Window window, long now) {
			long bucket = window.bucketMs();
			long current = now / bucket;
			long[] idx = this.indexes.computeIfAbsent(window, (w) -> newRing());
			long[] cnt = this.counts.computeIfAbsent(window, (w) -> new long[Window.BUCKETS + 1]);
			long earliest = current;
			long oldest = current - Window.BUCKETS;
			for (long index : idx) {
				if (index >= oldest && index < earliest) {
					earliest = index;
				}
			}
			int s = (int) Math.floorMod(current, (long) idx.length);
			if (idx[s] != current) {
				idx[s] = current;
				cnt[s] = 0;
			}
			cnt[s]++;
			return (earliest + Window.BUCKETS + 1) * bucket - now;
		}

		private static long[] newRing() {
			long[] ring = new long[Window.BUCKETS + 1];
			java.util.Arrays.fill(ring, Long.MIN_VALUE);
			return ring;
		}

	}

}
