package io.tollgate.ratelimit;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RawRedis;
import io.tollgate.testsupport.RealRedis;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis stops in the middle of traffic: no request fails because of it, limits still hold per replica, health
 * says degraded, and once Redis is back the shared counters are used again.
 */
@ExtendWith(RealRedis.class)
@ActiveProfiles("ratelimit")
@TestPropertySource(properties = "tollgate.rate-limiting.redis-retry-interval=200ms")
class RedisOutageTest extends GatewayTest {

	@Autowired
	private RateLimiter limiter;

	@Autowired
	private ReactiveStringRedisTemplate redis;

	@Autowired
	private MeterRegistry meters;

	@LocalManagementPort
	private int managementPort;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		RealRedis.register(registry);
	}

	@Test
	void trafficKeepsFlowingAndLimitedThroughAnOutageAndSharedCountersReturnAfterIt() {
		String before = "198.51.100." + 1;
		status(before, 200);
		status(before, 200);
		status(before, 429);
		health("UP");

		RealRedis.server().stop();
		try {
			// A fresh client during the outage: still limited (per replica), never a 5xx.
			String during = "198.51.100." + 2;
			status(during, 200);
			status(during, 200);
			for (int i = 0; i < 5; i++) {
				status(during, 429);
			}
			assertThat(this.limiter.isDegraded()).isTrue();
			health("DEGRADED");
			assertThat(this.meters.get("tollgate.ratelimit.fallbacks").tag("route", "rl-ip").counters())
				.isNotEmpty();
		}
		finally {
			RealRedis.server().start();
		}

		// Recovery needs no restart: a request after the retry interval finds Redis again.
		String after = "198.51.100.3";
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			status("203.0.113.250", -1);
			assertThat(this.limiter.isDegraded()).isFalse();
		});
		health("UP");
		status(after, 200);
		assertThat(this.redis.hasKey("tollgate:rl:{route:rl-ip|ip:" + after + "}:Minute").block()).isTrue();
	}

	@Test
	void slowRedisIsAFailureToo() throws Exception {
		String ip = "198.51.100.20";
		Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			status("203.0.113.251", -1);
			assertThat(this.limiter.isDegraded()).isFalse();
		});
		status(ip, 200);
		// Redis stops answering clients for 600 ms: a request in that time is decided locally, within budget.
		assertThat(RawRedis.command(RealRedis.server(), "CLIENT", "PAUSE", "600")).isEqualTo("+OK");
		long started = System.nanoTime();
		status(ip, 200);
		long tookMs = (System.nanoTime() - started) / 1_000_000;

		assertThat(tookMs).isLessThan(500);
		assertThat(this.meters.get("tollgate.ratelimit.fallbacks").tag("reason", "timeout").counter().count())
			.isGreaterThanOrEqualTo(1);
	}

	/** Sends one request from {@code ip} and checks its status (any non-5xx when {@code expected} is -1). */
	private void status(String ip, int expected) {
		int status = this.client.get()
			.uri("/rl/ip/x")
			.header("X-Forwarded-For", ip)
			.exchange()
			.returnResult(String.class)
			.getStatus()
			.value();
		assertThat(status).isLessThan(500);
		if (expected != -1) {
			assertThat(status).as("status for %s", ip).isEqualTo(expected);
		}
	}

	private void health(String status) {
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(status)
			.jsonPath("$.components.rateLimiter.status")
			.isEqualTo(status);
	}

}
