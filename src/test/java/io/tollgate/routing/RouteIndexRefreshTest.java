package io.tollgate.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteDefinitionWriter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A route refresh while the index of the previous routes is still in use: once the gateway's routes have changed,
 * no request is routed by the routes they replaced, however long the new index takes to build.
 */
class RouteIndexRefreshTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	@Test
	void aRouteThatGainsKeyAuthIsNeverServedWithoutItOnceTheRoutesChanged() throws Exception {
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class,
				SlowDefinitions.class)
			.profiles("test")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(),
					"--refused.port=" + ClosedPort.get())) {
			RouteDefinitionWriter writer = gateway.getBean(RouteDefinitionWriter.class);
			RouteLocator routes = gateway.getBean(RouteLocator.class);
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();

			writer.save(Mono.just(route(false))).block();
			gateway.publishEvent(new RefreshRoutesEvent(this));
			await().atMost(Duration.ofSeconds(10)).until(() -> status(port) == 200);
			int filtersBefore = filters(routes);

			// The definitions now take a while to read (a remote source): the gateway's routes change first, the
			// index of them follows later.
			SlowDefinitions.delayMs = 3000;
			try {
				writer.save(Mono.just(route(true))).block();
				gateway.publishEvent(new RefreshRoutesEvent(this));
				await().atMost(Duration.ofSeconds(10))
					.pollInterval(Duration.ofMillis(10))
					.until(() -> filters(routes) == filtersBefore + 1);

				assertThat(status(port)).as("status without a key once the route requires one").isEqualTo(401);
			}
			finally {
				SlowDefinitions.delayMs = 0;
			}
		}
	}

	private static int filters(RouteLocator routes) {
		Route route = routes.getRoutes().filter((r) -> r.getId().equals("refresh-race")).blockFirst();
		return (route != null) ? route.getFilters().size() : -1;
	}

	private static int status(int port) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/refresh-race/x")).build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	private static RouteDefinition route(boolean keyAuth) {
		RouteDefinition definition = RealRoutes.definition("refresh-race", 0, "Path=/refresh-race/**");
		definition.setUri(URI.create(upstream.uri()));
		if (keyAuth) {
			definition.getFilters().add(new FilterDefinition("KeyAuth"));
		}
		return definition;
	}

	/** One more source of route definitions (holding none) that can be made slow to answer. */
	@Configuration(proxyBeanMethods = false)
	static class SlowDefinitions {

		static volatile long delayMs;

		@Bean
		RouteDefinitionLocator slowDefinitions() {
			return () -> Flux.defer(() -> (delayMs == 0) ? Flux.<RouteDefinition>empty()
					: Flux.<RouteDefinition>empty().delaySubscription(Duration.ofMillis(delayMs)));
		}

	}

}
