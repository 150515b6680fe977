package io.tollgate.ratelimit;

import java.time.Duration;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** A flood of distinct client IPs cannot grow the local store past its bound. */
@ActiveProfiles("ratelimit")
@TestPropertySource(properties = { "tollgate.rate-limiting.store=local", "tollgate.rate-limiting.local.max-keys=1000" })
class LocalStoreBoundTest extends GatewayTest {

	@Autowired
	private LocalRateLimitStore store;

	@Autowired
	private RateLimiter limiter;

	@Test
	void trackedKeysStayWithinMaxKeysFor100000DistinctClientIps() {
		assertThat(this.limiter.usesRedis()).isFalse();
		WebClient client = WebClient.create(this.baseUrl);

		Long ok = Flux.range(0, 100_000)
			.flatMap((i) -> client.get()
				.uri("/rl/many/x")
				.header("X-Forwarded-For", "10." + (i >> 16) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF))
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())), 64)
			.filter((status) -> status == 200)
			.count()
			.block(Duration.ofMinutes(3));

		assertThat(ok).isEqualTo(100_000);
		assertThat(this.store.trackedKeys()).isLessThanOrEqualTo(1000);
	}

}
