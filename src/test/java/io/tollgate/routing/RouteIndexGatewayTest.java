package io.tollgate.routing;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionWriter;
import org.springframework.context.ApplicationEventPublisher;

import io.tollgate.testsupport.GatewayTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Through the running gateway: with thousands of routes the last one serves its requests, and a route refresh
 * after the definitions changed is followed by the index.
 */
class RouteIndexGatewayTest extends GatewayTest {

	private static final int ROUTES = 2_000;

	@Autowired
	private RouteDefinitionWriter writer;

	@Autowired
	private ApplicationEventPublisher events;

	@Autowired
	private RoutePredicateHandlerMapping handlerMapping;

	private final Set<String> saved = new LinkedHashSet<>();

	@AfterEach
	void removeRoutes() {
		Flux.fromIterable(this.saved).concatMap((id) -> this.writer.delete(Mono.just(id))).blockLast();
		this.events.publishEvent(new RefreshRoutesEvent(this));
	}

	@Test
	void lastOfThousandsOfRoutesServesItsRequestsAndARefreshMovesIt() {
		for (int i = 0; i < ROUTES; i++) {
			save(route("ri-" + i, "/route-index/r" + i + "/**"));
		}
		this.events.publishEvent(new RefreshRoutesEvent(this));
		IndexedRoutePredicateHandlerMapping indexed = (IndexedRoutePredicateHandlerMapping) this.handlerMapping;
		await().atMost(Duration.ofSeconds(10))
			.until(() -> indexed.indexer().current() != null && indexed.indexer().current().indexed() >= ROUTES);

		assertThat(routeThatServed("/route-index/r" + (ROUTES - 1) + "/x")).isEqualTo("ri-" + (ROUTES - 1));

		save(route("ri-" + (ROUTES - 1), "/route-index/moved/**"));
		this.events.publishEvent(new RefreshRoutesEvent(this));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> this.client.get().uri("/route-index/r" + (ROUTES - 1) + "/x").exchange()
				.expectStatus().isNotFound());
		assertThat(routeThatServed("/route-index/moved/x")).isEqualTo("ri-" + (ROUTES - 1));
	}

	private String routeThatServed(String path) {
		this.client.get().uri(path).exchange().expectStatus().isOk();
		return upstreamRequest().headers().getFirst("X-Route");
	}

	private void save(RouteDefinition definition) {
		this.writer.save(Mono.just(definition)).block();
		this.saved.add(definition.getId());
	}

	private static RouteDefinition route(String id, String pattern) {
		RouteDefinition definition = RealRoutes.definition(id, 0, "Path=" + pattern);
		definition.setUri(URI.create(upstream.uri()));
		definition.getFilters().add(new FilterDefinition("AddRequestHeader=X-Route, " + id));
		return definition;
	}

}
