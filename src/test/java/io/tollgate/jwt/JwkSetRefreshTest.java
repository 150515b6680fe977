package io.tollgate.jwt;

import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JwtAuth's JWK set cache against a real identity provider on loopback that counts how often its keys are fetched
 * and can rotate them: unknown {@code kid}s cannot make the gateway hammer the identity provider, and a key the
 * identity provider removed stops being trusted once the cache's TTL has passed.
 */
@ExtendWith(OutputCaptureExtension.class)
class JwkSetRefreshTest extends GatewayTest {

	private static final KeyPair keyA = TestKeys.rsa();

	private static final KeyPair keyB = TestKeys.rsa();

	private static final KeyPair attacker = TestKeys.rsa();

	private static final Map<String, KeySet> idp = Map.of("storm", new KeySet(), "rotation", new KeySet(),
			"flaky", new KeySet(), "failing", new KeySet(), "issuer", new KeySet(), "steady", new KeySet(), "unknown", new KeySet());

	private static final AtomicInteger discoveries = new AtomicInteger();

	private static final LoopResources loops = LoopResources.create("jwks-idp", 1, true);

	private static final DisposableServer server = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.runOn(loops)
		.route((routes) -> routes.get("/{set}/jwks.json", JwkSetRefreshTest::jwks)
			.get("/issuer/.well-known/openid-configuration", JwkSetRefreshTest::discovery))
		.bindNow();

	@Autowired
	private JwtAuthGatewayFilterFactory factory;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		route(registry, 0, "storm", Map.of("jwk-set-uri", jwksUri("storm")));
		route(registry, 1, "rotation", Map.of("jwk-set-uri", jwksUri("rotation"), "jwks-cache-ttl", "1s",
				"jwks-refresh-cooldown", "500ms"));
		route(registry, 2, "flaky", Map.of("jwk-set-uri", jwksUri("flaky"), "jwks-cache-ttl", "1s",
				"jwks-refresh-cooldown", "500ms"));
		route(registry, 3, "failing", Map.of("jwk-set-uri", jwksUri("failing")));
		route(registry, 4, "down", Map.of("jwk-set-uri", "http://127.0.0.1:" + ClosedPort.get() + "/jwks.json"));
		route(registry, 5, "issuer", Map.of("issuer-uri", issuerUri()));
		route(registry, 6, "steady", Map.of("jwk-set-uri", jwksUri("steady")));
		route(registry, 7, "unknown", Map.of("jwk-set-uri", jwksUri("unknown")));
	}

	private static void route(DynamicPropertyRegistry registry, int index, String id, Map<String, String> args) {
		String route = "spring.cloud.gateway.server.webflux.routes[" + index + "]";
		registry.add(route + ".id", () -> "jwks-" + id);
		registry.add(route + ".uri", upstream::uri);
		registry.add(route + ".predicates[0]", () -> "Path=/jwks/" + id + "/**");
		registry.add(route + ".filters[0].name", () -> "JwtAuth");
		registry.add(route + ".filters[0].args.audiences", () -> "tollgate-tests");
		if (!args.containsKey("issuer-uri")) {
			registry.add(route + ".filters[0].args.issuer", () -> "https://idp.test");
		}
		args.forEach((name, value) -> registry.add(route + ".filters[0].args." + name, () -> value));
	}

	@AfterAll
	static void stop() {
		server.disposeNow();
		loops.dispose();
	}

	@Test
	void thousandTokensWithUnknownKidsFetchTheKeysAtMostAHandfulOfTimes() {
		// A cold cache, 32 tokens at a time: the first ones share one fetch, the rest find the kid unknown.
		KeySet keys = publish("storm", key(keyA, "a"));

		Map<Integer, Long> statuses = Flux.range(0, 1000)
			.flatMap((i) -> status("/jwks/storm/x", sign(attacker, UUID.randomUUID().toString(), claims())), 32)
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
			.block(Duration.ofSeconds(60));

		assertThat(statuses).containsExactly(Map.entry(401, 1000L));
		assertThat(keys.fetches.get()).as("JWK set fetches for 1,000 unknown kids").isBetween(1, 3);
		// The identity provider's real key still works, without another fetch.
		int fetches = keys.fetches.get();
		assertThat(status("/jwks/storm/x", sign(keyA, "a", claims())).block()).isEqualTo(200);
		assertThat(keys.fetches.get()).isEqualTo(fetches);
	}

	@Test
	void unknownKidIs401ProblemJson() {
		publish("unknown", key(keyA, "a"));

		this.client.get().uri("/jwks/unknown/x").header("Authorization", "Bearer " + sign(attacker, "nobody", claims()))
			.exchange()
			.expectStatus().isUnauthorized()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().value("WWW-Authenticate", (value) -> assertThat(value).contains("error=\"invalid_token\""));
	}

	@Test
	void keyRemovedAtTheIdentityProviderIsRefusedAndItsReplacementAcceptedAfterTheTtl() throws Exception {
		KeySet keys = publish("rotation", key(keyA, "a"));
		assertThat(status("/jwks/rotation/x", sign(keyA, "a", claims())).block()).isEqualTo(200);

		keys.publish(key(keyB, "b"));
		Thread.sleep(1500);

		assertThat(status("/jwks/rotation/x", sign(keyA, "a", claims())).block()).as("removed key A").isEqualTo(401);
		assertThat(status("/jwks/rotation/x", sign(keyB, "b", claims())).block()).as("new key B").isEqualTo(200);
		assertThat(keys.fetches.get()).isBetween(2, 3);
	}

	@Test
	void keysAreNotFetchedAgainBeforeTheTtl() {
		KeySet keys = publish("steady", key(keyA, "a"));
		for (int i = 0; i < 20; i++) {
			assertThat(status("/jwks/steady/x", sign(keyA, "a", claims())).block()).isEqualTo(200);
		}
		assertThat(keys.fetches.get()).isEqualTo(1);
	}

	@Test
	void lastGoodKeysKeepWorkingWhileTheIdentityProviderFails() throws Exception {
		KeySet keys = publish("flaky", key(keyA, "a"));
		assertThat(status("/jwks/flaky/x", sign(keyA, "a", claims())).block()).isEqualTo(200);

		keys.failing = true;
		Thread.sleep(1500);

		assertThat(status("/jwks/flaky/x", sign(keyA, "a", claims())).block()).isEqualTo(200);
		assertThat(keys.fetches.get()).as("a refresh was attempted").isEqualTo(2);
		assertThat(status("/jwks/flaky/x", sign(attacker, "other", claims())).block()).isEqualTo(401);
	}

	@Test
	void failingJwksEndpointIs503ProblemJsonAndIsNotAskedForEveryToken() {
		KeySet keys = idp.get("failing");
		keys.failing = true;

		Map<Integer, Long> statuses = Flux.range(0, 200)
			.flatMap((i) -> status("/jwks/failing/x", sign(attacker, UUID.randomUUID().toString(), claims())), 16)
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
			.block(Duration.ofSeconds(60));

		assertThat(statuses).containsExactly(Map.entry(503, 200L));
		assertThat(keys.fetches.get()).isBetween(1, 2);
	}

	@Test
	void unreachableJwksEndpointIs503ProblemJson() {
		this.client.get().uri("/jwks/down/x").header("Authorization", "Bearer " + sign(keyA, "a", claims()))
			.exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void issuerUriFindsTheKeysThroughDiscoveryOnce() {
		KeySet keys = publish("issuer", key(keyA, "a"));
		for (int i = 0; i < 5; i++) {
			assertThat(status("/jwks/issuer/x", sign(keyA, "a", claims().issuer(issuerUri()))).block())
				.isEqualTo(200);
		}
		assertThat(status("/jwks/issuer/x", sign(keyA, "a", claims())).block()).as("another issuer")
			.isEqualTo(401);
		assertThat(discoveries.get()).isEqualTo(1);
		assertThat(keys.fetches.get()).isEqualTo(1);
	}

	@Test
	void routeWithoutAudiencesLogsAWarningNamingTheRoute(CapturedOutput output) {
		JwtAuthGatewayFilterFactory.Config config = new JwtAuthGatewayFilterFactory.Config()
			.setJwkSetUri(jwksUri("unknown"));
		config.setRouteId("no-audience-route");

		this.factory.apply(config);
		this.factory.apply(config);

		List<String> warnings = output.getAll().lines().filter((line) -> line.contains("no-audience-route")).toList();
		assertThat(warnings).singleElement().asString().contains("WARN").contains("audiences");
	}

	private Mono<Integer> status(String path, String token) {
		return WebClient.create(this.baseUrl)
			.get()
			.uri(path)
			.header("Authorization", "Bearer " + token)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

	private static KeySet publish(String name, RSAKey key) {
		KeySet keys = idp.get(name);
		keys.failing = false;
		keys.publish(key);
		keys.fetches.set(0);
		return keys;
	}

	private static Mono<Void> jwks(HttpServerRequest request, HttpServerResponse response) {
		KeySet keys = idp.get(request.param("set"));
		if (keys == null) {
			return response.status(404).send();
		}
		keys.fetches.incrementAndGet();
		if (keys.failing || keys.set == null) {
			return response.status(500).send();
		}
		return response.header("Content-Type", "application/json").sendString(Mono.just(keys.set.toString())).then();
	}

	private static Mono<Void> discovery(HttpServerRequest request, HttpServerResponse response) {
		discoveries.incrementAndGet();
		return response.header("Content-Type", "application/json")
			.sendString(Mono.just("{\"issuer\":\"" + issuerUri() + "\",\"jwks_uri\":\"" + jwksUri("issuer") + "\"}"))
			.then();
	}

	private static String jwksUri(String name) {
		return "http://127.0.0.1:" + server.port() + "/" + name + "/jwks.json";
	}

	private static String issuerUri() {
		return "http://127.0.0.1:" + server.port() + "/issuer";
	}

	private static RSAKey key(KeyPair pair, String kid) {
		return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build();
	}

	private static JWTClaimsSet.Builder claims() {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer("https://idp.test").subject("carol").audience("tollgate-tests")
			.issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
	}

	private static String sign(KeyPair pair, String kid, JWTClaimsSet.Builder claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT)
				.build(), claims.build());
			jwt.sign(new RSASSASigner(pair.getPrivate()));
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** One JWK set the identity provider publishes, and how often it was fetched. */
	private static final class KeySet {

		final AtomicInteger fetches = new AtomicInteger();

		volatile JWKSet set;

		volatile boolean failing;

		void publish(RSAKey key) {
			this.set = new JWKSet(key);
		}

	}

}
