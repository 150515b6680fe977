package io.tollgate.jwt;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSecurityContextJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tollgate.consumer.JwtSecret;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Builds Spring Security's reactive JWT decoders (Nimbus underneath): one per consumer credential, pinned to its
 * single algorithm and key, or one per identity provider (RS256/ES256, keys from a {@link JwkSetCache}).
 */
final class JwtDecoders {

	private static final Set<JWSAlgorithm> IDENTITY_PROVIDER_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

	private JwtDecoders() {
	}

	/** A decoder that accepts only {@code secret.algorithm()} with {@code secret}'s key. */
	static ReactiveJwtDecoder forSecret(JwtSecret secret, Duration clockSkew, String issuer, List<String> audiences) {
		JWSAlgorithm algorithm = JWSAlgorithm.parse(secret.algorithm());
		JWK key = switch (secret.algorithm()) {
			case "RS256" -> new RSAKey.Builder((RSAPublicKey) secret.publicKey()).build();
			case "ES256" -> new ECKey.Builder(Curve.P_256, (ECPublicKey) secret.publicKey()).build();
			default -> new OctetSequenceKey.Builder(secret.secret()).build();
		};
		DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, new ImmutableJWKSet<>(new JWKSet(key))));
		// Time claims are checked by Spring's validators below, with the route's clock skew.
		processor.setJWTClaimsSetVerifier((claims, context) -> {
		});
		NimbusReactiveJwtDecoder decoder = new NimbusReactiveJwtDecoder(
				(jwt) -> Mono.fromCallable(() -> processor.process(jwt, null)));
		decoder.setJwtValidator(validators(clockSkew, issuer, audiences));
		return decoder;
	}

	/**
	 * A decoder for an identity provider's keys, as {@code keys} has them (RS256 and ES256 only: never HMAC, never
	 * none; a token with another algorithm never makes {@code keys} fetch).
	 */
	static ReactiveJwtDecoder forIdentityProvider(JwkSetCache keys, String issuer, List<String> audiences,
			Duration clockSkew) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
			.withJwkSource((jwt) -> IDENTITY_PROVIDER_ALGORITHMS.contains(jwt.getHeader().getAlgorithm())
					? keys.keys(jwt.getHeader()) : Flux.empty())
			// The builder takes one algorithm; this selector takes both.
			.jwtProcessorCustomizer((processor) -> processor.setJWSKeySelector(
					new JWSVerificationKeySelector<>(IDENTITY_PROVIDER_ALGORITHMS, new JWKSecurityContextJWKSet())))
			.build();
		decoder.setJwtValidator(validators(clockSkew, issuer, audiences));
		return decoder;
	}

	private static OAuth2TokenValidator<Jwt> validators(Duration clockSkew, String issuer, List<String> audiences) {
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		JwtTimestampValidator timestamps = new JwtTimestampValidator(clockSkew);
		// A token without exp would never expire: refused.
		timestamps.setAllowEmptyExpiryClaim(false);
		validators.add(timestamps);
		if (issuer != null) {
			validators.add(new JwtIssuerValidator(issuer));
		}
		if (!audiences.isEmpty()) {
			validators.add(new JwtClaimValidator<List<String>>("aud",
					(aud) -> aud != null && aud.stream().anyMatch(audiences::contains)));
		}
		return new DelegatingOAuth2TokenValidator<>(validators);
	}

}
