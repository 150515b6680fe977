package io.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One counter key in batched mode: what this replica last learnt from Redis, and what it has counted since. Per
 * sliding window a ring of {@link Window#BUCKETS} + 1 buckets (the same buckets as exact mode), per quota the
 * current calendar period; each bucket or period holds three counts:
 * <ul>
 * <li>{@code known}: the global count (every replica, this one included) in Redis at the last sync;</li>
 * <li>{@code inflight}: counted here and on its way to Redis in the sync now running;</li>
 * <li>{@code pending}: counted here since, not yet sent.</li>
 * </ul>
 * A request is decided on {@code known + inflight + pending}: never counting a request twice, nor forgetting one
 * of this replica's. A sync {@link #takeDelta takes} the pending counts (they become in flight); its answer
 * {@link #merge merges} Redis's totals, which include them; a failed sync {@link #restore restores} them to pending
 * for the next one. Buckets that have left their window are dropped, not sent.
 */
final class BatchedCounters {

	private static final int WINDOWS = Window.values().length;

	private static final int SLOTS = Window.BUCKETS + 1;

	private final long[][] indexes = new long[WINDOWS][];

	private final long[][] known = new long[WINDOWS][];

	private final long[][] inflight = new long[WINDOWS][];

	private final long[][] pending = new long[WINDOWS][];

	private final String[] periodIds = new String[WINDOWS];

	private final long[] periodEnds = new long[WINDOWS];

	private final long[] quotaKnown = new long[WINDOWS];

	private final long[] quotaInflight = new long[WINDOWS];

	private final long[] quotaPending = new long[WINDOWS];

	/** Per window, the epoch ms until which its counts matter (as in {@link LocalRateLimitStore}). */
	private final long[] relevantUntil = new long[WINDOWS];

	/** How long from its last write this entry must be kept. */
	volatile long lifetimeMs = Window.HOUR.lengthMs();

	/** Whether the entry waits in the store's sync queue. */
	final AtomicBoolean queued = new AtomicBoolean();

	/**
	 * Decides on one request from the global counts last learnt plus this replica's own since, and counts it here
	 * (as pending) if it passes and {@code consume} is set. The same algorithm as exact mode.
	 */
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
				used[i] = quotaPeriods[i].id().equals(this.periodIds[w])
						? this.quotaKnown[w] + this.quotaInflight[w] + this.quotaPending[w] : 0;
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
				Window.Period period = quotaPeriods[i];
				wait = period.endMs() - now;
				if (allowed && consume) {
					if (!period.id().equals(this.periodIds[w])) {
						// A period that has ended never matters again: its unsent count is dropped, not synced.
						this.periodIds[w] = period.id();
						this.periodEnds[w] = period.endMs();
						this.quotaKnown[w] = 0;
						this.quotaInflight[w] = 0;
						this.quotaPending[w] = 0;
					}
					this.quotaPending[w]++;
					used[i]++;
				}
				if (consume) {
					this.relevantUntil[w] = Math.max(this.relevantUntil[w], period.endMs());
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

	/**
	 * Starts a sync: every window this key has counts in, with the pending counts of its live buckets (or current
	 * period), which become in flight. Windows with nothing pending are still listed, so the sync reads the
	 * other replicas' counts for them. Null when the key holds nothing worth syncing.
	 */
	synchronized Delta takeDelta(long now) {
		List<Delta.Part> parts = new ArrayList<>(2);
		for (Window window : Window.values()) {
			int w = window.ordinal();
			if (window.isSliding()) {
				long[] idx = this.indexes[w];
				if (idx == null) {
					continue;
				}
				long oldest = now / window.bucketMs() - Window.BUCKETS;
				long[] pairs = new long[2 * SLOTS];
				int p = 0;
				for (int s = 0; s < SLOTS; s++) {
					if (idx[s] < oldest) {
						this.pending[w][s] = 0;
						this.inflight[w][s] = 0;
					}
					else if (this.pending[w][s] > 0) {
						pairs[p++] = idx[s];
						pairs[p++] = this.pending[w][s];
						this.inflight[w][s] += this.pending[w][s];
						this.pending[w][s] = 0;
					}
				}
				parts.add(new Delta.Part(window, null, 0, Arrays.copyOf(pairs, p), 0));
			}
			else if (this.periodIds[w] != null && this.periodEnds[w] > now) {
				long count = this.quotaPending[w];
				this.quotaInflight[w] += count;
				this.quotaPending[w] = 0;
				parts.add(new Delta.Part(window, this.periodIds[w], this.periodEnds[w], null, count));
			}
		}
		return parts.isEmpty() ? null : new Delta(List.copyOf(parts));
	}

	/**
	 * Ends a sync that succeeded: Redis's totals (which include what was in flight) become the known counts.
	 * {@code reply} per part, in order: for a sliding window the number of live buckets then (index, count) pairs;
	 * for a quota the period's count.
	 */
	synchronized void merge(Delta sent, List<Long> reply) {
		int r = 0;
		for (Delta.Part part : sent.parts()) {
			int w = part.window().ordinal();
			if (part.window().isSliding()) {
				int live = reply.get(r++).intValue();
				Map<Long, Long> totals = new HashMap<>(live * 2);
				for (int j = 0; j < live; j++) {
					totals.put(reply.get(r), reply.get(r + 1));
					r += 2;
				}
				long[] idx = this.indexes[w];
				for (int s = 0; s < SLOTS; s++) {
					Long total = totals.remove(idx[s]);
					this.known[w][s] = (total != null) ? total : 0;
					this.inflight[w][s] = 0;
				}
				// Buckets only other replicas have counted in.
				for (Map.Entry<Long, Long> other : totals.entrySet()) {
					int s = slot(other.getKey());
					if (idx[s] < other.getKey()) {
						resetSlot(w, s, other.getKey());
						this.known[w][s] = other.getValue();
					}
				}
			}
			else {
				long total = reply.get(r++);
				if (part.periodId().equals(this.periodIds[w])) {
					this.quotaKnown[w] = total;
					this.quotaInflight[w] = 0;
				}
			}
		}
	}

	/** Ends a sync that failed: what was in flight is pending again, for the next sync; the known counts stay. */
	synchronized void restore(Delta sent) {
		for (Delta.Part part : sent.parts()) {
			int w = part.window().ordinal();
			if (part.window().isSliding()) {
				for (int s = 0; s < SLOTS; s++) {
					this.pending[w][s] += this.inflight[w][s];
					this.inflight[w][s] = 0;
				}
			}
			else if (part.periodId().equals(this.periodIds[w])) {
				this.quotaPending[w] += this.quotaInflight[w];
				this.quotaInflight[w] = 0;
			}
		}
	}

	private static int slot(long index) {
		return (int) Math.floorMod(index, (long) SLOTS);
	}

	private long slotTotal(int w, int s) {
		return this.known[w][s] + this.inflight[w][s] + this.pending[w][s];
	}

	private void resetSlot(int w, int s, long index) {
		this.indexes[w][s] = index;
		this.known[w][s] = 0;
		this.inflight[w][s] = 0;
		this.pending[w][s] = 0;
	}

	/** Requests in the buckets [current - BUCKETS, current], as in exact mode. */
	private long slidingTotal(Window window, long now) {
		int w = window.ordinal();
		long[] idx = this.indexes[w];
		if (idx == null) {
			return 0;
		}
		long oldest = now / window.bucketMs() - Window.BUCKETS;
		long total = 0;
		for (int s = 0; s < SLOTS; s++) {
			if (idx[s] >= oldest) {
				total += slotTotal(w, s);
			}
		}
		return total;
	}

	/** Ms until {@code need} counted requests have left the window (0 if nothing is counted). */
	private long slidingWait(Window window, long now, long need) {
		int w = window.ordinal();
		long[] idx = this.indexes[w];
		if (idx == null) {
			return 0;
		}
		long bucket = window.bucketMs();
		long freed = 0;
		for (long index = now / bucket - Window.BUCKETS; index <= now / bucket; index++) {
			int s = slot(index);
			if (idx[s] == index) {
				freed += slotTotal(w, s);
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
			this.indexes[w] = new long[SLOTS];
			Arrays.fill(this.indexes[w], Long.MIN_VALUE);
			this.known[w] = new long[SLOTS];
			this.inflight[w] = new long[SLOTS];
			this.pending[w] = new long[SLOTS];
		}
		long[] idx = this.indexes[w];
		long earliest = current;
		long oldest = current - Window.BUCKETS;
		for (int s = 0; s < SLOTS; s++) {
			if (idx[s] >= oldest && idx[s] < earliest && slotTotal(w, s) > 0) {
				earliest = idx[s];
			}
		}
		int s = slot(current);
		if (idx[s] != current) {
			resetSlot(w, s, current);
		}
		this.pending[w][s]++;
		return (earliest + Window.BUCKETS + 1) * bucket - now;
	}

	/**
	 * What one sync sends for one key.
	 *
	 * @param parts one per window, in {@link Window} order
	 */
	record Delta(List<Part> parts) {

		/**
		 * One window's share of a sync.
		 *
		 * @param window the window
		 * @param periodId a quota's calendar period; null for a sliding window
		 * @param periodEndMs when that period ends
		 * @param buckets a sliding window's (bucket index, pending count) pairs, flattened
		 * @param count a quota's pending count
		 */
		record Part(Window window, String periodId, long periodEndMs, long[] buckets, long count) {
		}

	}

}
