package io.tollgate.consumer;

import java.util.List;

/**
 * A consumer as the gateway uses it at run time: identity and groups, no secrets.
 *
 * @param id value of {@code X-Consumer-ID}
 * @param username value of {@code X-Consumer-Username}
 * @param customId value of {@code X-Consumer-Custom-ID}, or null
 * @param groups the consumer's groups
 * @param plan name of the consumer's plan, or null
 */
public record Consumer(String id, String username, String customId, List<String> groups, String plan) {

	public Consumer {
		groups = List.copyOf(groups);
	}

	/** {@code X-Consumer-Groups}: the groups joined with ", " (Kong's format), or null when there are none. */
	public String groupsHeader() {
		return this.groups.isEmpty() ? null : String.join(", ", this.groups);
	}

}
