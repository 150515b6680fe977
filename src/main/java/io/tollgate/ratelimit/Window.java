package io.tollgate.ratelimit;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * A rate-limit window. {@code SECOND}, {@code MINUTE} and {@code HOUR} slide: a request is counted for exactly one
 * window length after it was made (rounded up to a twentieth of the window), so no span of that length ever
 * admits more than the limit, bursts at bucket edges included. {@code DAY} and {@code MONTH} are quotas that
 * reset at calendar boundaries in the configured zone.
 */
public enum Window {

	SECOND("Second", 1_000L), MINUTE("Minute", 60_000L), HOUR("Hour", 3_600_000L), DAY("Day", 0L), MONTH("Month", 0L);

	/** Buckets per sliding window: the count is exact to within one twentieth of the window (never over). */
	static final int BUCKETS = 20;

	private final String headerName;

	private final long lengthMs;

	private final String limitHeader;

	private final String remainingHeader;

	Window(String headerName, long lengthMs) {
		this.headerName = headerName;
		this.lengthMs = lengthMs;
		this.limitHeader = "X-RateLimit-Limit-" + headerName;
		this.remainingHeader = "X-RateLimit-Remaining-" + headerName;
	}

	String limitHeader() {
		return this.limitHeader;
	}

	String remainingHeader() {
		return this.remainingHeader;
	}

	/** {@code Second}, {@code Minute}, ...: the suffix of {@code X-RateLimit-Limit-<Window>}. */
	public String headerName() {
		return this.headerName;
	}

	public boolean isSliding() {
		return this.lengthMs > 0;
	}

	long lengthMs() {
		return this.lengthMs;
	}

	long bucketMs() {
		return this.lengthMs / BUCKETS;
	}

	/** The calendar period of a quota window that contains {@code nowMs}. */
	Period period(long nowMs, ZoneId zone) {
		ZonedDateTime start = start(nowMs, zone);
		if (this == DAY) {
			return new Period(String.format("%04d%02d%02d", start.getYear(), start.getMonthValue(), start.getDayOfMonth()),
					start.plusDays(1).toInstant().toEpochMilli());
		}
		return new Period(String.format("%04d%02d", start.getYear(), start.getMonthValue()),
				start.plusMonths(1).toInstant().toEpochMilli());
	}

	/** When the calendar period containing {@code nowMs} began. */
	long periodStart(long nowMs, ZoneId zone) {
		return start(nowMs, zone).toInstant().toEpochMilli();
	}

	private ZonedDateTime start(long nowMs, ZoneId zone) {
		ZonedDateTime now = Instant.ofEpochMilli(nowMs).atZone(zone);
		if (this == DAY) {
			return now.truncatedTo(ChronoUnit.DAYS);
		}
		if (this == MONTH) {
			return now.with(TemporalAdjusters.firstDayOfMonth()).truncatedTo(ChronoUnit.DAYS);
		}
		throw new IllegalStateException(this + " is not a quota");
	}

	/**
	 * One calendar period of a quota.
	 *
	 * @param id names the period in store keys (20261122, 202611)
	 * @param endMs when it ends, in epoch milliseconds
	 */
	record Period(String id, long endMs) {
	}

}
