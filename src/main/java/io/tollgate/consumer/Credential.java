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

	/**
	 * @param id the credential id
	 * @param consumer the consumer it belongs to
	 */
	public Credential(String id, Consumer consumer) {
		this.id = Objects.requireNonNull(id, "id");
		this.consumer = Objects.requireNonNull(consumer, "consumer");
		this.ordinal = 0;
	}

	private Credential(Consumer consumer, int ordinal) {
		this.consumer = consumer;
		this.ordinal = ordinal;
	}

	/** The {@code n}th (1-based) API key of {@code consumer}, configured without an id. */
	static Credential withDefaultId(Consumer consumer, int n) {
		return new Credential(consumer, n);
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
