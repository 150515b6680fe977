package io.tollgate.pipeline;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tollgate.policies}: checked at startup and at every reload like any other setting; {@link PolicyModes} reads
 * the mode as routes are built.
 *
 * @param mode {@code enforce} (the default) or {@code shadow}: every RateLimit, Acl, IpRestriction and ValidateRequest
 * without a {@code mode} of its own counts and logs what it would reject, and lets it through
 */
@ConfigurationProperties("tollgate.policies")
public record PolicyProperties(@DefaultValue("enforce") String mode) {

	public PolicyProperties {
		Shadow.Mode.parse(PolicyModes.PROPERTY, mode);
	}

}
