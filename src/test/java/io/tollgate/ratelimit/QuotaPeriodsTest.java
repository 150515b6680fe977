package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The calendar period each day and month quota counts in: its id in store keys and when it resets. */
class QuotaPeriodsTest {

	private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

	private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

	private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@Test
	void dayAndMonthInUtcEndAtTheNextMidnightAndTheFirstOfTheNextMonth() {
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);

		assertThat(periods.of(Window.DAY, ms("2026-11-22T13:45:00Z")))
			.isEqualTo(new Window.Period("20261122", ms("2026-11-23T00:00:00Z")));
		assertThat(periods.of(Window.MONTH, ms("2026-11-22T13:45:00Z")))
			.isEqualTo(new Window.Period("202611", ms("2026-12-01T00:00:00Z")));
	}

	@Test
	void lastMillisecondOfAPeriodIsInItAndTheNextOneStartsANewPeriod() {
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);

		assertThat(periods.of(Window.DAY, ms("2026-01-31T23:59:59.999Z")).id()).isEqualTo("20260131");
		assertThat(periods.of(Window.MONTH, ms("2026-01-31T23:59:59.999Z")).id()).isEqualTo("202601");
		assertThat(periods.of(Window.DAY, ms("2026-02-01T00:00:00Z")).id()).isEqualTo("20260201");
		assertThat(periods.of(Window.MONTH, ms("2026-02-01T00:00:00Z")))
			.isEqualTo(new Window.Period("202602", ms("2026-03-01T00:00:00Z")));
	}

	@Test
	void monthsOfEveryLengthEndOnTheirLastDay() {
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);

		// February of a leap year, a 30-day and a 31-day month, and the year's end.
		assertThat(periods.of(Window.DAY, ms("2028-02-29T12:00:00Z")))
			.isEqualTo(new Window.Period("20280229", ms("2028-03-01T00:00:00Z")));
		assertThat(periods.of(Window.MONTH, ms("2028-02-29T12:00:00Z")))
			.isEqualTo(new Window.Period("202802", ms("2028-03-01T00:00:00Z")));
		assertThat(periods.of(Window.MONTH, ms("2026-04-30T23:00:00Z")))
			.isEqualTo(new Window.Period("202604", ms("2026-05-01T00:00:00Z")));
		assertThat(periods.of(Window.MONTH, ms("2026-12-31T23:59:59Z")))
			.isEqualTo(new Window.Period("202612", ms("2027-01-01T00:00:00Z")));
	}

	@Test
	void periodsFollowTheConfiguredZoneNotUtc() {
		QuotaPeriods tokyo = new QuotaPeriods(TOKYO);

		// 15:00 UTC on 31 January is midnight on 1 February in Tokyo (UTC+9).
		assertThat(tokyo.of(Window.DAY, ms("2026-01-31T14:59:59.999Z")))
			.isEqualTo(new Window.Period("20260131", ms("2026-01-31T15:00:00Z")));
		assertThat(tokyo.of(Window.MONTH, ms("2026-01-31T14:59:59.999Z")))
			.isEqualTo(new Window.Period("202601", ms("2026-01-31T15:00:00Z")));
		assertThat(tokyo.of(Window.DAY, ms("2026-01-31T15:00:00Z")))
			.isEqualTo(new Window.Period("20260201", ms("2026-02-01T15:00:00Z")));
		assertThat(tokyo.of(Window.MONTH, ms("2026-01-31T15:00:00Z")))
			.isEqualTo(new Window.Period("202602", ms("2026-02-28T15:00:00Z")));
	}

	@Test
	void monthBehindUtcStillCountsInTheOldMonthAfterUtcMidnight() {
		QuotaPeriods losAngeles = new QuotaPeriods(LOS_ANGELES);

		// 07:59 UTC on 1 March is 23:59 on 28 February in Los Angeles (UTC-8 in winter).
		assertThat(losAngeles.of(Window.MONTH, ms("2026-03-01T07:59:59Z")))
			.isEqualTo(new Window.Period("202602", ms("2026-03-01T08:00:00Z")));
		assertThat(losAngeles.of(Window.DAY, ms("2026-03-01T07:59:59Z")).id()).isEqualTo("20260228");
		assertThat(losAngeles.of(Window.MONTH, ms("2026-03-01T08:00:00Z")))
			.isEqualTo(new Window.Period("202603", ms("2026-04-01T07:00:00Z")));
	}

	@Test
	void dayOfADaylightSavingChangeIsAsLongAsTheLocalDay() {
		QuotaPeriods berlin = new QuotaPeriods(BERLIN);

		// Clocks go forward on 29 March 2026: a 23-hour day; back on 25 October: a 25-hour day.
		Window.Period spring = berlin.of(Window.DAY, ms("2026-03-29T12:00:00Z"));
		assertThat(spring).isEqualTo(new Window.Period("20260329", ms("2026-03-29T22:00:00Z")));
		assertThat(Duration.ofMillis(spring.endMs() - ms("2026-03-28T23:00:00Z"))).isEqualTo(Duration.ofHours(23));
		Window.Period autumn = berlin.of(Window.DAY, ms("2026-10-25T12:00:00Z"));
		assertThat(autumn).isEqualTo(new Window.Period("20261025", ms("2026-10-25T23:00:00Z")));
		assertThat(Duration.ofMillis(autumn.endMs() - ms("2026-10-24T22:00:00Z"))).isEqualTo(Duration.ofHours(25));
	}

	@Test
	void periodIsComputedOncePerPeriodAndReplacedWhenItEnds() {
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);

		Window.Period morning = periods.of(Window.DAY, ms("2026-11-22T08:00:00Z"));
		assertThat(periods.of(Window.DAY, ms("2026-11-22T23:59:59.999Z"))).isSameAs(morning);
		assertThat(periods.of(Window.DAY, ms("2026-11-23T00:00:00Z")).id()).isEqualTo("20261123");
	}

	@Test
	void requestStampedBeforeTheCurrentPeriodStillGetsItsOwnPeriod() {
		// A request that read the clock just before midnight may be counted just after another one did.
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);
		periods.of(Window.DAY, ms("2026-11-23T00:00:00.001Z"));
		periods.of(Window.MONTH, ms("2026-12-01T00:00:00.001Z"));

		assertThat(periods.of(Window.DAY, ms("2026-11-22T23:59:59.999Z")).id()).isEqualTo("20261122");
		assertThat(periods.of(Window.MONTH, ms("2026-11-30T23:59:59.999Z")).id()).isEqualTo("202611");
	}

	@Test
	void dayAndMonthAreTrackedSeparately() {
		QuotaPeriods periods = new QuotaPeriods(ZoneOffset.UTC);
		long now = ms("2026-11-22T08:00:00Z");

		assertThat(periods.of(Window.DAY, now).id()).isEqualTo("20261122");
		assertThat(periods.of(Window.MONTH, now).id()).isEqualTo("202611");
		assertThat(periods.of(Window.DAY, now).id()).isEqualTo("20261122");
	}

	private static long ms(String instant) {
		return Instant.parse(instant).toEpochMilli();
	}

}
