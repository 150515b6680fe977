package io.tollgate.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
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

	@Autowired
	private OutlierDetector outliers;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

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

	@Test
	void oversizedUploadsOpenNoCircuitAndEjectNoInstance() {
		// u-upload: CircuitBreaker (opens at 50% of 4 calls), two instances (3 failures in a row eject), 1KB limit.
		for (int i = 0; i < 12; i++) {
			this.client.post().uri("/u/upload/x").body(chunks(4, 512), DataBuffer.class).exchange()
				.expectStatus().isEqualTo(413);
		}

		for (int i = 0; i < 4; i++) {
			this.client.post().uri("/u/upload/x").bodyValue("{}").exchange().expectStatus().isOk();
		}
		assertThat(this.outliers.ejectedCount(System.currentTimeMillis())).isZero();
		assertThat(this.circuitBreakers.circuitBreaker("cb-upload").getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void clientThatAbortsMidUploadOpensNoCircuitAndEjectsNoInstance() throws Exception {
		int port = Integer.parseInt(this.baseUrl.substring(this.baseUrl.lastIndexOf(':') + 1));
		for (int i = 0; i < 8; i++) {
			try (Socket socket = new Socket("127.0.0.1", port)) {
				OutputStream out = socket.getOutputStream();
				out.write(("POST /u/upload/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
						+ "100\r\n" + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII));
				out.flush();
				Thread.sleep(100);
				socket.setSoLinger(true, 0);
			}
		}
		Thread.sleep(300);

		for (int i = 0; i < 4; i++) {
			this.client.post().uri("/u/upload/x").bodyValue("{}").exchange().expectStatus().isOk();
		}
		assertThat(this.outliers.ejectedCount(System.currentTimeMillis())).isZero();
		assertThat(this.circuitBreakers.circuitBreaker("cb-upload").getMetrics().getNumberOfFailedCalls()).isZero();
	}

	private static Flux<DataBuffer> chunks(int count, int size) {
		return Flux.range(0, count).map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[size]));
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
