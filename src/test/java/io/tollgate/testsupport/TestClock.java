package io.tollgate.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A clock tests move by hand, to cross window and calendar boundaries without waiting. Follows the system clock
 * until {@link #set} is called. One instance serves every context of the run ({@link Config} registers it).
 */
public final class TestClock extends Clock {

	public static final TestClock INSTANCE = new TestClock();

	/** Fixed time in epoch ms, or {@code Long.MIN_VALUE} to follow the system clock. */
	private final AtomicLong fixed = new AtomicLong(Long.MIN_VALUE);

	private TestClock() {
	}

	public void set(Instant instant) {
		this.fixed.set(instant.toEpochMilli());
	}

	public void advance(Duration duration) {
		this.fixed.updateAndGet((now) -> ((now == Long.MIN_VALUE) ? System.currentTimeMillis() : now) + duration.toMillis());
	}

	public void useSystemTime() {
		this.fixed.set(Long.MIN_VALUE);
	}

	@Override
	public long millis() {
		long now = this.fixed.get();
		return (now == Long.MIN_VALUE) ? System.currentTimeMillis() : now;
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(millis());
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("tests use UTC");
	}

	/** Makes {@link TestClock#INSTANCE} the application's clock. */
	@TestConfiguration(proxyBeanMethods = false)
	public static class Config {

		@Bean
		@Primary
		Clock testClock() {
			return INSTANCE;
		}

	}

}
