package io.tollgate.responsecache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store's bounds: its own Redis (here database 7 of the test server; rate limits use database 0), a
 * TTL cap and a body-size cap, observed in Redis itself.
 */
@ExtendWith(RealRedis.class)
class RedisResponseCacheBoundsTest {

	private static final int CACHE_DATABASE = 7;

	private static ConfigurableApplicationContext gateway;

	private static WebTestClient client;

	@BeforeAll
	static void gatewayWithItsOwnCacheRedis() {
		RealRedis.Server redis = RealRedis.server();
		gateway = new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "cache")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + RecordingUpstream.shared().uri(),
					"--refused.port=1", "--stale.upstream.uri=http://127.0.0.1:1", "--tollgate.response-cache.store=redis",
					"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
					"--tollgate.response-cache.redis.url=redis://" + redis.host() + ":" + redis.port() + "/" + CACHE_DATABASE,
					"--tollgate.response-cache.redis.max-ttl=5s", "--tollgate.response-cache.redis.max-entry-size=600B");
		int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
		client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void entriesAreStoredInTheCachesOwnRedisNeverInTheSharedOne() throws IOException {
		String path = "/c/basic/own-" + System.nanoTime();
		String key = missKey(path);
		awaitStored(key);

		assertThat(redis(0, "EXISTS", RedisResponseCacheStore.redisKey(key))).isEqualTo(":0");
		client.get().uri(path).exchange().expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit");
	}

	@Test
	void entryTtlIsCappedByMaxTtlWhateverTheResponseSays() throws IOException {
		String key = missKey("/c/basic/long-" + System.nanoTime() + "?h=Cache-Control:max-age=3600");
		awaitStored(key);

		long ttl = Long.parseLong(redis(CACHE_DATABASE, "PTTL", RedisResponseCacheStore.redisKey(key)).substring(1));
		assertThat(ttl).isBetween(1L, 5000L);
	}

	@Test
	void bodyOverMaxEntrySizeIsNotStoredInRedis() throws IOException {
		long n = System.nanoTime();
		String big = missKey("/c/small/800?n=" + n);
		// Stores go out in order on one connection: once a later (small) entry is there, the big one had its turn.
		awaitStored(missKey("/c/small/100?n=" + n));

		assertThat(redis(CACHE_DATABASE, "EXISTS", RedisResponseCacheStore.redisKey(big))).isEqualTo(":0");
		client.get().uri("/c/small/800?n=" + n).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	private static String missKey(String path) {
		return client.get().uri(path).exchange().expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Miss")
			.returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Key");
	}

	private static void awaitStored(String key) {
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> redis(CACHE_DATABASE, "EXISTS", RedisResponseCacheStore.redisKey(key)).equals(":1"));
	}

	/** One command in one database of the test Redis; the first line of its reply. */
	private static String redis(int database, String... words) throws IOException {
		RealRedis.Server server = RealRedis.server();
		try (Socket socket = new Socket(server.host(), server.port())) {
			OutputStream out = socket.getOutputStream();
			out.write(resp("SELECT", Integer.toString(database)));
			out.write(resp(words));
			out.flush();
			InputStream in = socket.getInputStream();
			String selected = line(in);
			assertThat(selected).isEqualTo("+OK");
			return line(in);
		}
	}

	private static byte[] resp(String... words) {
		StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
		for (String word : words) {
			resp.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
		}
		return resp.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

}
