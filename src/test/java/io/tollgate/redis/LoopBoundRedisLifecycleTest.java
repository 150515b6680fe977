package io.tollgate.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tollgate.TollgateApplication;
import io.tollgate.ratelimit.RateLimiter;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-loop Redis connections of the exact rate-limit store when Redis is absent at startup: the gateway starts
 * with local counters and takes up Redis once it arrives, without a restart.
 */
class LoopBoundRedisLifecycleTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	@Test
	void redisThatArrivesAfterStartupIsUsedWithoutARestart() throws Exception {
		int port = freePort();
		try (ConfigurableApplicationContext gateway = replica(port)) {
			RateLimiter limiter = gateway.getBean(RateLimiter.class);
			assertThat(send(gateway, "tenant-before")).isEqualTo(200);
			assertThat(limiter.isDegraded()).isTrue();

			RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
				.setting("appendonly no").build();
			redis.start();
			try {
				Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
					send(gateway, "tenant-probe");
					assertThat(limiter.isDegraded()).isFalse();
				});
				assertThat(send(gateway, "tenant-after")).isEqualTo(200);
				RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
				try (StatefulRedisConnection<String, String> connection = client.connect()) {
					assertThat(connection.sync().keys("tollgate:rl:{route:concurrent|header:*")).as("counters in Redis").isNotEmpty();
				}
				finally {
					client.shutdown();
				}
			}
			finally {
				redis.stop();
			}
		}
	}

	private static int send(ConfigurableApplicationContext gateway, String tenant) throws Exception {
		int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
		HttpClient client = HttpClient.newHttpClient();
		return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/concurrent/x"))
			.header("X-Tenant", tenant).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static ConfigurableApplicationContext replica(int redisPort) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "concurrent")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(),
					"--refused.port=1", "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redisPort,
					"--tollgate.rate-limiting.redis-retry-interval=200ms", "--tollgate.rate-limiting.redis-timeout=5s");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
