package io.tollgate.ratelimit;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import reactor.core.publisher.Mono;

/**
 * Counters in this replica's memory: the store without Redis, and the fallback while Redis fails. The same
 * algorithm as {@code rate_limit.lua}. Bounded: at most {@code max-keys} counter keys (Caffeine evicts the least
 * used beyond it), so a flood of distinct client IPs cannot exhaust the heap. A key is kept exactly as long as it
 * matters: until its newest request has left every sliding window and its quota periods have ended.
 */
public class LocalRateLimitStore implements RateLimitStore {

	private static final int WINDOWS = Window.values().length;

	private final Cache<String, Counters> counters;

	private final QuotaPeriods periods;

	public LocalRateLimitStore(long maxKeys, ZoneId zone) {
		this(maxKeys, zone, Ticker.systemTicker());
	}

	LocalRateLimitStore(long maxKeys, ZoneId zone, Ticker ticker) {
		this.counters = Caffeine.newBuilder()
			.maximumSize(maxKeys)
			.expireAfter(new UntilIrrelevant())
			.ticker(ticker)
			.build();
		this.periods = new QuotaPeriods(zone);
	}

	@Override
	public Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs) {
		Counters entry = this.counters.get(key, (k) -> new Counters());
		Decision decision = entry.decide(limits, nowMs, this.periods, true);
		// Re-insert so Caffeine recomputes the entry's lifetime from what it now holds.
		this.counters.put(key, entry);
		return Mono.just(decision);
	}

	@Override
	public Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs) {
		Counters existing = this.counters.getIfPresent(key);
		return Mono.just(((existing != null) ? existing : new Counters()).decide(limits, nowMs, this.periods, false));
	}

	/** How many counter keys are held now (after pending evictions ran). */
	public long trackedKeys() {
		this.counters.cleanUp();
		return this.counters.estimatedSize();
	}

	/** Each entry lives for the time its counts still matter, measured when it was last written. */
	private static final class UntilIrrelevant implements Expiry<String, Counters> {

		@Override
		public long expireAfterCreate(String key, Counters value, long currentTime) {
			return TimeUnit.MILLISECONDS.toNanos(Math.max(value.lifetimeMs, 1));
		}

		@Override
		public long expireAfterUpdate(String key, Counters value, long currentTime, long currentDuration) {
			return TimeUnit.MILLISECONDS.toNanos(Math.max(value.lifetimeMs, 1));
		}

		@Override
		public long expireAfterRead(String key, Counters value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

	/** The counters of one key, by window: a ring of bucket counts per sliding window, a count per quota period. */
	private static final class Counters {

		private final long[][] indexes = new long[WINDOWS][];

		private final long[][] counts = new long[WINDOWS][];

		private final String[] periodIds = new String[WINDOWS];

		private final long[] quotaCounts = new long[WINDOWS];

		/**
		 * Per window, the epoch ms until which its counts matter. Kept per window because one key can be counted
		 * by routes with different windows ({@code scope: global}): a route that counts seconds must not shorten
		 * the life of a day quota another route holds under the same key.
		 */
		private final long[] relevantUntil = new long[WINDOWS];

		/** How long from its last write this entry must be kept. */
		private volatile long lifetimeMs = Window.HOUR.lengthMs();

		synchronized Decision decide(List<WindowLimit> limits, long now, QuotaPeriods periods, boolean consume) {
			int n = limits.size();
			long[] used = new long[n];
			Window.Period[] quotaPeriods = new Window.Period[n];
			boolean allowed = true;
			for (int i = 0; i < n; i++) {
				Window window = limits.get(i).window();
				int w = window.ordinal();
				if (window.isSliding()) {
					used[i] = slidingTotal(window, now);
				}
				else {
					quotaPeriods[i] = periods.of(window, now);
					used[i] = quotaPeriods[i].id().equals(this.periodIds[w]) ? this.quotaCounts[w] : 0;
				}
				allowed &= used[i] < limits.get(i).limit();
			}
			List<Decision.Usage> usages = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				WindowLimit limit = limits.get(i);
				Window window = limit.window();
				int w = window.ordinal();
				long wait;
				if (window.isSliding()) {
					if (allowed && consume) {
						wait = countAndReset(window, now);
						used[i]++;
					}
					else {
						wait = slidingWait(window, now, (used[i] >= limit.limit()) ? used[i] - limit.limit() + 1 : 1);
					}
					if (consume) {
						this.relevantUntil[w] = Math.max(this.relevantUntil[w], now + window.lengthMs() + 2 * window.bucketMs());
					}
				}
				else {
					wait = quotaPeriods[i].endMs() - now;
					if (allowed && consume) {
						if (!quotaPeriods[i].id().equals(this.periodIds[w])) {
							this.periodIds[w] = quotaPeriods[i].id();
							this.quotaCounts[w] = 0;
						}
						this.quotaCounts[w]++;
						used[i]++;
					}
					if (consume) {
						this.relevantUntil[w] = Math.max(this.relevantUntil[w], quotaPeriods[i].endMs());
					}
				}
				usages.add(new Decision.Usage(window, limit.limit(), used[i], wait));
			}
			if (consume) {
				long lifetime = 0;
				for (long until : this.relevantUntil) {
					lifetime = Math.max(lifetime, until - now);
				}
				this.lifetimeMs = lifetime;
			}
			return new Decision(allowed, usages);
		}

		/** Requests in the buckets [current - BUCKETS, current]: at least one full window back. */
		private long slidingTotal(Window window, long now) {
			long[] idx = this.indexes[window.ordinal()];
			if (idx == null) {
				return 0;
			}
			long oldest = now / window.bucketMs() - Window.BUCKETS;
			long[] cnt = this.counts[window.ordinal()];
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
			long[] idx = this.indexes[window.ordinal()];
			if (idx == null) {
				return 0;
			}
			long bucket = window.bucketMs();
			long oldest = now / bucket - Window.BUCKETS;
			long[] cnt = this.counts[window.ordinal()];
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
			int w = window.ordinal();
			long bucket = window.bucketMs();
			long current = now / bucket;
			if (this.indexes[w] == null) {
				this.indexes[w] = new long[Window.BUCKETS + 1];
				Arrays.fill(this.indexes[w], Long.MIN_VALUE);
				this.counts[w] = new long[Window.BUCKETS + 1];
			}
			long[] idx = this.indexes[w];
			long[] cnt = this.counts[w];
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

	}

}
