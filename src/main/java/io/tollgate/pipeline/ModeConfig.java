package io.tollgate.pipeline;

/**
 * The {@code mode} argument of RateLimit, Acl, IpRestriction and ValidateRequest: {@code enforce}, or {@code shadow}
 * (what the policy would reject is counted and logged, and goes through); when a route does not set it,
 * {@code tollgate.policies.mode} decides.
 */
public abstract class ModeConfig {

	private Shadow.Mode mode;

	public String getMode() {
		return Shadow.Mode.name(this.mode);
	}

	public void setMode(String mode) {
		this.mode = Shadow.Mode.parse(mode);
	}

	/** Whether the policy runs in shadow mode: the route's own mode, else the gateway-wide one. */
	public boolean shadow(PolicyModes policies) {
		return Shadow.Mode.shadow(this.mode, policies);
	}

	/** {@code ", mode=shadow"} for toString, or empty when the route sets no mode. */
	protected String modeSuffix() {
		return (this.mode != null) ? ", mode=" + Shadow.Mode.name(this.mode) : "";
	}

}
