package io.tollgate.responsecache;

import java.time.Duration;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RawRedis;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis store: shared by replicas, and never an error when Redis is gone. */
@ExtendWith(RealRedis.class)
class RedisResponseCacheTest {

	@Test
	void responseCachedThroughOneReplicaIsAHitThroughTheOtherAndRedisOutageMeansBypass() {
		RecordingUpstream upstream = RecordingUpstream.shared();
		try (ConfigurableApplicationContext first = replica(upstream);
				ConfigurableApplicationContext second = replica(upstream)) {
			String path = "/c/basic/shared-" + System.nanoTime();
			upstream.clear();

			String key = client(first).get().uri(path).exchange().expectStatus().isOk()
				.expectHeader().valueEquals("X-Cache-Status", "Miss")
				.returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Key");
			// The client may have the whole body a moment before the entry reaches Redis.
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> RawRedis.command(RealRedis.server(), "EXISTS", RedisResponseCacheStore.redisKey(key)).equals(":1"));
			client(second).get().uri(path).exchange().expectStatus().isOk()
				.expectHeader().valueEquals("X-Cache-Status", "Hit");
			assertThat(upstream.receivedCount()).isEqualTo(1);

			// A successful write through one replica removes the entry for all (RFC 9111 section 4.4).
			client(first).put().uri(path).bodyValue("{}").exchange().expectStatus().isOk();
			client(second).get().uri(path).exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> RawRedis.command(RealRedis.server(), "EXISTS", RedisResponseCacheStore.redisKey(key)).equals(":1"));
			client(first).get().uri(path).exchange().expectHeader().valueEquals("X-Cache-Status", "Hit");

			RealRedis.server().stop();
			try {
				for (int i = 0; i < 5; i++) {
					client(second).get().uri(path).exchange().expectStatus().isOk()
						.expectHeader().valueEquals("X-Cache-Status", "Bypass");
				}
			}
			finally {
				RealRedis.server().start();
			}
		}
	}

	private static ConfigurableApplicationContext replica(RecordingUpstream upstream) {
		RealRedis.Server redis = RealRedis.server();
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "cache")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1",
					"--stale.upstream.uri=http://127.0.0.1:1", "--tollgate.response-cache.store=redis",
					"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port());
	}

	private static WebTestClient client(ConfigurableApplicationContext context) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
	}

}
