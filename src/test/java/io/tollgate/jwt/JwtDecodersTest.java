package io.tollgate.jwt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.JwtSecret;
import io.tollgate.testsupport.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What the JWT decoders accept: the one algorithm and key of a consumer credential, or an identity provider's
 * RS256/ES256 keys; never {@code none}, never an algorithm the token picks, never a token without {@code exp};
 * issuer and audience when the route names them. Each refusal has an accepted twin that differs only in the point
 * under test.
 */
class JwtDecodersTest {

	private static final byte[] HMAC_SECRET = "an-hmac-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

	private static final byte[] LONG_HMAC_SECRET = "x".repeat(64).getBytes(StandardCharsets.UTF_8);

	private static final KeyPair rsa = TestKeys.rsa();

	private static final KeyPair otherRsa = TestKeys.rsa();

	private static final KeyPair ec = TestKeys.ec();

	private static final Consumer CONSUMER = new Consumer("id-1", "alice", null, List.of(), null);

	private static final Duration SKEW = Duration.ofSeconds(30);

	private static final AtomicInteger keyFetches = new AtomicInteger();

	private static final HttpServer identityProvider = identityProvider();

	@AfterAll
	static void stop() {
		identityProvider.stop(0);
	}

	@Test
	void hs256TokenSignedWithTheCredentialsSecretIsAccepted() {
		Jwt jwt = decode(hs256(), token(JWSAlgorithm.HS256, mac(HMAC_SECRET), claims()));

		assertThat(jwt.getSubject()).isEqualTo("alice");
	}

	@Test
	void tokenSignedWithAnotherSecretIsRefused() {
		Throwable failure = failure(hs256(),
				token(JWSAlgorithm.HS256, mac("another-secret-of-at-least-32-bytes!!!"), claims()));

		assertRejectedSignature(failure);
	}

	@Test
	void unsignedTokenWithAlgNoneIsRefused() {
		String none = new PlainJWT(claims().build()).serialize();

		assertThat(failure(hs256(), none)).isInstanceOf(BadJwtException.class);
		assertThat(failure(rs256(), none)).isInstanceOf(BadJwtException.class);
	}

	@Test
	void tokenCannotPickAnotherAlgorithmOfTheSameFamily() {
		JwtSecret secret = new JwtSecret("issuer-1", "HS256", LONG_HMAC_SECRET, null, CONSUMER);

		assertThat(decode(secret, token(JWSAlgorithm.HS256, mac(LONG_HMAC_SECRET), claims()))).isNotNull();
		assertRejectedAlgorithm(failure(secret, token(JWSAlgorithm.HS512, mac(LONG_HMAC_SECRET), claims())));
	}

	@Test
	void rs256CredentialRefusesAnHmacTokenKeyedWithItsPublicKey() {
		// Algorithm confusion: the public key is public, so an HS256 token "signed" with it proves nothing.
		String confused = token(JWSAlgorithm.HS256, mac(rsa.getPublic().getEncoded()), claims());

		assertThat(decode(rs256(), token(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), claims())))
			.isNotNull();
		assertRejectedAlgorithm(failure(rs256(), confused));
	}

	@Test
	void rs256CredentialRefusesATokenSignedByAnotherKey() {
		assertRejectedSignature(
				failure(rs256(), token(JWSAlgorithm.RS256, new RSASSASigner(otherRsa.getPrivate()), claims())));
	}

	@Test
	void es256CredentialAcceptsOnlyEs256() {
		JwtSecret secret = new JwtSecret("issuer-1", "ES256", null, ec.getPublic(), CONSUMER);

		assertThat(decode(secret, token(JWSAlgorithm.ES256, ecSigner(), claims())).getSubject()).isEqualTo("alice");
		assertRejectedAlgorithm(failure(secret, token(JWSAlgorithm.HS256, mac(HMAC_SECRET), claims())));
	}

	@Test
	void tokenWithoutExpIsRefusedSinceItWouldNeverExpire() {
		JWTClaimsSet.Builder noExp = new JWTClaimsSet.Builder().subject("alice").issuer("issuer-1");

		Throwable failure = failure(hs256(), token(JWSAlgorithm.HS256, mac(HMAC_SECRET), noExp));

		assertThat(failure).isInstanceOf(JwtValidationException.class);
		assertThat(((JwtValidationException) failure).getErrors())
			.anySatisfy((error) -> assertThat(error.getDescription()).containsIgnoringCase("exp"));
	}

	@Test
	void expiredTokenIsAcceptedWithinTheClockSkewAndRefusedAfterIt() {
		Instant now = Instant.now();
		String withinSkew = token(JWSAlgorithm.HS256, mac(HMAC_SECRET),
				claims().expirationTime(Date.from(now.minusSeconds(10))));
		String beyondSkew = token(JWSAlgorithm.HS256, mac(HMAC_SECRET),
				claims().expirationTime(Date.from(now.minusSeconds(120))));

		assertThat(decode(hs256(), withinSkew)).isNotNull();
		assertThat(failure(hs256(), beyondSkew)).isInstanceOf(JwtValidationException.class);
	}

	@Test
	void tokenNotYetValidIsRefused() {
		String later = token(JWSAlgorithm.HS256, mac(HMAC_SECRET),
				claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600))));

		assertThat(failure(hs256(), later)).isInstanceOf(JwtValidationException.class);
	}

	@Test
	void issuerIsCheckedWhenTheRouteNamesOne() {
		ReactiveJwtDecoder decoder = JwtDecoders.forSecret(hs256(), SKEW, "https://idp.example", List.of());

		assertThat(decoder.decode(hmac(claims().issuer("https://idp.example"))).block()).isNotNull();
		assertThat(catchThrowable(() -> decoder.decode(hmac(claims().issuer("https://evil.example"))).block()))
			.isInstanceOf(JwtValidationException.class);
		assertThat(catchThrowable(() -> decoder.decode(hmac(claims().issuer(null))).block()))
			.isInstanceOf(JwtValidationException.class);
	}

	@Test
	void audienceMustNameOneOfTheRoutesAudiences() {
		ReactiveJwtDecoder decoder = JwtDecoders.forSecret(hs256(), SKEW, null, List.of("orders", "billing"));

		assertThat(decoder.decode(hmac(claims().audience("billing"))).block()).isNotNull();
		assertThat(decoder.decode(hmac(claims().audience(List.of("other", "orders")))).block()).isNotNull();
		for (JWTClaimsSet.Builder refused : List.of(claims().audience("other"), claims().audience(List.of()),
				claims(), claims().audience("Orders"))) {
			assertThat(catchThrowable(() -> decoder.decode(hmac(refused)).block()))
				.isInstanceOf(JwtValidationException.class);
		}
	}

	@Test
	void anyAudienceIsAcceptedWhenTheRouteNamesNone() {
		assertThat(decode(hs256(), hmac(claims().audience("anything")))).isNotNull();
		assertThat(decode(hs256(), hmac(claims()))).isNotNull();
	}

	@Test
	void identityProviderTokenSignedWithItsKeyIsAccepted() {
		ReactiveJwtDecoder decoder = identityProviderDecoder();

		Jwt jwt = decoder.decode(token(JWSAlgorithm.RS256, "idp-1", new RSASSASigner(rsa.getPrivate()), claims()))
			.block(Duration.ofSeconds(10));

		assertThat(jwt.getSubject()).isEqualTo("alice");
	}

	@Test
	void identityProviderDecoderRefusesHmacAndNoneWithoutFetchingKeys() {
		ReactiveJwtDecoder decoder = identityProviderDecoder();
		int before = keyFetches.get();
		String confused = token(JWSAlgorithm.HS256, "idp-1", mac(rsa.getPublic().getEncoded()), claims());
		String none = new PlainJWT(claims().build()).serialize();

		assertThat(catchThrowable(() -> decoder.decode(confused).block(Duration.ofSeconds(10))))
			.isInstanceOf(BadJwtException.class);
		assertThat(catchThrowable(() -> decoder.decode(none).block(Duration.ofSeconds(10))))
			.isInstanceOf(BadJwtException.class);
		assertThat(keyFetches.get()).isEqualTo(before);
	}

	@Test
	void identityProviderDecoderAlsoRequiresExp() {
		String noExp = token(JWSAlgorithm.RS256, "idp-1", new RSASSASigner(rsa.getPrivate()),
				new JWTClaimsSet.Builder().subject("alice"));

		assertThat(catchThrowable(() -> identityProviderDecoder().decode(noExp).block(Duration.ofSeconds(10))))
			.isInstanceOf(JwtValidationException.class);
	}

	/** Refused by the verifier (Nimbus), not by a claim check: the algorithm is not the one configured. */
	private static void assertRejectedAlgorithm(Throwable failure) {
		assertThat(failure).isInstanceOf(JwtException.class).isNotInstanceOf(JwtValidationException.class);
		assertThat(failure.getCause()).isInstanceOf(BadJOSEException.class)
			.hasMessageContaining("Another algorithm expected");
	}

	/** Refused by the verifier (Nimbus), not by a claim check: the signature does not verify. */
	private static void assertRejectedSignature(Throwable failure) {
		assertThat(failure).isInstanceOf(JwtException.class).isNotInstanceOf(JwtValidationException.class);
		assertThat(failure.getCause()).isInstanceOf(BadJOSEException.class).hasMessageContaining("Invalid signature");
	}

	private static ReactiveJwtDecoder identityProviderDecoder() {
		JwkSetCache keys = JwkSetCache.forJwkSetUri(WebClient.create(),
				"http://127.0.0.1:" + identityProvider.getAddress().getPort() + "/jwks.json", Duration.ofMinutes(5),
				Duration.ofSeconds(1));
		return JwtDecoders.forIdentityProvider(keys, null, List.of(), SKEW);
	}

	private static JwtSecret hs256() {
		return new JwtSecret("issuer-1", "HS256", HMAC_SECRET, null, CONSUMER);
	}

	private static JwtSecret rs256() {
		return new JwtSecret("issuer-1", "RS256", null, rsa.getPublic(), CONSUMER);
	}

	private static Jwt decode(JwtSecret secret, String token) {
		return JwtDecoders.forSecret(secret, SKEW, null, List.of()).decode(token).block();
	}

	private static Throwable failure(JwtSecret secret, String token) {
		return catchThrowable(() -> decode(secret, token));
	}

	private static JWTClaimsSet.Builder claims() {
		return new JWTClaimsSet.Builder().subject("alice")
			.issuer("issuer-1")
			.expirationTime(Date.from(Instant.now().plusSeconds(300)));
	}

	private static String hmac(JWTClaimsSet.Builder claims) {
		return token(JWSAlgorithm.HS256, macSigner(), claims);
	}

	private static MACSigner macSigner() {
		return mac(HMAC_SECRET);
	}

	private static MACSigner mac(String secret) {
		return mac(secret.getBytes(StandardCharsets.UTF_8));
	}

	private static MACSigner mac(byte[] secret) {
		try {
			return new MACSigner(secret);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ECDSASigner ecSigner() {
		try {
			return new ECDSASigner((ECPrivateKey) ec.getPrivate());
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String token(JWSAlgorithm algorithm, JWSSigner signer, JWTClaimsSet.Builder claims) {
		return token(algorithm, null, signer, claims);
	}

	private static String token(JWSAlgorithm algorithm, String kid, JWSSigner signer, JWTClaimsSet.Builder claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims.build());
			jwt.sign(signer);
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static HttpServer identityProvider() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			byte[] jwks = new JWKSet(new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("idp-1").build())
				.toString()
				.getBytes(StandardCharsets.UTF_8);
			server.createContext("/jwks.json", (exchange) -> {
				keyFetches.incrementAndGet();
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, jwks.length);
				exchange.getResponseBody().write(jwks);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
