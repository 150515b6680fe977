package io.tollgate.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RealRedisSentinel;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.testsupport.RateLimiterState.countsInRedis;
import static io.tollgate.testsupport.RateLimiterState.fallbacks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways on a real Redis Sentinel set (master, replica, three sentinels): limits (both modes), quotas, the
 * response cache and runtime consumers are shared through the master, and when the master dies the gateways keep
 * answering (local counting, never a 5xx, never unlimited) until the sentinels promote the replica, then count in
 * Redis again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static RealRedisSentinel sentinel;

	private static ConfigurableApplicationContext a;

	private static ConfigurableApplicationContext b;

	@BeforeAll
	static void start() {
		sentinel = RealRedisSentinel.start();
		a = gateway();
		b = gateway();
	}

	@AfterAll
	static void stop() {
		if (a != null) {
			a.close();
		}
		if (b != null) {
			b.close();
		}
		if (sentinel != null) {
			sentinel.close();
		}
	}

	/** Runs first: the failover test below kills the master. */
	@Test
	@Order(1)
	void quotasBatchedLimitsTheCacheAndRuntimeConsumersAreSharedThroughTheMaster() throws Exception {
		assertThat(List.of(get(a, "/cl/quota/1", "192.0.2.9"), get(b, "/cl/quota/2", "192.0.2.9"),
				get(a, "/cl/quota/3", "192.0.2.9"))).containsExactly(200, 200, 429);
		int allowed = 0;
		for (int i = 0; i < 10; i++) {
			allowed += (get(i % 2 == 0 ? a : b, "/cl/batched/" + i, "192.0.2.10") == 200) ? 1 : 0;
			Thread.sleep(300);
		}
		assertThat(allowed).isBetween(3, 3 + 2 * (2 - 1) * 1); // README, Batched sync: limit + 2 x (R - 1) x n
		String path = "/cl/cached/" + UUID.randomUUID();
		assertThat(header(a, path, "X-Cache-Status")).isEqualTo("Miss");
		RedisClusterTest.eventually(() -> header(b, path, "X-Cache-Status").equals("Hit"));
		String user = "sentinel-" + UUID.randomUUID().toString().substring(0, 8);
		String key = "sentinel-key-" + UUID.randomUUID();
		assertThat(RedisClusterTest.admin(a, "/consumers", "username=" + user)).isEqualTo(201);
		assertThat(RedisClusterTest.admin(a, "/consumers/" + user + "/key-auth", "key=" + key)).isEqualTo(201);
		RedisClusterTest.eventually(() -> getWith(b, "/cl/key/x", "apikey", key) == 200);
	}

	@Test
	@Order(2)
	void aLimitIsSharedThroughTheMasterAndSurvivesItsFailover() throws Exception {
		assertThat(sixAlternating("203.0.113.1")).containsExactly(200, 200, 200, 429, 429, 429);

		long killed = System.nanoTime();
		sentinel.killMaster();
		// Never unlimited: with the master gone, one client still gets its 3 a minute (counted locally), no more.
		List<Integer> oneClient = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			oneClient.add(get(a, "/cl/exact/local-" + i, "192.0.2.77"));
		}
		assertThat(oneClient).containsExactly(200, 200, 200, 429);
		List<Integer> during = new ArrayList<>();
		List<String> health = new ArrayList<>();
		long deadline = killed + Duration.ofSeconds(40).toNanos();
		int key = 0;
		// Until both gateways count in Redis again: each request from a client of its own, so that a 429 could only
		// come from a limit that was lifted or shared wrongly, and every answer must be 200.
		while (System.nanoTime() < deadline && !(sentinel.replicaPromoted() && countsInRedis(a) && countsInRedis(b))) {
			during.add(get(key % 2 == 0 ? a : b, "/cl/exact/" + key, "10.9." + (key / 250) + "." + (key % 250)));
			health.add(rateLimiterHealth(a));
			key++;
			Thread.sleep(50);
		}
		Duration window = Duration.ofNanos(System.nanoTime() - killed);
		assertThat(sentinel.replicaPromoted()).as("the sentinels promoted the replica").isTrue();
		assertThat(countsInRedis(a) && countsInRedis(b)).as("both gateways count in Redis again").isTrue();
		assertThat(during).as("answers while the master was down").isNotEmpty().allMatch((status) -> status == 200);
		// What operators see: /actuator/health's rateLimiter component, DEGRADED during the failover, UP after it.
		assertThat(health).as(health.toString()).contains("DEGRADED");
		RedisClusterTest.eventually(() -> rateLimiterHealth(a).equals("UP"));

		// Shared again, through the new master.
		assertThat(sixAlternating("203.0.113.2")).containsExactly(200, 200, 200, 429, 429, 429);
		System.out.println("sentinel failover: " + window.toMillis() + " ms until both gateways counted in Redis again; "
				+ during.size() + " requests meanwhile; decided locally: " + fallbacks(a) + " + " + fallbacks(b));
	}

	private static List<Integer> sixAlternating(String ip) throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			statuses.add(get(i % 2 == 0 ? a : b, "/cl/exact/" + i, ip));
		}
		return statuses;
	}

	private static ConfigurableApplicationContext gateway() {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "cluster")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1",
					"--spring.data.redis.sentinel.master=" + RealRedisSentinel.MASTER_NAME,
					"--spring.data.redis.sentinel.nodes=" + sentinel.sentinelNodes());
	}

	private static int get(ConfigurableApplicationContext gateway, String path, String ip) throws Exception {
		return getWith(gateway, path, "X-Forwarded-For", ip);
	}

	private static int getWith(ConfigurableApplicationContext gateway, String path, String header, String value)
			throws Exception {
		return send(gateway, path, header, value).statusCode();
	}

	private static String header(ConfigurableApplicationContext gateway, String path, String name) throws Exception {
		return send(gateway, path, "X-Forwarded-For", "192.0.2.11").headers().firstValue(name).orElse("");
	}

	private static HttpResponse<Void> send(ConfigurableApplicationContext gateway, String path, String header,
			String value) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) gateway).getWebServer().getPort()
					+ path))
			.header(header, value)
			.timeout(Duration.ofSeconds(5))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding());
	}

	/** The status of {@code /actuator/health}'s rateLimiter component (components are shown to anyone). */
	private static String rateLimiterHealth(ConfigurableApplicationContext gateway) throws Exception {
		int management = gateway.getEnvironment().getProperty("local.management.port", Integer.class);
		String body = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		return JSON.readTree(body).at("/components/rateLimiter/status").asString("");
	}

}
