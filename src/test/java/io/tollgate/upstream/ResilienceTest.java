package io.tollgate.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Retries, circuit breakers, timeouts and outlier ejection against real loopback upstreams. */
@ActiveProfiles("upstream")
class ResilienceTest extends GatewayTest {

	private static final RecordingUpstream pairA = RecordingUpstream.start();

	private static final RecordingUpstream pairB = RecordingUpstream.start();

	private static final int circuitPort = freePort();

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		registry.add("pair.a", pairA::uri);
		registry.add("pair.b", pairB::uri);
		registry.add("cb.port", () -> circuitPort);
	}

	@AfterEach
	void healthyAgain() {
		pairA.failWith(0);
		pairB.failWith(0);
	}

	@AfterAll
	static void stop() {
		pairA.close();
		pairB.close();
	}

	@Test
	void getThatFailsOnOneInstanceIsRetriedOnTheOther() {
		pairA.failWith(503);
		pairA.clear();
		pairB.clear();
		for (int i = 0; i < 6; i++) {
			this.client.get().uri("/u/retry/x").exchange().expectStatus().isOk();
		}
		assertThat(pairB.receivedCount()).isEqualTo(6);
		assertThat(pairA.receivedCount()).isGreaterThan(0);
	}

	@Test
	void postIsNotRetried() {
		pairA.failWith(503);
		pairA.clear();
		pairB.clear();
		int failed = 0;
		for (int i = 0; i < 4; i++) {
			int status = this.client.post().uri("/u/retry/x").bodyValue("{}").exchange().returnResult(String.class)
				.getStatus().value();
			failed += (status == 503) ? 1 : 0;
		}
		// Round robin sends half the POSTs to the failing instance, and none of them is tried again.
		assertThat(failed).isEqualTo(pairA.receivedCount()).isPositive();
		assertThat(pairA.receivedCount() + pairB.receivedCount()).isEqualTo(4);
	}

	@Test
	void circuitOpensAfterFailuresAnswersFast503ThenClosesAfterRecovery() throws Exception {
		// Nothing listens on the circuit's port yet: four refused connections (502) open the circuit.
		for (int i = 0; i < 4; i++) {
			this.client.get().uri("/u/cb/x").exchange().expectStatus().isEqualTo(502);
		}
		long started = System.nanoTime();
		this.client.get().uri("/u/cb/x").exchange().expectStatus().isEqualTo(503)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.request_id").isNotEmpty();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));

		try (RecordingUpstream recovered = RecordingUpstream.start(circuitPort)) {
			Thread.sleep(1200);
			// Half open: the permitted calls succeed and close the circuit.
			for (int i = 0; i < 5; i++) {
				this.client.get().uri("/u/cb/x").exchange().expectStatus().isOk();
			}
			assertThat(recovered.receivedCount()).isEqualTo(5);
		}
	}

	@Test
	void routeTimeoutRulesEvenWithACircuitBreakerNotTheOneSecondTimeLimiter() {
		this.client.get().uri("/u/slow/1200").exchange().expectStatus().isOk();

		long started = System.nanoTime();
		this.client.get().uri("/u/slow/3000").exchange().expectStatus().isEqualTo(504)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1400)).isLessThan(Duration.ofMillis(2800));
	}

	@Test
	void instanceThatKeepsFailingIsEjected() {
		int failures = 0;
		for (int i = 0; i < 12; i++) {
			int status = this.client.get().uri("/u/outlier/x").exchange().returnResult(String.class).getStatus().value();
			failures += (status == 502) ? 1 : 0;
		}
		// Three refused connections in a row eject the dead instance; after that all traffic goes to the live one.
		assertThat(failures).isEqualTo(3);
		for (int i = 0; i < 6; i++) {
			this.client.get().uri("/u/outlier/x").exchange().expectStatus().isOk();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
