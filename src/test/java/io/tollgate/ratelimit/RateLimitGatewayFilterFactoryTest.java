package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.tollgate.testsupport.RedisMonitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** The RateLimit filter against a real Redis: windows, limit-by modes, scopes, plans, quotas and headers. */
@ExtendWith(RealRedis.class)
@ActiveProfiles("ratelimit")
@Import(TestClock.Config.class)
class RateLimitGatewayFilterFactoryTest extends GatewayTest {

	private static final String BOB = "bob-secret-key-1234";

	private static final String ALICE = "alice-secret-key-5678";

	private static final String ALICE_SECOND = "alice-second-key";

	@Autowired
	private ReactiveStringRedisTemplate redis;

	@Autowired
	private RateLimiter limiter;

	@Autowired
	private MeterRegistry meters;

	@LocalManagementPort
	private int managementPort;


	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		RealRedis.register(registry);
	}

	@BeforeEach
	void freshCountersAtAKnownTime() {
		this.redis.execute((connection) -> connection.serverCommands().flushAll()).blockLast();
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
	}

	/** Every decision here must come from Redis: the local fallback runs the same algorithm and would hide it. */
	@AfterEach
	void decidedByRedisAlone() {
		assertThat(this.limiter.usesRedis()).isTrue();
		assertThat(this.limiter.isDegraded()).isFalse();
		assertThat(this.meters.find("tollgate.ratelimit.fallbacks").counters()).isEmpty();
	}

	@Test
	void everyCounterKeyCarriesATtl() {
		fromIp("/rl/quota/x", "192.0.2.200").expectStatus().isOk();

		List<String> keys = this.redis.keys("tollgate:rl:*").collectList().block();
		assertThat(keys).hasSize(3);
		for (String key : keys) {
			assertThat(this.redis.getExpire(key).block()).as("TTL of %s", key).isPositive();
		}
	}

	@Test
	void allowsUpToTheLimitThenAnswers429WithRetryAfter() {
		for (int i = 0; i < 3; i++) {
			get("/rl/consumer/x", ALICE).expectStatus().isOk();
		}
		get("/rl/consumer/x", ALICE).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			// Each request is remembered for one window plus at most one bucket (a twentieth of it): 60 + 3 s.
			.valueEquals("Retry-After", "63")
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("API rate limit exceeded")
			.jsonPath("$.request_id")
			.isNotEmpty();
		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void sendsRateLimitHeadersForEveryWindowAndTheTightest() {
		get("/rl/quota/x", null).expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-RateLimit-Limit-Minute", "3")
			.expectHeader()
			.valueEquals("X-RateLimit-Remaining-Minute", "2")
			.expectHeader()
			.valueEquals("X-RateLimit-Limit-Day", "5")
			.expectHeader()
			.valueEquals("X-RateLimit-Remaining-Day", "4")
			.expectHeader()
			.valueEquals("X-RateLimit-Limit-Month", "100")
			.expectHeader()
			.valueEquals("X-RateLimit-Remaining-Month", "99")
			.expectHeader()
			.valueEquals("RateLimit-Limit", "3")
			.expectHeader()
			.valueEquals("RateLimit-Remaining", "2")
			.expectHeader()
			.valueEquals("RateLimit-Reset", "63");
	}

	@Test
	void hideClientHeadersSendsNoneOnSuccessAndOnlyRetryAfterOn429() {
		get("/rl/hidden/x", null).expectStatus().isOk().expectHeader().doesNotExist("RateLimit-Limit")
			.expectHeader().doesNotExist("X-RateLimit-Limit-Minute");
		get("/rl/hidden/x", null).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After")
			.expectHeader().doesNotExist("RateLimit-Remaining");
	}

	@Test
	void limitsByConsumerKeepOneCounterPerConsumerAndFallBackToIp() {
		for (int i = 0; i < 3; i++) {
			get("/rl/consumer/x", ALICE).expectStatus().isOk();
		}
		get("/rl/consumer/x", ALICE).expectStatus().isEqualTo(429);
		// Alice's other key is the same consumer.
		get("/rl/consumer/x", ALICE_SECOND).expectStatus().isEqualTo(429);
		// Anonymous requests are limited per client IP, not as one shared "no-body" consumer.
		for (int i = 0; i < 3; i++) {
			fromIp("/rl/consumer/x", "203.0.113.1").expectStatus().isOk();
		}
		fromIp("/rl/consumer/x", "203.0.113.1").expectStatus().isEqualTo(429);
		fromIp("/rl/consumer/x", "203.0.113.2").expectStatus().isOk();
	}

	@Test
	void limitsByCredentialKeepOneCounterPerKey() {
		get("/rl/credential/x", ALICE).expectStatus().isOk();
		get("/rl/credential/x", ALICE).expectStatus().isOk();
		get("/rl/credential/x", ALICE).expectStatus().isEqualTo(429);
		get("/rl/credential/x", ALICE_SECOND).expectStatus().isOk();
	}

	@Test
	void limitsByIpUseTheTrustedForwardedAddress() {
		fromIp("/rl/ip/x", "198.51.100.7").expectStatus().isOk();
		fromIp("/rl/ip/x", "198.51.100.7").expectStatus().isOk();
		fromIp("/rl/ip/x", "198.51.100.7").expectStatus().isEqualTo(429);
		fromIp("/rl/ip/x", "198.51.100.8").expectStatus().isOk();
	}

	@Test
	void limitsByRouteShareOneCounterAmongEveryone() {
		get("/rl/route/x", ALICE).expectStatus().isOk();
		get("/rl/route/x", BOB).expectStatus().isOk();
		fromIp("/rl/route/x", "203.0.113.9").expectStatus().isEqualTo(429);
	}

	@Test
	void limitsByHeaderValueAndFallBackToIpWithoutIt() {
		this.client.get().uri("/rl/header/x").header("X-Tenant", "acme").exchange().expectStatus().isOk();
		this.client.get().uri("/rl/header/x").header("X-Tenant", "acme").exchange().expectStatus().isOk();
		this.client.get().uri("/rl/header/x").header("X-Tenant", "acme").exchange().expectStatus().isEqualTo(429);
		this.client.get().uri("/rl/header/x").header("X-Tenant", "globex").exchange().expectStatus().isOk();
		fromIp("/rl/header/x", "192.0.2.1").expectStatus().isOk();
		fromIp("/rl/header/x", "192.0.2.1").expectStatus().isOk();
		fromIp("/rl/header/x", "192.0.2.1").expectStatus().isEqualTo(429);
	}

	@Test
	void limitsByPathKeepOneCounterPerPath() {
		fromIp("/rl/path/a", "192.0.2.1").expectStatus().isOk();
		fromIp("/rl/path/a", "192.0.2.2").expectStatus().isOk();
		fromIp("/rl/path/a", "192.0.2.3").expectStatus().isEqualTo(429);
		fromIp("/rl/path/b", "192.0.2.3").expectStatus().isOk();
	}

	@Test
	void globalScopeSharesCountersAcrossRoutes() {
		fromIp("/rl/global-a/x", "192.0.2.50").expectStatus().isOk();
		fromIp("/rl/global-b/x", "192.0.2.50").expectStatus().isOk();
		fromIp("/rl/global-a/x", "192.0.2.50").expectStatus().isOk();
		fromIp("/rl/global-b/x", "192.0.2.50").expectStatus().isEqualTo(429);
		// Route scope keeps its own counters: the same client has room on another route.
		fromIp("/rl/ip/x", "192.0.2.50").expectStatus().isOk();
	}

	@Test
	void consumerPlanReplacesRouteWindows() {
		// bob is on plan gold (minute: 2, day: 1000); the route says minute: 3.
		get("/rl/consumer/x", BOB).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Limit-Minute", "2")
			.expectHeader().valueEquals("X-RateLimit-Limit-Day", "1000");
		get("/rl/consumer/x", BOB).expectStatus().isOk();
		get("/rl/consumer/x", BOB).expectStatus().isEqualTo(429);
	}

	@Test
	void rejectedRequestsDoNotConsumeQuota() {
		String ip = "192.0.2.77";
		for (int i = 0; i < 3; i++) {
			fromIp("/rl/quota/x", ip).expectStatus().isOk();
		}
		for (int i = 0; i < 10; i++) {
			fromIp("/rl/quota/x", ip).expectStatus().isEqualTo(429);
		}
		TestClock.INSTANCE.advance(Duration.ofSeconds(64));
		// The day quota (5) saw only the 3 allowed requests: 2 more pass, then the day is spent.
		fromIp("/rl/quota/x", ip).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Remaining-Day", "1");
		fromIp("/rl/quota/x", ip).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Remaining-Day", "0");
		fromIp("/rl/quota/x", ip).expectStatus().isEqualTo(429);
	}

	@Test
	void dayQuotaResetsAtMidnightUtc() {
		String ip = "192.0.2.88";
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T23:55:00Z"));
		for (int i = 0; i < 5; i++) {
			fromIp("/rl/quota/x", ip).expectStatus().isOk();
			TestClock.INSTANCE.advance(Duration.ofSeconds(61));
		}
		// 23:00:05 + 5 min: the day is spent; Retry-After points at midnight.
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T23:59:30Z"));
		fromIp("/rl/quota/x", ip).expectStatus().isEqualTo(429).expectHeader().valueEquals("Retry-After", "30");
		TestClock.INSTANCE.set(Instant.parse("2026-11-23T00:00:00Z"));
		fromIp("/rl/quota/x", ip).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Remaining-Day", "4")
			.expectHeader().valueEquals("X-RateLimit-Remaining-Month", "94");
	}

	@Test
	void monthQuotaResetsAtTheStartOfTheMonth() {
		String ip = "192.0.2.99";
		TestClock.INSTANCE.set(Instant.parse("2026-11-30T23:59:58Z"));
		fromIp("/rl/quota/x", ip).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Remaining-Month", "99");
		TestClock.INSTANCE.set(Instant.parse("2026-12-01T00:00:01Z"));
		fromIp("/rl/quota/x", ip).expectStatus().isOk().expectHeader().valueEquals("X-RateLimit-Remaining-Month", "99");
	}

	@Test
	void slidingMinuteDoesNotAllowADoubleBurstAcrossTheMinuteBoundary() {
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:59.500Z"));
		for (int i = 0; i < 3; i++) {
			get("/rl/consumer/x", ALICE).expectStatus().isOk();
		}
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:01:00.500Z"));
		get("/rl/consumer/x", ALICE).expectStatus().isEqualTo(429);
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:01:58.000Z"));
		get("/rl/consumer/x", ALICE).expectStatus().isEqualTo(429);
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:02:03.000Z"));
		get("/rl/consumer/x", ALICE).expectStatus().isOk();
	}

	@Test
	void usageEndpointShowsAConsumersCountsWithoutCountingItself() {
		get("/rl/consumer/x", ALICE).expectStatus().isOk();
		get("/rl/consumer/x", ALICE).expectStatus().isOk();

		for (int i = 0; i < 2; i++) {
			WebTestClient.bindToServer()
				.baseUrl("http://127.0.0.1:" + this.managementPort)
				.defaultHeaders((headers) -> headers.setBasicAuth("ops", "ops-password"))
				.build()
				.get()
				.uri("/actuator/ratelimits/alice?route=rl-consumer")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.consumer").isEqualTo("alice")
				.jsonPath("$.store").isEqualTo("redis")
				.jsonPath("$.routes['rl-consumer'].minute.limit").isEqualTo(3)
				.jsonPath("$.routes['rl-consumer'].minute.used").isEqualTo(2)
				.jsonPath("$.routes['rl-consumer'].minute.remaining").isEqualTo(1);
		}
	}

	@Test
	void countsDecisionsByRouteOutcomeAndStore() {
		fromIp("/rl/hidden/x", "192.0.2.10").expectStatus().isOk();
		fromIp("/rl/hidden/x", "192.0.2.10").expectStatus().isEqualTo(429);

		assertThat(this.meters.get("tollgate.ratelimit.decisions").tag("route", "rl-hidden").tag("outcome", "allowed")
			.tag("store", "redis").counter().count()).isGreaterThanOrEqualTo(1);
		assertThat(this.meters.get("tollgate.ratelimit.decisions").tag("route", "rl-hidden").tag("outcome", "rejected")
			.tag("store", "redis").counter().count()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void makesOneRedisRoundTripPerRequest() throws Exception {
		get("/rl/quota/warm", null).expectStatus().isOk();
		int requests = 20;
		List<String> commands;
		try (RedisMonitor monitor = RedisMonitor.start(RealRedis.server())) {
			for (int i = 0; i < requests; i++) {
				fromIp("/rl/quota/x", "192.0.2." + (100 + i)).expectStatus().isOk();
			}
			commands = monitor.clientCommands(requests);
		}

		// What clients sent (MONITOR lists commands run inside scripts apart, as "lua"): one EVALSHA per request.
		assertThat(commands).hasSize(requests).allMatch((command) -> command.equals("evalsha"));
	}

	private ResponseSpec get(String path, String key) {
		var request = this.client.get().uri(path);
		if (key != null) {
			request = request.header("apikey", key);
		}
		return request.exchange();
	}

	private ResponseSpec fromIp(String path, String ip) {
		return this.client.get().uri(path).header("X-Forwarded-For", ip).exchange();
	}

}
