package io.tollgate.testsupport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The RealRedis extension gives the application a working Redis, reached through Tollgate's own connection factory. */
@ExtendWith(RealRedis.class)
@SpringBootTest(properties = { "server.port=0", "management.server.port=0" })
class RealRedisTest {

	@Autowired
	private ReactiveRedisConnectionFactory connectionFactory;

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		RealRedis.register(registry);
	}

	@Test
	void applicationConnectionFactoryReachesARealRedis() {
		ReactiveRedisConnection connection = this.connectionFactory.getReactiveConnection();
		ByteBuffer key = bytes("tollgate:test:" + System.nanoTime());
		try {
			StepVerifier.create(connection.ping()).expectNext("PONG").verifyComplete();
			StepVerifier.create(connection.stringCommands().set(key, bytes("42")))
				.expectNext(true)
				.verifyComplete();
			StepVerifier.create(connection.stringCommands().get(key))
				.assertNext((value) -> assertThat(StandardCharsets.UTF_8.decode(value).toString()).isEqualTo("42"))
				.verifyComplete();
			StepVerifier.create(connection.keyCommands().pExpire(key, Duration.ofSeconds(5)))
				.expectNext(true)
				.verifyComplete();
			StepVerifier.create(connection.serverCommands().info("server"))
				.assertNext((info) -> assertThat(info.getProperty("redis_version")).isNotBlank())
				.verifyComplete();
		}
		finally {
			connection.close();
		}
	}

	@Test
	void serverCanBeStoppedAndStartedAgainOnTheSameAddress() {
		RealRedis.Server server = RealRedis.server();
		server.stop();
		server.start();

		// Clients reconnect to the same address by themselves (Tollgate fails commands fast meanwhile).
		Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
			ReactiveRedisConnection connection = this.connectionFactory.getReactiveConnection();
			try {
				StepVerifier.create(connection.ping()).expectNext("PONG").expectComplete().verify(Duration.ofSeconds(2));
			}
			finally {
				connection.close();
			}
		});
	}

	private static ByteBuffer bytes(String value) {
		return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
	}

}
