package io.tollgate.ratelimit;

import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** With {@code fault-tolerant: false}, a Redis that does not answer makes rate-limited routes answer 503. */
@ActiveProfiles("ratelimit")
@TestPropertySource(properties = "tollgate.rate-limiting.fault-tolerant=false")
class StrictRedisTest extends GatewayTest {

	@DynamicPropertySource
	static void unreachableRedis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", ClosedPort::get);
	}

	@Test
	void redisFailureAnswers503ProblemJson() {
		this.client.get()
			.uri("/rl/ip/x")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("Rate limiting is unavailable: its store does not answer");
	}

	@Test
	void routesWithoutRateLimitAreUnaffected() {
		this.client.get().uri("/rl/open/x").exchange().expectStatus().isOk();
	}

}
