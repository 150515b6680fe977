package io.tollgate.ratelimit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.TollgateApplication;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code tollgate.rate-limiting.sync: batched} on two gateways sharing one Redis: together they admit the limit
 * plus at most what the other replica admits in two sync intervals, far below what two unsynced replicas would.
 */
@ExtendWith(RealRedis.class)
class BatchedRateLimitAcrossReplicasTest {

	private static final int LIMIT = 50;

	/** Per replica: one request every 10 ms for 2 s, i.e. 100 per second, 10 per 100 ms sync interval. */
	private static final int REQUESTS = 200;

	private static final long PACE_MS = 10;

	@Test
	void twoBatchedReplicasAdmitTheLimitPlusAtMostTwoIntervalsOfTheOtherReplica() throws Exception {
		RealRedis.Server redis = RealRedis.server();
		try (ConfigurableApplicationContext first = replica(redis.port());
				ConfigurableApplicationContext second = replica(redis.port())) {
			String ip = "203.0.113." + (1 + (int) (System.nanoTime() % 200));
			CompletableFuture<List<Integer>> one = CompletableFuture.supplyAsync(() -> send(port(first), ip));
			CompletableFuture<List<Integer>> two = CompletableFuture.supplyAsync(() -> send(port(second), ip));
			List<Integer> firstStatuses = one.get(30, TimeUnit.SECONDS);
			List<Integer> secondStatuses = two.get(30, TimeUnit.SECONDS);

			long admittedFirst = firstStatuses.stream().filter((status) -> status == 200).count();
			long admittedSecond = secondStatuses.stream().filter((status) -> status == 200).count();
			long admitted = admittedFirst + admittedSecond;
			// The documented bound: limit + 2 x (R - 1) x n, n = 10 requests per replica per interval, with room
			// for the sync's own round trips on a busy machine. Two unsynced replicas would admit 2 x 50 = 100.
			assertThat(admitted).as("admitted %d + %d", admittedFirst, admittedSecond)
				.isBetween((long) LIMIT, LIMIT + 2L * 10 + 10);
			assertThat(admittedFirst).isPositive();
			assertThat(admittedSecond).isPositive();
			assertThat(firstStatuses).containsOnly(200, 429);
			assertThat(secondStatuses).containsOnly(200, 429);
			assertThat(meters(first).find("tollgate.ratelimit.fallbacks").counters()).isEmpty();
			for (ConfigurableApplicationContext replica : List.of(first, second)) {
				assertThat(meters(replica).get("tollgate.ratelimit.decisions").tag("store", "batched").counters())
					.anyMatch((counter) -> counter.count() > 0);
			}
		}
	}

	@Test
	void aBatchedReplicaWithoutRedisStillEnforcesTheFullLimitOnItsOwn() {
		try (ConfigurableApplicationContext alone = replica(ClosedPort.get())) {
			// Paced over several sync intervals: the decisions after the first failed sync are the fallbacks counted
			// (unpaced, a warm JVM answers all 80 before any sync has run).
			List<Integer> statuses = send(port(alone), "203.0.113.250", 80, 10);

			assertThat(statuses.stream().filter((status) -> status == 200).count()).isEqualTo(LIMIT);
			assertThat(statuses.subList(LIMIT, statuses.size())).containsOnly(429);
			assertThat(meters(alone).get("tollgate.ratelimit.fallbacks").tag("reason", "sync").counter().count())
				.isPositive();
		}
	}

	@Test
	void anUnknownSyncModeStopsStartupNamingTheProperty() {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0", "--tollgate.rate-limiting.sync=eventual")
			.close());

		assertThat(invalid(failure).property()).isEqualTo("tollgate.rate-limiting.sync");
	}

	@Test
	void anUnknownRouteSyncModeStopsStartupNamingTheArgument() {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0",
					"--spring.cloud.gateway.server.webflux.routes[0].id=orders",
					"--spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:1",
					"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/orders/**",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0].name=RateLimit",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0].args.minute=5",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0].args.sync=sometimes")
			.close());

		assertThat(invalid(failure).property()).endsWith("sync");
	}

	private static ConfigurableApplicationContext replica(int redisPort) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "ratelimit")
			.run("--server.port=0", "--management.server.port=0",
					"--upstream.uri=" + RecordingUpstream.shared().uri(), "--refused.port=1",
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redisPort,
					"--tollgate.rate-limiting.sync=batched", "--tollgate.rate-limiting.sync-interval=100ms");
	}

	private static List<Integer> send(int port, String ip) {
		return send(port, ip, REQUESTS, PACE_MS);
	}

	/** {@code requests} requests from {@code ip}, one every {@code paceMs} (or as fast as they go). */
	private static List<Integer> send(int port, String ip, int requests, long paceMs) {
		HttpClient client = HttpClient.newHttpClient();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rl/sync-default/x"))
			.header("X-Forwarded-For", ip)
			.build();
		List<Integer> statuses = new ArrayList<>(requests);
		long start = System.nanoTime();
		try {
			for (int i = 0; i < requests; i++) {
				long due = start + TimeUnit.MILLISECONDS.toNanos(i * paceMs);
				long wait = due - System.nanoTime();
				if (wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				statuses.add(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return statuses;
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static MeterRegistry meters(ConfigurableApplicationContext context) {
		return context.getBean(MeterRegistry.class);
	}

	private static InvalidConfigurationException invalid(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof InvalidConfigurationException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("no InvalidConfigurationException in " + failure, failure);
	}

}
