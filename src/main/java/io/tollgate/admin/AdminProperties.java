package io.tollgate.admin;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may use the management port ({@code tollgate.admin}): the Actuator endpoints and the Admin API. There is no
 * default user: with none configured, only {@code health} and {@code info} answer.
 *
 * @param users the admin users
 * @param loginThrottle how many HTTP Basic attempts one client address may make before it is answered 429
 * @param syncInterval how often a replica checks that it holds every runtime consumer (reloading them when a
 * change notification was missed) and writes the keys' {@code last_used_at}
 * @param keyUsageResolution how exact {@code last_used_at} is: a key's use is recorded at most once per this
 */
@ConfigurationProperties("tollgate.admin")
@Validated
public record AdminProperties(@DefaultValue List<User> users, @DefaultValue @Valid LoginThrottle loginThrottle,
		@DefaultValue("10s") @NotNull Duration syncInterval, @DefaultValue("1m") @NotNull Duration keyUsageResolution) {

	/**
	 * One admin user.
	 *
	 * @param username the name
	 * @param password the password: from an environment variable or secret, or already encoded as
	 * {@code {bcrypt}$2a$...}; a plain one is bcrypt-encoded at startup and not kept
	 * @param role {@code write} (the default: every endpoint and method) or {@code read} (GET and HEAD only)
	 */
	public record User(String username, String password, @DefaultValue("write") Role role) {
	}

	/** What an admin user may do. */
	public enum Role {

		/** GET and HEAD only. */
		READ,

		/** Everything. */
		WRITE

	}

	/**
	 * Throttling of HTTP Basic logins on the management port, per client address (each check costs a bcrypt hash).
	 *
	 * @param maxFailures attempts with credentials one address may make per window before it gets 429; a
	 * successful login forgives the earlier ones
	 * @param window how long attempts are counted from an address's first one (and how long it is then refused)
	 * @param maxClients the most addresses tracked at once (least used evicted beyond it)
	 */
	public record LoginThrottle(@DefaultValue("10") @Positive int maxFailures,
			@DefaultValue("5m") @NotNull Duration window, @DefaultValue("10000") @Positive long maxClients) {
	}

}
