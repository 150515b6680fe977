package io.tollgate.admin;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use the admin (Actuator) endpoints on the management port ({@code tollgate.admin}). There is no
 * default user: with none configured, only {@code health} and {@code info} answer.
 *
 * @param users the admin users
 */
@ConfigurationProperties("tollgate.admin")
public record AdminProperties(@DefaultValue List<User> users) {

	/**
	 * One admin user.
	 *
	 * @param username the name
	 * @param password the password: from an environment variable or secret, or already encoded as
	 * {@code {bcrypt}$2a$...}; a plain one is bcrypt-encoded at startup and not kept
	 */
	public record User(String username, String password) {
	}

}
