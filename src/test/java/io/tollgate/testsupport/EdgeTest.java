package io.tollgate.testsupport;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the edge-security tests (profile {@code edge}): keys generated for this run, and a JWKS endpoint on
 * loopback that publishes the RSA and EC public keys. Subclasses share one application context.
 */
@ActiveProfiles("edge")
public abstract class EdgeTest extends GatewayTest {

	protected static final KeyPair rsa = TestKeys.rsa();

	protected static final KeyPair otherRsa = TestKeys.rsa();

	protected static final KeyPair ec = TestKeys.ec();

	// Its own event loop: Reactor Netty's global ones are disposed whenever an application context closes.
	private static final DisposableServer jwks = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.runOn(LoopResources.create("edge-jwks", 1, true))
		.route((routes) -> routes.get("/jwks.json",
				(request, response) -> response.header("Content-Type", "application/json")
					.sendString(Mono.just(new JWKSet(List.of(
							new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("rsa-1").build(),
							new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("ec-1").build()))
						.toString()))))
		.bindNow();

	@DynamicPropertySource
	static void keys(DynamicPropertyRegistry registry) {
		registry.add("jwks.uri", () -> "http://127.0.0.1:" + jwks.port() + "/jwks.json");
		registry.add("edge.rsa-public-key", EdgeTest::rsaPublicKeyPem);
	}

	protected static String rsaPublicKeyPem() {
		return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
				+ "\n-----END PUBLIC KEY-----";
	}

}
