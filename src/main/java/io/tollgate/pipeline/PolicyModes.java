package io.tollgate.pipeline;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The gateway-wide policy mode, {@code tollgate.policies.mode}: the mode of every RateLimit, Acl, IpRestriction and
 * ValidateRequest whose route sets none. Read from the environment each time routes are built, so a reload that
 * changes it applies it with the rebuilt routes.
 */
@Component
public class PolicyModes {

	static final String PROPERTY = "tollgate.policies.mode";

	private final Environment environment;

	PolicyModes(Environment environment) {
		this.environment = environment;
	}

	/** Only as routes are built; never per request. */
	public Shadow.Mode mode() {
		return Shadow.Mode.parse(PROPERTY, this.environment.getProperty(PROPERTY, "enforce"));
	}

}
