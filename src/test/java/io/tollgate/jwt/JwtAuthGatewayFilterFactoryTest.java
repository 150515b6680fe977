package io.tollgate.jwt;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tollgate.testsupport.EdgeTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JwtAuth against a real JWKS endpoint on loopback, with keys generated for this run: RS256, ES256, per-consumer
 * HS256 and RS256 secrets, and the classic attacks.
 */
class JwtAuthGatewayFilterFactoryTest extends EdgeTest {

	@Test
	void rs256TokenFromTheIdentityProviderAuthenticatesItsConsumer() {
		bearer("/e/jwks/x", rs256(claims("carol").build())).expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("carol");
		assertThat(seen.header("X-Consumer-Groups")).containsExactly("partners");
		assertThat(seen.header("Authorization")).singleElement().asString().startsWith("Bearer ");
	}

	@Test
	void es256TokenIsAcceptedToo() {
		bearer("/e/jwks/x", es256(claims("carol").build())).expectStatus().isOk();
	}

	@Test
	void tokenForNoKnownConsumerIsAuthenticatedWithoutConsumerHeaders() {
		bearer("/e/jwks/x", rs256(claims("somebody-else").build())).expectStatus().isOk();
		assertThat(upstreamRequest().header("X-Consumer-Username")).isEmpty();
	}

	@Test
	void missingTokenIs401WithBearerChallenge() {
		this.client.get().uri("/e/jwks/x").exchange().expectStatus().isUnauthorized()
			.expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"api\"")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void expiredTokenIsRejected() {
		invalid(bearer("/e/jwks/x", rs256(claims("carol").expirationTime(Date.from(Instant.now().minusSeconds(600))).build())));
	}

	@Test
	void tokenWithoutExpiryIsRejected() {
		invalid(bearer("/e/jwks/x", rs256(claims("carol").expirationTime(null).build())));
	}

	@Test
	void notYetValidTokenIsRejected() {
		invalid(bearer("/e/jwks/x", rs256(claims("carol").notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build())));
	}

	@Test
	void tokenSignedWithAnotherKeyIsRejected() {
		invalid(bearer("/e/jwks/x", sign(new RSASSASigner(otherRsa.getPrivate()), JWSAlgorithm.RS256, "rsa-1",
				claims("carol").build())));
	}

	@Test
	void tokenForAnotherAudienceIsRejected() {
		invalid(bearer("/e/jwks/x", rs256(claims("carol").audience("someone-else").build())));
	}

	@Test
	void tokenFromAnotherIssuerIsRejected() {
		invalid(bearer("/e/jwks/x", rs256(claims("carol").issuer("https://evil.test").build())));
	}

	@Test
	void unsignedTokenIsRejected() {
		String none = new PlainJWT(claims("carol").build()).serialize();
		invalid(bearer("/e/jwks/x", none));
		invalid(bearer("/e/secret/x", new PlainJWT(claims("x").issuer("dave-issuer").build()).serialize()));
	}

	@Test
	void publicKeyUsedAsHmacSecretIsRejected() throws Exception {
		// Algorithm confusion: HS256 "signed" with the RSA public key the gateway knows.
		byte[] publicKey = rsaPublicKeyPem().getBytes(StandardCharsets.UTF_8);
		String confused = sign(new MACSigner(publicKey), JWSAlgorithm.HS256, "rsa-1",
				claims("erin").issuer("erin-issuer").build());
		invalid(bearer("/e/jwks/x", confused));
		invalid(bearer("/e/secret/x", confused)).expectBody().jsonPath("$.detail").isEqualTo("Invalid algorithm");
	}

	@Test
	void missingScopeIs403WithInsufficientScope() {
		bearer("/e/scoped/x", rs256(claims("carol").claim("scope", "orders:write").build())).expectStatus().isForbidden()
			.expectHeader().value("WWW-Authenticate", (value) -> assertThat(value).contains("error=\"insufficient_scope\"")
				.contains("scope=\"orders:read\""));
		bearer("/e/scoped/x", rs256(claims("carol").claim("scope", "orders:read orders:write").build())).expectStatus().isOk();
	}

	@Test
	void perConsumerHs256SecretAuthenticatesAndNamesTheCredential() throws Exception {
		String token = sign(new MACSigner("dave-hmac-secret-that-is-at-least-32-bytes"), JWSAlgorithm.HS256, null,
				claims("whatever").issuer("dave-issuer").build());
		bearer("/e/secret/x", token).expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("dave");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("dave-issuer");
	}

	@Test
	void perConsumerSecretRejectsWrongSecretAndUnknownIssuer() throws Exception {
		invalid(bearer("/e/secret/x", sign(new MACSigner("another-secret-that-is-at-least-32-bytes!!"), JWSAlgorithm.HS256,
				null, claims("x").issuer("dave-issuer").build())));
		invalid(bearer("/e/secret/x", sign(new MACSigner("dave-hmac-secret-that-is-at-least-32-bytes"), JWSAlgorithm.HS256,
				null, claims("x").issuer("nobody").build()))).expectBody().jsonPath("$.detail")
			.isEqualTo("No credentials found for given 'iss'");
	}

	@Test
	void perConsumerRs256PublicKeyAuthenticates() {
		bearer("/e/secret/x", sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, null,
				claims("x").issuer("erin-issuer").build())).expectStatus().isOk();
		assertThat(upstreamRequest().header("X-Consumer-Username")).containsExactly("erin");
	}

	@Test
	void jwtConsumerGetsTheSamePlanAndCountersAsWithAnApiKey() throws Exception {
		// dave's plan "silver" allows one request a minute, whichever credential he uses (scope global).
		String token = sign(new MACSigner("dave-hmac-secret-that-is-at-least-32-bytes"), JWSAlgorithm.HS256, null,
				claims("x").issuer("dave-issuer").build());
		bearer("/e/plan-jwt/x", token).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Limit-Minute", "1");
		assertThat(upstreamRequest().header("X-Consumer-Username")).containsExactly("dave");
		this.client.get().uri("/e/plan-key/x").header("apikey", "dave-secret-key-0001").exchange()
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
	}

	@Test
	void multipleTokensAreRejected() {
		this.client.get().uri("/e/jwks/x").header("Authorization", "Bearer " + rs256(claims("carol").build()),
				"Bearer " + es256(claims("carol").build())).exchange().expectStatus().isUnauthorized();
	}

	private ResponseSpec invalid(ResponseSpec response) {
		response.expectStatus().isUnauthorized()
			.expectHeader().value("WWW-Authenticate", (value) -> assertThat(value).startsWith("Bearer")
				.contains("error=\"invalid_token\""))
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(upstream.receivedCount()).isZero();
		return response;
	}

	private ResponseSpec bearer(String path, String token) {
		return this.client.get().uri(path).header("Authorization", "Bearer " + token).exchange();
	}

	private static JWTClaimsSet.Builder claims(String subject) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer("https://idp.test").subject(subject).audience("tollgate-tests")
			.issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
	}

	private static String rs256(JWTClaimsSet claims) {
		return sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, "rsa-1", claims);
	}

	private static String es256(JWTClaimsSet claims) {
		try {
			return sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()), JWSAlgorithm.ES256, "ec-1", claims);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
			jwt.sign(signer);
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
