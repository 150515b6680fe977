package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.netty.util.concurrent.EventExecutor;
import io.tollgate.redis.LoopBoundRedis;
import io.tollgate.redis.RedisReadiness;
import io.tollgate.testsupport.RealRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.netty.resources.LoopResources;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The algorithm itself, on both stores: the Redis script and the local store must decide identically. */
@ExtendWith(RealRedis.class)
class RateLimitStoreTest {

	private static final long START = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

	private static LettuceConnectionFactory connectionFactory;

	/** Event loops of our own, standing in for the server's. */
	private static final LoopResources loops = LoopResources.create("test-loops", 2, true);

	private static final List<LoopBoundRedis> opened = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void connect() {
		connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(RealRedis.server().host(), RealRedis.server().port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	@AfterAll
	static void disconnect() {
		opened.forEach(LoopBoundRedis::destroy);
		loops.dispose();
		connectionFactory.destroy();
	}

	private static RateLimitStore store(String kind, ZoneId zone) {
		if (kind.equals("local")) {
			return new LocalRateLimitStore(1000, zone);
		}
		if (kind.equals("redis-template")) {
			ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(connectionFactory);
			RedisReadiness readiness = new RedisReadiness(template, Duration.ofSeconds(1));
			readiness.connect(Duration.ofSeconds(5));
			return new RedisRateLimitStore(new TemplateLimitScript(template, readiness), zone);
		}
		LoopBoundLimitScript script = new LoopBoundLimitScript();
		LoopBoundRedis redis = new LoopBoundRedis(RedisURI.create(RealRedis.server().host(), RealRedis.server().port()),
				ClientOptions.create(), loops, Duration.ofSeconds(1), LoopBoundLimitScript::prepare);
		script.use(redis);
		assertThat(redis.start(Duration.ofSeconds(5))).isTrue();
		opened.add(redis);
		return new RedisRateLimitStore(script, zone);
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "redis-template", "local" })
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
		List<Decision> redis = simulateMultiWindowClient(store("redis", ZoneId.of("UTC")));
		List<Decision> local = simulateMultiWindowClient(store("local", ZoneId.of("UTC")));

		// Every decision, with every window's count and wait (so Retry-After and RateLimit-Reset), is the same.
		assertThat(redis).hasSizeGreaterThan(1000).isEqualTo(local);
		assertThat(redis).anyMatch(Decision::allowed).anyMatch((decision) -> !decision.allowed());
	}

	@Test
	void localStoreKeepsAQuotaThroughHoursOfIdlenessAndForgetsItAfterThePeriod() {
		AtomicLong nanos = new AtomicLong();
		LocalRateLimitStore store = new LocalRateLimitStore(1000, ZoneId.of("UTC"), nanos::get);
		List<WindowLimit> limits = List.of(new WindowLimit(Window.MINUTE, 100), new WindowLimit(Window.DAY, 2));
		long morning = Instant.parse("2026-11-22T08:00:00Z").toEpochMilli();
		store.consume("idle", limits, morning).block();
		store.consume("idle", limits, morning).block();

		nanos.addAndGet(Duration.ofHours(6).toNanos());
		assertThat(store.consume("idle", limits, morning + Duration.ofHours(6).toMillis()).block().allowed()).isFalse();
		assertThat(store.trackedKeys()).isEqualTo(1);

		nanos.addAndGet(Duration.ofHours(11).toNanos());
		assertThat(store.trackedKeys()).isZero();
	}

	@Test
	void localStoreKeepsADayQuotaOfOneRouteWhenAnotherRouteSharingTheKeyCountsOnlySeconds() {
		// scope: global: routes with different windows count under one key.
		AtomicLong nanos = new AtomicLong();
		LocalRateLimitStore store = new LocalRateLimitStore(1000, ZoneId.of("UTC"), nanos::get);
		List<WindowLimit> quotaRoute = List.of(new WindowLimit(Window.DAY, 2));
		List<WindowLimit> burstRoute = List.of(new WindowLimit(Window.SECOND, 100));
		long morning = Instant.parse("2026-11-22T08:00:00Z").toEpochMilli();
		store.consume("shared", quotaRoute, morning).block();
		store.consume("shared", quotaRoute, morning).block();
		store.consume("shared", burstRoute, morning).block();

		nanos.addAndGet(Duration.ofMinutes(5).toNanos());
		assertThat(store.consume("shared", quotaRoute, morning + Duration.ofMinutes(5).toMillis()).block().allowed())
			.isFalse();
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

	/** Bursts against a minute, an hour and a day window at once; returns every decision. */
	private static List<Decision> simulateMultiWindowClient(RateLimitStore store) {
		String key = "multi-" + UUID.randomUUID();
		List<WindowLimit> limits = List.of(new WindowLimit(Window.MINUTE, 7), new WindowLimit(Window.HOUR, 40),
				new WindowLimit(Window.DAY, 60));
		Random random = new Random(7);
		List<Decision> decisions = new ArrayList<>();
		for (long now = START + 59_000; now < START + 59_000 + 3 * 3_600_000L; now += 7_000) {
			for (int i = random.nextInt(4); i > 0; i--) {
				decisions.add(store.consume(key, limits, now).block());
			}
			if (random.nextInt(10) == 0) {
				decisions.add(store.peek(key, limits, now).block());
			}
		}
		return decisions;
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


	@Test
	void theRedisAnswerArrivesOnTheEventLoopThatAsked() throws Exception {
		RateLimitStore store = store("redis", ZoneId.of("UTC"));
		List<WindowLimit> limits = List.of(new WindowLimit(Window.MINUTE, 1000));
		for (EventExecutor loop : loops.onServer(true)) {
			for (int i = 0; i < 20; i++) {
				CompletableFuture<Thread[]> threads = new CompletableFuture<>();
				loop.execute(() -> {
					Thread asking = Thread.currentThread();
					store.consume("thread-" + UUID.randomUUID(), limits, System.currentTimeMillis())
						.subscribe((decision) -> threads.complete(new Thread[] { asking, Thread.currentThread() }),
								threads::completeExceptionally);
				});
				Thread[] seen = threads.get(5, TimeUnit.SECONDS);
				assertThat(seen[1]).as("thread the answer arrived on").isSameAs(seen[0]);
			}
		}
	}

	@Test
	void throughSpringDataRedisTheAnswerArrivesOnAnotherThread() throws Exception {
		// The contrast that shows the test above can fail: the shared connection answers on Lettuce's own loop.
		RateLimitStore store = store("redis-template", ZoneId.of("UTC"));
		List<WindowLimit> limits = List.of(new WindowLimit(Window.MINUTE, 1000));
		CompletableFuture<Thread[]> threads = new CompletableFuture<>();
		loops.onServer(true).next().execute(() -> {
			Thread asking = Thread.currentThread();
			store.consume("thread-" + UUID.randomUUID(), limits, System.currentTimeMillis())
				.subscribe((decision) -> threads.complete(new Thread[] { asking, Thread.currentThread() }),
						threads::completeExceptionally);
		});
		Thread[] seen = threads.get(5, TimeUnit.SECONDS);
		assertThat(seen[1]).isNotSameAs(seen[0]);
	}

}
