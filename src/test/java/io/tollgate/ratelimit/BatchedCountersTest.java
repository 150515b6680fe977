package io.tollgate.ratelimit;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Batched mode's bookkeeping: what a replica counted, what it sent, what Redis answered, without double counts. */
class BatchedCountersTest {

	private static final long START = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

	private static final List<WindowLimit> TEN_PER_MINUTE = List.of(new WindowLimit(Window.MINUTE, 10));

	private final QuotaPeriods periods = new QuotaPeriods(ZoneId.of("UTC"));

	private final BatchedCounters counters = new BatchedCounters();

	@Test
	void aReplicaAloneAdmitsExactlyTheLimit() {
		int allowed = 0;
		for (int i = 0; i < 25; i++) {
			allowed += this.counters.decide(TEN_PER_MINUTE, START + i, this.periods, true).allowed() ? 1 : 0;
		}
		assertThat(allowed).isEqualTo(10);
	}

	@Test
	void aSyncSendsOnlyWhatWasCountedSinceTheLastAndTheGlobalTotalReplacesIt() {
		admit(3, START);
		BatchedCounters.Delta first = this.counters.takeDelta(START);
		assertThat(sent(first)).isEqualTo(3);
		// Counted while the sync is in flight: neither lost nor sent twice.
		admit(2, START + 10);
		// Redis answers: this replica's 3 plus 4 from another replica, all in the current bucket.
		this.counters.merge(first, List.of(1L, START / Window.MINUTE.bucketMs(), 7L));

		assertThat(used(START + 20)).isEqualTo(9);
		assertThat(sent(this.counters.takeDelta(START + 20))).isEqualTo(2);
	}

	@Test
	void aFailedSyncKeepsTheKnownTotalAndSendsItsCountsNextTime() {
		admit(1, START);
		this.counters.merge(this.counters.takeDelta(START), List.of(1L, START / Window.MINUTE.bucketMs(), 5L));
		admit(2, START + 10);
		BatchedCounters.Delta failed = this.counters.takeDelta(START + 10);
		assertThat(sent(failed)).isEqualTo(2);

		this.counters.restore(failed);

		assertThat(used(START + 20)).isEqualTo(7);
		assertThat(sent(this.counters.takeDelta(START + 20))).isEqualTo(2);
	}

	@Test
	void bucketsOnlyOtherReplicasCountedInAreLearnt() {
		long bucket = Window.MINUTE.bucketMs();
		admit(1, START);
		long earlier = START / bucket - 5;
		this.counters.merge(this.counters.takeDelta(START),
				List.of(2L, earlier, 6L, START / bucket, 1L));

		assertThat(used(START + 1)).isEqualTo(7);
		// The other replica's bucket leaves the window first: the reset is when it does.
		Decision decision = this.counters.decide(TEN_PER_MINUTE, START + 1, this.periods, true);
		assertThat(decision.usages().get(0).waitMs()).isEqualTo((earlier + Window.BUCKETS + 1) * bucket - (START + 1));
	}

	@Test
	void countsThatLeftTheirWindowAreNeitherCountedNorSent() {
		admit(4, START);
		long later = START + Window.MINUTE.lengthMs() + 2 * Window.MINUTE.bucketMs();

		assertThat(used(later)).isZero();
		assertThat(sent(this.counters.takeDelta(later))).isZero();
	}

	@Test
	void aRejectedRequestIsNotCounted() {
		admit(10, START);
		assertThat(this.counters.decide(TEN_PER_MINUTE, START + 1, this.periods, true).allowed()).isFalse();

		assertThat(sent(this.counters.takeDelta(START + 1))).isEqualTo(10);
	}

	@Test
	void aQuotaSyncsItsPeriodsCountAndANewPeriodStartsFromZero() {
		List<WindowLimit> fivePerDay = List.of(new WindowLimit(Window.DAY, 5));
		this.counters.decide(fivePerDay, START, this.periods, true);
		BatchedCounters.Delta delta = this.counters.takeDelta(START);
		assertThat(delta.parts()).singleElement().satisfies((part) -> {
			assertThat(part.periodId()).isEqualTo("20261122");
			assertThat(part.count()).isEqualTo(1);
		});
		this.counters.merge(delta, List.of(4L));

		Decision last = this.counters.decide(fivePerDay, START + 1, this.periods, true);
		assertThat(last.allowed()).isTrue();
		assertThat(last.usages().get(0).remaining()).isZero();
		assertThat(this.counters.decide(fivePerDay, START + 2, this.periods, true).allowed()).isFalse();

		long tomorrow = Instant.parse("2026-11-23T00:00:01Z").toEpochMilli();
		assertThat(this.counters.decide(fivePerDay, tomorrow, this.periods, true).usages().get(0).used()).isEqualTo(1);
	}

	@Test
	void remainingNeverGoesBelowZeroWhenOtherReplicasOvershot() {
		admit(1, START);
		this.counters.merge(this.counters.takeDelta(START), List.of(1L, START / Window.MINUTE.bucketMs(), 14L));

		Decision decision = this.counters.decide(TEN_PER_MINUTE, START + 1, this.periods, true);
		assertThat(decision.allowed()).isFalse();
		assertThat(decision.usages().get(0).remaining()).isZero();
		assertThat(decision.retryAfterMs()).isPositive();
	}

	private void admit(int requests, long now) {
		for (int i = 0; i < requests; i++) {
			assertThat(this.counters.decide(TEN_PER_MINUTE, now, this.periods, true).allowed()).isTrue();
		}
	}

	private long used(long now) {
		return this.counters.decide(TEN_PER_MINUTE, now, this.periods, false).usages().get(0).used();
	}

	private static long sent(BatchedCounters.Delta delta) {
		long total = 0;
		for (BatchedCounters.Delta.Part part : delta.parts()) {
			if (part.buckets() != null) {
				for (int i = 1; i < part.buckets().length; i += 2) {
					total += part.buckets()[i];
				}
			}
			else {
				total += part.count();
			}
		}
		return total;
	}

}
