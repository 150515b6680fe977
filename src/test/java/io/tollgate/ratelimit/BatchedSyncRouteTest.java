package io.tollgate.ratelimit;

import java.time.Duration;
import java.util.List;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RedisMonitor;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route with {@code sync: batched} while {@code tollgate.rate-limiting.sync} stays {@code exact}: its requests
 * are decided without a Redis call and its counts reach Redis at the next sync, under their own keys.
 */
@ExtendWith(RealRedis.class)
@ActiveProfiles("ratelimit")
@TestPropertySource(properties = "tollgate.rate-limiting.sync-interval=100ms")
class BatchedSyncRouteTest extends GatewayTest {

	@Autowired
	private ReactiveStringRedisTemplate redis;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		RealRedis.register(registry);
	}

	@Test
	void batchedRouteLimitsWithSaneHeadersAndSyncsUnderItsOwnKeys() {
		String ip = "198.51.100.70";
		assertThat(remaining(ip, 200)).isEqualTo("1");
		assertThat(remaining(ip, 200)).isEqualTo("0");
		assertThat(remaining(ip, 429)).isEqualTo("0");

		String key = "tollgate:rl:{route:rl-batched|ip:" + ip + "}";
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.redis.hasKey(key + ":batched:Minute").block()).isTrue());
		assertThat(this.redis.getExpire(key + ":batched:Minute").block()).isPositive();
		assertThat(this.redis.hasKey(key + ":Minute").block()).isFalse();
	}

	@Test
	void batchedRequestsMakeNoRedisCallOfTheirOwn() throws Exception {
		String ip = "198.51.100.71";
		List<String> commands;
		long tookMs;
		try (RedisMonitor monitor = RedisMonitor.start(RealRedis.server())) {
			long started = System.nanoTime();
			for (int i = 0; i < 30; i++) {
				int status = this.client.get()
					.uri("/rl/batched/x")
					.header("X-Forwarded-For", ip)
					.exchange()
					.returnResult(String.class)
					.getStatus()
					.value();
				assertThat(status).isEqualTo((i < 2) ? 200 : 429);
			}
			tookMs = (System.nanoTime() - started) / 1_000_000;
			commands = monitor.clientCommands(1);
		}
		long syncs = commands.stream().filter("evalsha"::equals).count();
		// One call per sync interval in which the key was used, however many requests it had (exact: 30).
		assertThat(syncs).as("scripts run in %d ms: %s", tookMs, commands).isBetween(1L, tookMs / 100 + 2);
		assertThat(syncs).isLessThan(30);
	}

	/** Sends one request from {@code ip}, checks its status and returns its RateLimit-Remaining. */
	private String remaining(String ip, int status) {
		HttpHeaders headers = this.client.get()
			.uri("/rl/batched/x")
			.header("X-Forwarded-For", ip)
			.exchange()
			.expectStatus()
			.isEqualTo(status)
			.returnResult(String.class)
			.getResponseHeaders();
		assertThat(headers.getFirst("X-RateLimit-Limit-Minute")).isEqualTo("2");
		assertThat(headers.getFirst("X-RateLimit-Remaining-Minute")).isEqualTo(headers.getFirst("RateLimit-Remaining"));
		return headers.getFirst("RateLimit-Remaining");
	}

}
