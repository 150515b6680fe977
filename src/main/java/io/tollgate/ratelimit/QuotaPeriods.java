package io.tollgate.ratelimit;

import java.time.ZoneId;

/**
 * The current calendar period of each quota window, computed once per period rather than per request (calendar
 * arithmetic and key formatting are not free).
 */
final class QuotaPeriods {

	private final ZoneId zone;

	private volatile Cached day;

	private volatile Cached month;

	QuotaPeriods(ZoneId zone) {
		this.zone = zone;
	}

	Window.Period of(Window window, long nowMs) {
		Cached cached = (window == Window.DAY) ? this.day : this.month;
		if (cached != null && nowMs >= cached.startMs && nowMs < cached.period.endMs()) {
			return cached.period;
		}
		Window.Period period = window.period(nowMs, this.zone);
		Cached fresh = new Cached(window.periodStart(nowMs, this.zone), period);
		if (window == Window.DAY) {
			this.day = fresh;
		}
		else {
			this.month = fresh;
		}
		return period;
	}

	private record Cached(long startMs, Window.Period period) {
	}

}
