package io.tollgate.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tollgate.TollgateApplication;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream that closes keep-alive connections after 1 s idle (as Node closes them after 5 s, gunicorn after 2 s):
 * a request the gateway sends on a pooled connection just as the upstream closes it would fail with 502. The pool
 * drops connections idle longer than {@code httpclient.pool.max-idle-time}, set below the upstream's. (Measured
 * here with a 60 s limit instead: 4 of 24 such PUTs failed.)
 */
class IdleUpstreamConnectionTest {

	@Test
	void requestsAfterIdleGapsNeverFailWhenThePoolDropsConnectionsBeforeTheUpstreamDoes() throws Exception {
		assertThat(run("--spring.cloud.gateway.server.webflux.httpclient.pool.max-idle-time=500ms")).isZero();
	}

	/** The failures in a run of PUTs with idle gaps around the upstream's 1 s idle timeout. */
	private static int run(String... settings) throws Exception {
		DisposableServer upstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.idleTimeout(Duration.ofSeconds(1))
			.handle((request, response) -> request.receive().then(response.sendString(Mono.just("ok")).then()))
			.bindNow();
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
				"--spring.cloud.gateway.server.webflux.routes[0].id=idle",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:" + upstream.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/idle/**"));
		args.addAll(List.of(settings));
		int failures = 0;
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class)
			.run(args.toArray(String[]::new))) {
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			HttpClient client = HttpClient.newHttpClient();
			for (int i = 0; i < 16; i++) {
				HttpResponse<String> response = client.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/idle/" + i))
							.PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"))
							.header("Content-Type", "application/json")
							.build(),
						HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() != 200) {
					failures++;
				}
				// Around the upstream's idle timeout, where a reused connection races its close.
				Thread.sleep(990 + (i % 5) * 5);
			}
		}
		finally {
			upstream.disposeNow();
		}
		return failures;
	}

	/** Below gunicorn's 2 s, the shortest common default (Node 5 s, Tomcat 20 s, Apache httpd 5 s). */
	@Test
	void theDefaultIdleLimitIsBelowCommonServerKeepAliveTimeouts() throws Exception {
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0")) {
			HttpClientProperties.Pool pool = gateway.getBean(HttpClientProperties.class).getPool();
			assertThat(pool.getMaxIdleTime()).isLessThan(Duration.ofSeconds(2));
			assertThat(pool.getEvictionInterval()).isPositive().isLessThanOrEqualTo(pool.getMaxIdleTime());
		}
	}

}
