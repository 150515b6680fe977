package io.tollgate.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ConcurrentBurst;
import io.tollgate.testsupport.RealRedisCluster;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gateways on a real Redis Cluster (three masters, three replicas): exact and batched limits, quotas, the
 * response cache and runtime consumers work as on one Redis, shared by the replicas.
 */
class RedisClusterTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	/** Cache keys include the host: the replicas see the one a load balancer passes on. */
	private static final String PUBLIC_HOST = "api.example";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static RealRedisCluster cluster;

	private static ConfigurableApplicationContext a;

	private static ConfigurableApplicationContext b;

	private static ConfigurableApplicationContext c;

	@BeforeAll
	static void start() {
		cluster = RealRedisCluster.start();
		a = gateway();
		b = gateway();
		c = gateway();
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext gateway : new ConfigurableApplicationContext[] { a, b, c }) {
			if (gateway != null) {
				gateway.close();
			}
		}
		if (cluster != null) {
			cluster.close();
		}
	}

	/** Waits up to 10 s (a loaded machine) for what a replica learns from Redis. */
	static void eventually(Check check) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!check.holds()) {
			assertThat(System.nanoTime()).as("did not happen within 10 s").isLessThan(deadline);
			Thread.sleep(50);
		}
	}

	@FunctionalInterface
	interface Check {

		boolean holds() throws Exception;

	}

	@Test
	void anExactLimitIsSharedByBothReplicas() throws Exception {
		String ip = "203.0.113." + (10 + (int) (Math.random() * 200));
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			statuses.add(get(i % 2 == 0 ? a : b, "/cl/exact/" + i, "X-Forwarded-For", ip));
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429, 429, 429);
	}

	/** As {@code ExactUnderConcurrencyTest} on one Redis: three gateways, 600 requests at once, a limit of 100. */
	@Test
	void exactModeAdmitsExactlyTheLimitOutOf600ConcurrentRequestsOnTheCluster() throws Exception {
		List<Integer> ports = List.of(port(a), port(b), port(c));
		for (int run = 0; run < 20; run++) {
			assertThat(ConcurrentBurst.admitted(ports, "/cl/hundred", "10.79.0." + run, 600)).as("run " + run)
				.isEqualTo(100);
		}
	}

	@Test
	void aDailyQuotaIsSharedByBothReplicas() throws Exception {
		String ip = "192.0.2." + (10 + (int) (Math.random() * 200));
		assertThat(get(a, "/cl/quota/1", "X-Forwarded-For", ip)).isEqualTo(200);
		assertThat(get(b, "/cl/quota/2", "X-Forwarded-For", ip)).isEqualTo(200);
		assertThat(get(a, "/cl/quota/3", "X-Forwarded-For", ip)).isEqualTo(429);
		assertThat(get(b, "/cl/quota/4", "X-Forwarded-For", ip)).isEqualTo(429);
	}

	@Test
	void aBatchedLimitStaysWithinItsDocumentedBoundAcrossReplicas() throws Exception {
		String ip = "198.51.100." + (10 + (int) (Math.random() * 200));
		int allowed = 0;
		for (int i = 0; i < 10; i++) {
			allowed += (get(i % 2 == 0 ? a : b, "/cl/batched/" + i, "X-Forwarded-For", ip) == 200) ? 1 : 0;
			Thread.sleep(300); // longer than sync-interval: each replica knows the other's count
		}
		// README, Batched sync: at most limit + 2 x (R - 1) x n, with R = 2 replicas and n = 1 request per interval
		// (a replica that sees the key for the first time decides on its own view until its next sync).
		assertThat(allowed).isBetween(3, 3 + 2 * (2 - 1) * 1);
	}

	@Test
	void theResponseCacheIsSharedThroughTheCluster() throws Exception {
		String path = "/cl/cached/" + UUID.randomUUID();
		upstream.clear();
		assertThat(cacheStatus(a, path)).isEqualTo("Miss");
		// The entry is written to Redis after the response: b sees it a moment later.
		eventually(() -> cacheStatus(b, path).equals("Hit"));
		assertThat(upstream.receivedCount()).isEqualTo(1);

		// A write through a removes the entry for b too: entries and their URI's set share a slot.
		org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port(a))
			.build()
			.delete()
			.uri(path)
			.header("Host", PUBLIC_HOST)
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(cacheStatus(b, path)).isEqualTo("Miss");
	}

	@Test
	void aRuntimeConsumerCreatedOnOneReplicaAuthenticatesOnTheOther() throws Exception {
		String user = "cl-" + UUID.randomUUID().toString().substring(0, 8);
		String key = "cl-key-" + UUID.randomUUID();
		assertThat(admin(a, "/consumers", "username=" + user)).isEqualTo(201);
		assertThat(admin(a, "/consumers/" + user + "/key-auth", "key=" + key)).isEqualTo(201);
		eventually(() -> get(b, "/cl/key/x", "apikey", key) == 200);
	}

	private static ConfigurableApplicationContext gateway() {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "cluster")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1",
					"--spring.data.redis.cluster.nodes=" + cluster.nodes(),
					// Exact while Redis answers within it (see ExactUnderConcurrencyTest): a burst on 2 cores is slow.
					"--tollgate.rate-limiting.redis-timeout=5s");
	}

	private static int get(ConfigurableApplicationContext gateway, String path, String header, String value)
			throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + path))
			.header(header, value)
			.timeout(Duration.ofSeconds(5))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/** The X-Cache-Status of a GET, sent as a load balancer would: with the one public Host, whichever replica. */
	private static String cacheStatus(ConfigurableApplicationContext gateway, String path) {
		return org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port(gateway))
			.build()
			.get()
			.uri(path)
			.header("Host", PUBLIC_HOST)
			.exchange()
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("X-Cache-Status");
	}

	/** An Admin API POST (form) as the {@code ops} admin of application-cluster.yml; the status. */
	static int admin(ConfigurableApplicationContext gateway, String path, String form) throws Exception {
		int management = gateway.getEnvironment().getProperty("local.management.port", Integer.class);
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + path))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("ops:ops-password".getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.timeout(Duration.ofSeconds(5))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static int port(ConfigurableApplicationContext gateway) {
		return ((WebServerApplicationContext) gateway).getWebServer().getPort();
	}

}
