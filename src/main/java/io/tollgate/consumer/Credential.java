package io.tollgate.consumer;

import java.util.Objects;

/**
 * A credential that authenticated a request: its id (sent as {@code X-Credential-Identifier}) and owner. An API
 * key configured without an id gets {@code <username>-key-<n>}, built the first time it is asked for rather
 * than kept for every key of a large registry.
 */
public final class Credential {

	private final Consumer consumer;

	/** 1-based position among the owner's keys, for a default id; 0 when the id was given. */
	private final int ordinal;

	/** The id; for a default id, null until first asked for (a benign race: every thread computes the same). */
	private String id;

	/** When the key stops working (epoch ms); {@link #NEVER} for a key that does not expire. */
	private final long expiresAtMs;

	/** {@link #expiresAtMs} of a credential that does not expire. */
	static final long NEVER = Long.MAX_VALUE;

	/**
	 * @param id the credential id
	 * @param consumer the consumer it belongs to
	 */
	public Credential(String id, Consumer consumer) {
		this(id, consumer, NEVER);
	}

	Credential(String id, Consumer consumer, long expiresAtMs) {
		this.id = Objects.requireNonNull(id, "id");
		this.consumer = Objects.requireNonNull(consumer, "consumer");
		this.ordinal = 0;
		this.expiresAtMs = expiresAtMs;
	}

	private Credential(Consumer consumer, int ordinal, long expiresAtMs) {
		this.consumer = consumer;
		this.ordinal = ordinal;
		this.expiresAtMs = expiresAtMs;
	}

	/** The {@code n}th (1-based) API key of {@code consumer}, configured without an id. */
	static Credential withDefaultId(Consumer consumer, int n, long expiresAtMs) {
		return new Credential(consumer, n, expiresAtMs);
	}

	/** True from the key's {@code expires-at} on. */
	public boolean expiredAt(long nowMs) {
		return nowMs >= this.expiresAtMs;
	}

	static String defaultId(String username, int n) {
		return username + "-key-" + n;
	}

	/** The credential id. */
	public String id() {
		String id = this.id;
		if (id == null) {
			id = defaultId(this.consumer.username(), this.ordinal);
			this.id = id;
		}
		return id;
	}

	/** The consumer it belongs to. */
	public Consumer consumer() {
		return this.consumer;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Credential that && id().equals(that.id()) && this.consumer.equals(that.consumer);
	}

	@Override
	public int hashCode() {
		return id().hashCode();
	}

	@Override
	public String toString() {
		return "Credential[id=" + id() + ", consumer=" + this.consumer.username() + "]";
	}

}
