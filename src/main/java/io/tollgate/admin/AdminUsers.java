package io.tollgate.admin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.tollgate.config.InvalidConfigurationException;
import reactor.core.publisher.Mono;

import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.util.StringUtils;

/**
 * The admin users, checked at startup and at each configuration reload (naming the property), held with encoded
 * passwords only. A reload swaps the whole set at once ({@link #replaceWith}): a removed user or a changed password
 * counts from the next login.
 */
public final class AdminUsers {

	/** Every admin user's role: may read. */
	static final String ADMIN = "ADMIN";

	/** The role of {@code role: write} users: may change things too. */
	static final String WRITE = "WRITE";

	private volatile MapReactiveUserDetailsService users;

	/** @throws InvalidConfigurationException naming the first user that is wrong */
	public AdminUsers(AdminProperties properties) {
		this.users = from(properties);
	}

	/** The user with this name, for Spring Security's login on the management port. */
	public Mono<UserDetails> findByUsername(String username) {
		return this.users.findByUsername(username);
	}

	/** Puts a candidate's users in force here (a configuration reload built, and so checked, {@code candidate}). */
	public void replaceWith(AdminUsers candidate) {
		this.users = candidate.users;
	}

	private static MapReactiveUserDetailsService from(AdminProperties properties) {
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		List<UserDetails> users = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < properties.users().size(); i++) {
			AdminProperties.User user = properties.users().get(i);
			String at = "tollgate.admin.users[" + i + "]";
			if (!StringUtils.hasText(user.username())) {
				throw new InvalidConfigurationException(at + ".username", "must not be empty");
			}
			if (!names.add(user.username())) {
				throw new InvalidConfigurationException(at + ".username", "duplicate admin user '" + user.username() + "'");
			}
			String password = user.password();
			if (!StringUtils.hasText(password) || password.startsWith("${")) {
				throw new InvalidConfigurationException(at + ".password",
						"must be set (from an environment variable or secret); there is no default password");
			}
			String encoded = password.startsWith("{") ? password : encoder.encode(password);
			String[] roles = (user.role() == AdminProperties.Role.READ) ? new String[] { ADMIN }
					: new String[] { ADMIN, WRITE };
			users.add(User.withUsername(user.username()).password(encoded).roles(roles).build());
		}
		// MapReactiveUserDetailsService refuses an empty list: with no admin, a user nobody can log in as.
		if (users.isEmpty()) {
			users.add(User.withUsername("\u0000no-admin-configured").password("{noop}\u0000").disabled(true).roles("NONE").build());
		}
		return new MapReactiveUserDetailsService(users);
	}

}
