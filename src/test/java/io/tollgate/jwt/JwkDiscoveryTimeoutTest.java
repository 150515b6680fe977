package io.tollgate.jwt;

import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.tollgate.testsupport.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code issuer-uri}, the discovery lookup is cached once it succeeds. One discovery request that the identity
 * provider (or a middlebox) never answers must time out on its own, not stay the one pending call every later
 * fetch waits on (tokens would be refused with 503 for as long as that connection stays open).
 */
class JwkDiscoveryTimeoutTest {

	private static final RSAKey key = rsa("a");

	private static final AtomicInteger discoveries = new AtomicInteger();

	private static final LoopResources loops = LoopResources.create("discovery-idp", 1, true);

	private static final DisposableServer idp = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.runOn(loops)
		.route((routes) -> routes
			.get("/issuer/.well-known/openid-configuration", (request, response) -> (discoveries.incrementAndGet() == 1)
					// The first lookup is accepted and never answered (an overloaded IdP, a stuck LB connection).
					? Mono.never()
					: response.header("Content-Type", "application/json")
						.sendString(Mono.just("{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + base()
								+ "/jwks.json\"}"))
						.then())
			.get("/jwks.json", (request, response) -> response.header("Content-Type", "application/json")
				.sendString(Mono.just(new JWKSet(key.toPublicJWK()).toString()))
				.then()))
		.bindNow();

	@AfterAll
	static void stop() {
		idp.disposeNow();
		loops.dispose();
	}

	@Test
	void aDiscoveryRequestThatIsNeverAnsweredDoesNotStopLaterFetchesFromFindingTheKeys() throws Exception {
		JwkSetCache cache = JwkSetCache.forIssuer(org.springframework.web.reactive.function.client.WebClient.create(), issuer(), Duration.ofMinutes(5), Duration.ofMillis(200));
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("a").build();

		// The first fetch hangs on discovery and gives up after FETCH_TIMEOUT (tokens get 503 meanwhile).
		assertThat(cache.keys(header).collectList().onErrorReturn(List.of()).block(Duration.ofSeconds(10))).isEmpty();

		// The IdP answers now; after the cooldown the next token must find the key.
		Thread.sleep(300);
		List<JWK> keys = cache.keys(header).collectList().onErrorReturn(List.of()).block(Duration.ofSeconds(10));
		assertThat(discoveries.get()).as("discovery requests sent").isGreaterThanOrEqualTo(2);
		assertThat(keys).extracting(JWK::getKeyID).containsExactly("a");
	}

	private static String base() {
		return "http://127.0.0.1:" + idp.port();
	}

	private static String issuer() {
		return base() + "/issuer";
	}

	private static RSAKey rsa(String kid) {
		return new RSAKey.Builder((RSAPublicKey) TestKeys.rsa().getPublic()).keyID(kid).build();
	}

}
