package io.tollgate.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP Basic on the management port is throttled per client address, before any password is hashed. */
class AdminLoginThrottleTest extends GatewayTest {

	@LocalManagementPort
	private int managementPort;

	@Test
	void clientWithTenWrongPasswordsIsAnswered429EvenWithTheRightOneWhileOthersLogIn() {
		// The guessing client connects from 127.0.0.2, so other tests (from 127.0.0.1) keep their budget.
		HttpClient guesser = HttpClient.create().bindAddress(() -> new InetSocketAddress("127.0.0.2", 0));
		for (int i = 0; i < 10; i++) {
			assertThat(get(guesser, "ops", "guess-" + i)).startsWith("401");
		}

		String refused = get(guesser, "ops", "ops-password");

		assertThat(refused).startsWith("429 application/problem+json ").contains("\"status\":429");
		long retryAfter = Long.parseLong(refused.split(" ")[2]);
		assertThat(retryAfter).isBetween(1L, 300L);
		assertThat(get(HttpClient.create(), "ops", "ops-password")).startsWith("200");
	}

	@Test
	void tracksNoMoreClientAddressesThanMaxClients() {
		AdminLoginThrottle throttle = new AdminLoginThrottle(
				new AdminProperties.LoginThrottle(3, Duration.ofMinutes(5), 100));
		for (int i = 0; i < 5000; i++) {
			MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/actuator/env")
				.header(HttpHeaders.AUTHORIZATION, basic("ops", "wrong"))
				.remoteAddress(new InetSocketAddress("10.0." + (i >> 8) + "." + (i & 0xFF), 40000)));
			throttle.filter(exchange, (ex) -> {
				ex.getResponse().setStatusCode(HttpStatus.UNAUTHORIZED);
				return ex.getResponse().setComplete();
			}).block();
		}

		assertThat(throttle.trackedClients()).isLessThanOrEqualTo(100);
	}

	/** "status content-type retry-after body" of a GET of /actuator/consumers with these credentials. */
	private String get(HttpClient client, String user, String password) {
		return client.headers((headers) -> headers.set(HttpHeaders.AUTHORIZATION, basic(user, password)))
			.get()
			.uri("http://127.0.0.1:" + this.managementPort + "/actuator/consumers")
			.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> response.status().code()
					+ " " + response.responseHeaders().get(HttpHeaders.CONTENT_TYPE) + " "
					+ response.responseHeaders().get(HttpHeaders.RETRY_AFTER) + " " + text))
			.switchIfEmpty(Mono.just("none"))
			.block(Duration.ofSeconds(10));
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
