package io.tollgate.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RealRedisCluster;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.testsupport.RateLimiterState.countsInRedis;
import static io.tollgate.testsupport.RateLimiterState.fallbacks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master that owns a hot counter's slot dies: the gateways keep answering (local counting, never a 5xx, never
 * unlimited) until the cluster promotes its replica, then count in Redis again.
 */
class RedisClusterFailoverTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@Test
	void killingTheMasterOfAHotCountersSlotNeverFailsARequestAndSharingResumesAfterThePromotion() throws Exception {
		try (RealRedisCluster cluster = RealRedisCluster.start(1000);
				ConfigurableApplicationContext a = gateway(cluster);
				ConfigurableApplicationContext b = gateway(cluster)) {
			String hot = "203.0.113.50";
			assertThat(alternating(a, b, hot, 4)).containsExactly(200, 200, 200, 429);
			int owner = cluster.masterHolding("*" + hot + "*");
			assertThat(owner).isPositive();
			// The hot counter is on the replica too before its master dies.
			assertThat(RealRedisCluster.command(owner, "WAIT", "1", "2000")).isEqualTo("1");

			long killed = System.nanoTime();
			cluster.kill(owner);
			// Until the replica took over and both gateways count in Redis again: each request from a client of its
			// own (so only a lifted or wrongly shared limit could answer 429), and every answer must be 200.
			List<Integer> during = new ArrayList<>();
			long deadline = killed + Duration.ofSeconds(40).toNanos();
			int n = 0;
			while (System.nanoTime() < deadline
					&& !(cluster.failedOver(owner) && countsInRedis(a) && countsInRedis(b))) {
				during.add(get(n % 2 == 0 ? a : b, "/cl/exact/" + n, "10.8." + (n / 250) + "." + (n % 250)));
				n++;
				Thread.sleep(50);
			}
			Duration window = Duration.ofNanos(System.nanoTime() - killed);
			assertThat(cluster.failedOver(owner)).as("the replica was promoted").isTrue();
			assertThat(countsInRedis(a) && countsInRedis(b)).as("both gateways count in Redis again").isTrue();
			assertThat(during).isNotEmpty().allMatch((status) -> status == 200);
			// The dead master's slots are reached again: the hot client's counter, which the promoted replica holds,
			// refuses it on both gateways (local counters would let it through again). Within a few seconds: a
			// gateway counts in Redis again as soon as any slot answers, and may learn the promotion of this slot
			// from its next topology refresh (adaptive, at most one a second).
			Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
				.until(() -> List.of(get(a, "/cl/exact/hot-a", hot), get(b, "/cl/exact/hot-b", hot)),
						(statuses) -> statuses.equals(List.of(429, 429)));
			// And a new client is counted across both gateways.
			assertThat(alternating(a, b, "203.0.113.51", 4)).containsExactly(200, 200, 200, 429);
			System.out.println("cluster failover: " + window.toMillis() + " ms until both gateways counted in Redis"
					+ " again; " + during.size() + " requests meanwhile; decided locally: " + fallbacks(a) + " + "
					+ fallbacks(b));
		}
	}

	private static List<Integer> alternating(ConfigurableApplicationContext a, ConfigurableApplicationContext b,
			String ip, int count) throws Exception {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			statuses.add(get(i % 2 == 0 ? a : b, "/cl/exact/" + i, ip));
		}
		return statuses;
	}

	private static ConfigurableApplicationContext gateway(RealRedisCluster cluster) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "cluster")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1",
					"--spring.data.redis.cluster.nodes=" + cluster.nodes());
	}

	private static int get(ConfigurableApplicationContext gateway, String path, String ip) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(
					"http://127.0.0.1:" + ((WebServerApplicationContext) gateway).getWebServer().getPort() + path))
			.header("X-Forwarded-For", ip)
			.timeout(Duration.ofSeconds(5))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

}
