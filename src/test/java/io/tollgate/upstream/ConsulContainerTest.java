package io.tollgate.upstream;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The discovery scenario against a real Consul (runs where Docker does: GitHub Actions). Two loopback upstreams
 * are registered through Consul's agent API with TTL checks; failing one check takes that instance out.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConsulContainerTest {

	@Container
	static final ConsulContainer consul = new ConsulContainer("hashicorp/consul:1.22");

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void roundRobinThenTrafficMovesOffAnInstanceWhoseCheckFails() throws Exception {
		try (RecordingUpstream first = RecordingUpstream.start(); RecordingUpstream second = RecordingUpstream.start()) {
			register("orders-1", first.port());
			register("orders-2", second.port());
			try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class)
				.profiles("test", "upstream")
				.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + first.uri(), "--refused.port=1",
						"--spring.cloud.consul.enabled=true", "--spring.cloud.consul.host=" + consul.getHost(),
						"--spring.cloud.consul.port=" + consul.getMappedPort(8500),
						"--spring.cloud.loadbalancer.cache.ttl=200ms")) {
				WebTestClient client = WebTestClient.bindToServer()
					.baseUrl("http://127.0.0.1:" + ((WebServerApplicationContext) gateway).getWebServer().getPort())
					.build();
				Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					first.clear();
					second.clear();
					for (int i = 0; i < 10; i++) {
						client.get().uri("/svc/orders/x").exchange().expectStatus().isOk();
					}
					assertThat(first.receivedCount()).isEqualTo(5);
					assertThat(second.receivedCount()).isEqualTo(5);
				});

				put("/v1/agent/check/fail/service:orders-2", "");
				Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					second.clear();
					for (int i = 0; i < 4; i++) {
						client.get().uri("/svc/orders/x").exchange().expectStatus().isOk();
					}
					assertThat(second.receivedCount()).isZero();
				});
			}
		}
	}

	private void register(String id, int port) throws IOException, InterruptedException {
		put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"orders\",\"Address\":\"127.0.0.1\",\"Port\":"
				+ port + ",\"Check\":{\"CheckID\":\"service:" + id + "\",\"TTL\":\"10m\",\"Status\":\"passing\"}}");
	}

	private void put(String path, String body) throws IOException, InterruptedException {
		URI uri = URI.create("http://" + consul.getHost() + ":" + consul.getMappedPort(8500) + path);
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
	}

}
