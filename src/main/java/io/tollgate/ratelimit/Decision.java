package io.tollgate.ratelimit;

import java.util.List;

/**
 * What a store decided for one request.
 *
 * @param allowed whether the request may pass (it was counted only if so)
 * @param usages one entry per limited window, in the order the limits were given
 */
public record Decision(boolean allowed, List<Usage> usages) {

	/**
	 * One window's state after the decision.
	 *
	 * @param window the window
	 * @param limit requests allowed in it
	 * @param used requests counted in it (including this one when allowed)
	 * @param waitMs when this window rejected the request: milliseconds until a request would pass it; otherwise
	 * milliseconds until its count next goes down (its reset)
	 */
	public record Usage(Window window, long limit, long used, long waitMs) {

		public long remaining() {
			return Math.max(0, this.limit - this.used);
		}

		boolean exhausted() {
			return this.used >= this.limit;
		}

	}

	/** Milliseconds until a rejected request would pass every window. */
	public long retryAfterMs() {
		long wait = 0;
		for (Usage usage : this.usages) {
			if (usage.exhausted()) {
				wait = Math.max(wait, usage.waitMs());
			}
		}
		return wait;
	}

	/** The window closest to rejecting: least remaining, then soonest reset. */
	public Usage tightest() {
		Usage tightest = this.usages.get(0);
		for (Usage usage : this.usages) {
			if (usage.remaining() < tightest.remaining()
					|| (usage.remaining() == tightest.remaining() && usage.waitMs() < tightest.waitMs())) {
				tightest = usage;
			}
		}
		return tightest;
	}

}
