package io.tollgate.responsecache;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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

	@Test
	void theRedisStoreRefusesResponsesFetchedBeforeAWriteAndBoundsAUrisVariants() throws Exception {
		RecordingUpstream upstream = RecordingUpstream.shared();
		try (ConfigurableApplicationContext gateway = replica(upstream)) {
			ResponseCacheStore store = gateway.getBean(ResponseCacheStore.class);
			CachedResponse entry = new CachedResponse(200, List.of(Map.entry("Content-Type", "application/json")),
					new byte[10], 0, Long.MAX_VALUE, Long.MAX_VALUE, Map.of());
			long now = System.currentTimeMillis();
			String tag = CacheKeys.uriTag("h", "/raced/" + now, null);
			store.invalidate(tag, now).block();
			store.put(CacheKeys.key(tag, "before"), entry, Duration.ofMinutes(1), now - 1).block();
			store.put(CacheKeys.key(tag, "after"), entry, Duration.ofMinutes(1), now + 1).block();
			assertThat(store.get(CacheKeys.key(tag, "before")).block()).isNull();
			assertThat(store.get(CacheKeys.key(tag, "after")).block()).isNotNull();

			String busy = CacheKeys.uriTag("h", "/busy/" + now, null);
			for (int i = 0; i < ResponseCacheStore.MAX_VARIANTS_PER_URI + 20; i++) {
				store.put(CacheKeys.key(busy, "variant " + i), entry, Duration.ofMinutes(1)).block();
			}
			// One more, expiring sooner than all the others: it is stored, and one of the others makes room.
			store.put(CacheKeys.key(busy, "short-lived"), entry, Duration.ofSeconds(30)).block();
			assertThat(store.get(CacheKeys.key(busy, "short-lived")).block()).isNotNull();
			assertThat(RawRedis.command(RealRedis.server(), "ZCARD", RedisResponseCacheStore.PREFIX + "{" + busy + "}"))
				.isEqualTo(":" + ResponseCacheStore.MAX_VARIANTS_PER_URI);
			assertThat(store.invalidate(busy, now).block()).isEqualTo(ResponseCacheStore.MAX_VARIANTS_PER_URI);
			assertThat(RawRedis.command(RealRedis.server(), "EXISTS", RedisResponseCacheStore.PREFIX + "{" + busy + "}"))
				.isEqualTo(":0");
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
		// As behind a load balancer: one public Host (part of the cache key) whichever replica answers.
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).defaultHeader("Host", "api.example")
			.build();
	}

}
