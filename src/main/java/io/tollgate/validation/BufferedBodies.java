package io.tollgate.validation;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of request bodies the gateway holds right now to validate them, and the most it ever held: the memory
 * validation costs is (requests being validated) x (their max-body-size) at worst, and this shows the real figure
 * (gauge {@code tollgate.validation.buffered.bytes}).
 */
public class BufferedBodies {

	private final AtomicLong current = new AtomicLong();

	private final AtomicLong peak = new AtomicLong();

	void add(long bytes) {
		long now = this.current.addAndGet(bytes);
		this.peak.accumulateAndGet(now, Math::max);
	}

	void release(long bytes) {
		this.current.addAndGet(-bytes);
	}

	public long current() {
		return this.current.get();
	}

	public long peak() {
		return this.peak.get();
	}

}
