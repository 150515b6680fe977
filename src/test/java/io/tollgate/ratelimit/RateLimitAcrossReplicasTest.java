package io.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.List;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Two gateways sharing one Redis enforce one limit between them. */
@ExtendWith(RealRedis.class)
class RateLimitAcrossReplicasTest {

	@Test
	void twoReplicasAllowExactlyTheLimitInTotal() {
		RecordingUpstream upstream = RecordingUpstream.shared();
		try (ConfigurableApplicationContext first = replica(upstream);
				ConfigurableApplicationContext second = replica(upstream)) {
			List<WebTestClient> replicas = List.of(client(first), client(second));
			assertThat(port(first)).isNotEqualTo(port(second));

			List<Integer> statuses = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				statuses.add(replicas.get(i % 2)
					.get()
					.uri("/rl/replicas/x")
					.header("apikey", "alice-secret-key-5678")
					.exchange()
					.returnResult(String.class)
					.getStatus()
					.value());
			}

			assertThat(statuses.stream().filter((status) -> status == 200).count()).isEqualTo(10);
			assertThat(statuses.stream().filter((status) -> status == 429).count()).isEqualTo(10);
			// Both replicas took part in allowing and in rejecting.
			assertThat(statuses.subList(0, 10)).containsOnly(200);
			assertThat(statuses.subList(10, 20)).containsOnly(429);
		}
	}

	private static ConfigurableApplicationContext replica(RecordingUpstream upstream) {
		RealRedis.Server redis = RealRedis.server();
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "ratelimit")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1",
					"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port());
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static WebTestClient client(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port(context)).build();
	}

}
