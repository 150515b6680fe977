package io.tollgate.jwt;

import java.time.Duration;

import io.tollgate.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The JWK set cache arguments of {@code JwtAuth}, checked when the route is built (startup or reload). */
class JwtAuthConfigTest {

	@Test
	void defaultJwksTimingIsValid() {
		assertThatCode(() -> identityProvider().validate()).doesNotThrowAnyException();
	}

	@Test
	void zeroCacheTtlIsRejectedNamingTheArgument() {
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> identityProvider().setJwksCacheTtl(Duration.ZERO).validate())
			.withMessageStartingWith("jwks-cache-ttl:");
	}

	@Test
	void zeroRefreshCooldownIsRejectedBecauseItWouldAllowAFetchPerToken() {
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> identityProvider().setJwksRefreshCooldown(Duration.ZERO).validate())
			.withMessageStartingWith("jwks-refresh-cooldown:");
	}

	@Test
	void refreshCooldownLongerThanTheTtlIsRejected() {
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> identityProvider().setJwksCacheTtl(Duration.ofSeconds(10))
				.setJwksRefreshCooldown(Duration.ofSeconds(30))
				.validate())
			.withMessageStartingWith("jwks-refresh-cooldown:")
			.withMessageContaining("jwks-cache-ttl");
	}

	private static JwtAuthGatewayFilterFactory.Config identityProvider() {
		return new JwtAuthGatewayFilterFactory.Config().setJwkSetUri("https://idp.test/jwks.json");
	}

}
