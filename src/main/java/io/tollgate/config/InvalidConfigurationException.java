package io.tollgate.config;


/**
 * A configuration value that Tollgate refuses to start with. It always names the offending property, so the
 * operator knows which line of config-repo/ to fix; it never carries the value itself (it may be a secret).
 */
public class InvalidConfigurationException extends RuntimeException {

	private final String property;

	private final String reason;

	public InvalidConfigurationException(String property, String reason) {
		super(property + ": " + reason);
		this.property = property;
		this.reason = reason;
	}

	public String property() {
		return this.property;
	}

	public String reason() {
		return this.reason;
	}

	/** The same problem, with its property name placed under {@code prefix}. */
	public InvalidConfigurationException under(String prefix) {
		return new InvalidConfigurationException(prefix + "." + this.property, this.reason);
	}

}
