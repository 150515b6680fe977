package io.tollgate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.testsupport.GatewayTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionWriter;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes are rebuilt whenever they are refreshed (a reload, Consul's catalog changing): building a route's filters
 * again must change nothing, and a removed route must leave nothing behind. What the policies know about routes
 * (body limits, rate-limited routes, credential query parameters) is read from the current routes.
 */
@ExtendWith(OutputCaptureExtension.class)
class RouteRefreshTest extends GatewayTest {

	private static final String KEY = "bob-secret-key-1234";

	@Autowired
	RouteDefinitionWriter routes;

	@Autowired
	ConfigurableApplicationContext context;

	@Autowired
	MeterRegistry meters;

	@LocalManagementPort
	int managementPort;

	private final AtomicInteger refreshed = new AtomicInteger();

	@Test
	void tenRefreshesRegisterNothingTwiceAndARemovedRouteLeavesNothingBehind(CapturedOutput output) {
		this.context.addApplicationListener((ApplicationListener<RefreshRoutesResultEvent>) (event) -> this.refreshed.incrementAndGet());
		this.routes.save(Mono.just(dynamicRoute())).block(Duration.ofSeconds(5));
		refresh();
		this.client.get().uri("/dynamic/x?secret_param=" + KEY).exchange().expectStatus().isOk();
		// The request's timer is registered as the exchange completes, which may be just after the client has its answer.
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> this.meters.find("tollgate.requests").tag("route", "dynamic").timer() != null);
		int metersAfterFirstBuild = this.meters.getMeters().size();

		for (int i = 0; i < 10; i++) {
			refresh();
		}

		assertThat(this.meters.getMeters().size()).isEqualTo(metersAfterFirstBuild);
		this.client.post().uri("/dynamic/x?secret_param=" + KEY).bodyValue("x".repeat(2048)).exchange()
			.expectStatus().isEqualTo(413);
		assertThat(rateLimitedRoutesOfBob()).contains("\"dynamic\"");
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getOut()).contains("/dynamic/x?secret_param=***"));

		this.routes.delete(Mono.just("dynamic")).block(Duration.ofSeconds(5));
		refresh();

		this.client.get().uri("/dynamic/x").exchange().expectStatus().isNotFound();
		assertThat(rateLimitedRoutesOfBob()).doesNotContain("\"dynamic\"");
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.meters.getMeters())
				.noneMatch((meter) -> "dynamic".equals(meter.getId().getTag("route"))));
		this.client.get().uri("/open/x?secret_param=not-a-key").exchange().expectStatus().isOk();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getOut()).contains("/open/x?secret_param=not-a-key"));
	}

	private void refresh() {
		int before = this.refreshed.get();
		this.context.publishEvent(new RefreshRoutesEvent(this));
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.refreshed.get() > before);
	}

	private String rateLimitedRoutesOfBob() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/ratelimits/bob")
			.headers((headers) -> headers.setBasicAuth("ops", "ops-password"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private static RouteDefinition dynamicRoute() {
		RouteDefinition route = new RouteDefinition("dynamic=" + upstream.uri() + ",Path=/dynamic/**");
		route.getFilters().add(new FilterDefinition("KeyAuth=secret_param"));
		FilterDefinition rateLimit = new FilterDefinition("RateLimit");
		rateLimit.addArg("minute", "1000");
		route.getFilters().add(rateLimit);
		FilterDefinition validation = new FilterDefinition("ValidateRequest");
		validation.addArg("max-body-size", "1KB");
		route.getFilters().add(validation);
		return route;
	}

}
