package io.tollgate.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.redis.RedisReadiness;
import io.tollgate.testsupport.RealRedis;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Batched stores of two replicas exchanging their counts through a real Redis. */
@ExtendWith(RealRedis.class)
class BatchedSyncTest {

	private static final List<WindowLimit> LIMITS = List.of(new WindowLimit(Window.MINUTE, 100),
			new WindowLimit(Window.DAY, 1000));

	private static LettuceConnectionFactory connectionFactory;

	private static ReactiveStringRedisTemplate template;

	@BeforeAll
	static void connect() {
		connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(RealRedis.server().host(), RealRedis.server().port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		template = new ReactiveStringRedisTemplate(connectionFactory);
	}

	@AfterAll
	static void disconnect() {
		connectionFactory.destroy();
	}

	@Test
	void eachReplicaLearnsTheOthersCountsAtItsNextSync() {
		String key = "test|" + UUID.randomUUID();
		try (BatchedRateLimitStore first = store(connected()); BatchedRateLimitStore second = store(connected())) {
			decide(first, key, 3);
			decide(second, key, 2);
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redisTotal(key) == 5);

			// Each replica's next request brings its key into its next sync, which returns the other's counts.
			decide(first, key, 1);
			decide(second, key, 1);

			// Whichever synced first learnt 6 (the other's last request was not in Redis yet), the other 7.
			Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(redisTotal(key)).isEqualTo(7);
				assertThat(used(first, key)).isBetween(6L, 7L);
				assertThat(used(second, key)).isBetween(6L, 7L);
				assertThat(used(first, key) + used(second, key)).isEqualTo(13);
			});
			assertThat(template.getExpire("tollgate:rl:{" + key + "}:batched:Minute").block()).isPositive();
			assertThat(template.keys("tollgate:rl:{" + key + "}:batched:Day:*").collectList().block()).hasSize(1);
			assertThat(template.keys("tollgate:rl:{" + key + "}:Minute").collectList().block()).isEmpty();
		}
	}

	@Test
	void countsMadeWhileRedisIsUnreachableReachItOnceItAnswers() {
		String key = "test|" + UUID.randomUUID();
		RedisReadiness readiness = new RedisReadiness(template, Duration.ofSeconds(1));
		try (BatchedRateLimitStore store = store(readiness)) {
			decide(store, key, 4);
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(store::isFailing);
			// Still limiting meanwhile, on its own counts.
			assertThat(store.decide(key, LIMITS, System.currentTimeMillis()).usages().get(0).used()).isEqualTo(5);

			readiness.connect(Duration.ofSeconds(5));

			Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(store.isFailing()).isFalse();
				assertThat(redisTotal(key)).isEqualTo(5);
			});
		}
	}

	private static RedisReadiness connected() {
		RedisReadiness readiness = new RedisReadiness(template, Duration.ofSeconds(1));
		readiness.connect(Duration.ofSeconds(5));
		return readiness;
	}

	private static BatchedRateLimitStore store(RedisReadiness readiness) {
		RateLimitProperties properties = new RateLimitProperties(RateLimitProperties.StoreType.REDIS, true,
				Duration.ofMillis(50), Duration.ofMillis(200), ZoneId.of("UTC"), new RateLimitProperties.Local(1000),
				"batched", Duration.ofMillis(50));
		return new BatchedRateLimitStore(template, readiness, properties, Clock.systemUTC(), new SimpleMeterRegistry());
	}

	private static void decide(BatchedRateLimitStore store, String key, int requests) {
		for (int i = 0; i < requests; i++) {
			assertThat(store.decide(key, LIMITS, System.currentTimeMillis()).allowed()).isTrue();
		}
	}

	/** What the replica counts now in the minute window (without counting anything). */
	private static long used(BatchedRateLimitStore store, String key) {
		return store.peek(key, LIMITS, System.currentTimeMillis()).block().usages().get(0).used();
	}

	/** The requests all replicas counted for the key's minute window, as Redis holds them. */
	private static long redisTotal(String key) {
		return template.opsForHash()
			.values("tollgate:rl:{" + key + "}:batched:Minute")
			.map((count) -> Long.parseLong((String) count))
			.reduce(0L, Long::sum)
			.block();
	}

}
