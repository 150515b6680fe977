package io.tollgate.consumer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A consumer as the gateway uses it at run time: identity and groups, no secrets.
 * <p>
 * A registry may hold a hundred thousand of these, so a consumer keeps only what it was given: an id derived
 * from the username is computed the first time it is asked for (the first authenticated request) and kept from
 * then on, instead of a string per configured consumer that may never call.
 */
public final class Consumer {

	private final String username;

	private final String customId;

	private final List<String> groups;

	private final String plan;

	/** The plan's limits, from the same configuration as the consumer (a reload swaps both together). */
	private final ConsumerProperties.Limits planLimits;

	private final boolean derivedId;

	/** The id; for a derived id, null until first asked for (a benign race: every thread computes the same). */
	private String id;

	/**
	 * @param id value of {@code X-Consumer-ID}
	 * @param username value of {@code X-Consumer-Username}
	 * @param customId value of {@code X-Consumer-Custom-ID}, or null
	 * @param groups the consumer's groups
	 * @param plan name of the consumer's plan, or null
	 */
	public Consumer(String id, String username, String customId, List<String> groups, String plan) {
		this(Objects.requireNonNull(id, "id"), username, customId, groups, plan, null, false);
	}

	Consumer(String id, String username, String customId, List<String> groups, String plan,
			ConsumerProperties.Limits planLimits, boolean derivedId) {
		this.id = id;
		this.username = Objects.requireNonNull(username, "username");
		this.customId = customId;
		this.groups = List.copyOf(groups);
		this.plan = plan;
		this.planLimits = planLimits;
		this.derivedId = derivedId;
	}

	/** A consumer whose id is derived from its username ({@link #derivedId(String)}), so every replica agrees on it. */
	static Consumer withDerivedId(String username, String customId, List<String> groups, String plan,
			ConsumerProperties.Limits planLimits) {
		return new Consumer(null, username, customId, groups, plan, planLimits, true);
	}

	/** The id a consumer configured without one gets: a name-based (version 3) UUID of its username. */
	static String derivedId(String username) {
		return UUID.nameUUIDFromBytes(("tollgate:consumer:" + username).getBytes(StandardCharsets.UTF_8)).toString();
	}

	/** Value of {@code X-Consumer-ID}. */
	public String id() {
		String id = this.id;
		if (id == null) {
			id = derivedId(this.username);
			this.id = id;
		}
		return id;
	}

	/** Value of {@code X-Consumer-Username}. */
	public String username() {
		return this.username;
	}

	/** Value of {@code X-Consumer-Custom-ID}, or null. */
	public String customId() {
		return this.customId;
	}

	/** The consumer's groups. */
	public List<String> groups() {
		return this.groups;
	}

	/** Name of the consumer's plan, or null. */
	public String plan() {
		return this.plan;
	}

	/** The limits of the consumer's plan, or null when it has none. */
	public ConsumerProperties.Limits planLimits() {
		return this.planLimits;
	}

	/** True when the id was not configured but derived from the username. */
	boolean hasDerivedId() {
		return this.derivedId;
	}

	/** {@code X-Consumer-Groups}: the groups joined with ", " (Kong's format), or null when there are none. */
	public String groupsHeader() {
		return this.groups.isEmpty() ? null : String.join(", ", this.groups);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Consumer that && this.username.equals(that.username) && id().equals(that.id())
				&& Objects.equals(this.customId, that.customId) && this.groups.equals(that.groups)
				&& Objects.equals(this.plan, that.plan);
	}

	@Override
	public int hashCode() {
		return this.username.hashCode();
	}

	@Override
	public String toString() {
		return "Consumer[id=" + id() + ", username=" + this.username + ", customId=" + this.customId + ", groups="
				+ this.groups + ", plan=" + this.plan + "]";
	}

}
