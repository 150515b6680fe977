package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

import io.tollgate.testsupport.RealRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The algorithm itself, on both stores: the Redis script and the local store must decide identically. */
@ExtendWith(RealRedis.class)
class RateLimitStoreTest {

	private static final long START = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

	private static LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void connect() {
		connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(RealRedis.server().host(), RealRedis.server().port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	@AfterAll
	static void disconnect() {
		connectionFactory.destroy();
	}

	private static RateLimitStore store(String kind, ZoneId zone) {
		return kind.equals("redis") ? new RedisRateLimitStore(new ReactiveStringRedisTemplate(connectionFactory), zone)
				: new LocalRateLimitStore(1000, Duration.ofHours(1), zone);
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "local" })
	void noSpanOfOneWindowEverAdmitsMoreThanTheLimit(String kind) {
		List<Long> allowed = simulateBurstyClient(store(kind, ZoneId.of("UTC")), Window.MINUTE, 10);

		for (long t : allowed) {
			long inSpan = allowed.stream().filter((other) -> other > t - 60_000 && other <= t).count();
			assertThat(inSpan).as("requests allowed in the 60 s ending at +%d ms", t - START).isLessThanOrEqualTo(10);
		}
		// ...and the limit is not starved: 10 per 63 s at worst over 5 minutes.
		assertThat(allowed.size()).isGreaterThanOrEqualTo(47);
	}

	@ParameterizedTest
	@CsvSource({ "redis, SECOND", "local, SECOND", "redis, HOUR", "local, HOUR" })
	void everySlidingWindowHoldsAtItsOwnScale(String kind, Window window) {
		List<Long> allowed = simulateBurstyClient(store(kind, ZoneId.of("UTC")), window, 5);

		for (long t : allowed) {
			assertThat(allowed.stream().filter((other) -> other > t - window.lengthMs() && other <= t).count())
				.isLessThanOrEqualTo(5);
		}
		assertThat(allowed.size()).isGreaterThanOrEqualTo(20);
	}

	@Test
	void redisScriptAndLocalStoreDecideIdentically() {
		List<Long> redis = simulateBurstyClient(store("redis", ZoneId.of("UTC")), Window.MINUTE, 7);
		List<Long> local = simulateBurstyClient(store("local", ZoneId.of("UTC")), Window.MINUTE, 7);

		assertThat(redis).isEqualTo(local);
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "local" })
	void dayQuotaFollowsTheConfiguredZone(String kind) {
		RateLimitStore store = store(kind, ZoneId.of("Asia/Tokyo"));
		String key = "zone-" + UUID.randomUUID();
		List<WindowLimit> limits = List.of(new WindowLimit(Window.DAY, 1));
		// Midnight in Tokyo is 15:00 UTC.
		long before = Instant.parse("2026-11-22T14:59:00Z").toEpochMilli();
		long after = Instant.parse("2026-11-22T15:00:00Z").toEpochMilli();

		assertThat(store.consume(key, limits, before).block().allowed()).isTrue();
		Decision rejected = store.consume(key, limits, before + 1000).block();
		assertThat(rejected.allowed()).isFalse();
		assertThat(rejected.retryAfterMs()).isEqualTo(59_000);
		assertThat(store.consume(key, limits, after).block().allowed()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "local" })
	void peekReadsWithoutCounting(String kind) {
		RateLimitStore store = store(kind, ZoneId.of("UTC"));
		String key = "peek-" + UUID.randomUUID();
		List<WindowLimit> limits = List.of(new WindowLimit(Window.MINUTE, 5), new WindowLimit(Window.DAY, 50));
		store.consume(key, limits, START).block();
		store.consume(key, limits, START + 10).block();

		Decision peeked = store.peek(key, limits, START + 20).block();
		Decision again = store.peek(key, limits, START + 30).block();

		assertThat(peeked.usages()).extracting(Decision.Usage::used).containsExactly(2L, 2L);
		assertThat(again.usages()).extracting(Decision.Usage::used).containsExactly(2L, 2L);
	}

	/**
	 * A client that sends bursts of 0 to 4 requests every 250 ms for five minutes (seeded, so both stores see the
	 * same traffic). Returns the times of the allowed requests.
	 */
	private static List<Long> simulateBurstyClient(RateLimitStore store, Window window, long limit) {
		String key = "sim-" + UUID.randomUUID();
		List<WindowLimit> limits = List.of(new WindowLimit(window, limit));
		Random random = new Random(42);
		Function<Long, Boolean> request = (now) -> store.consume(key, limits, now).block().allowed();
		long step = window.lengthMs() / 240;
		List<Long> allowed = new ArrayList<>();
		for (long now = START + 59_000; now < START + 59_000 + 5 * window.lengthMs(); now += step) {
			int burst = random.nextInt(5);
			for (int i = 0; i < burst; i++) {
				if (request.apply(now)) {
					allowed.add(now);
				}
			}
		}
		return allowed;
	}

}
