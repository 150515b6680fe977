package io.tollgate.routing;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.http.HttpMethod;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_PATH_CONTAINER_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * Routes the index cannot read are tested for every request, in their place in route order; what the lookup leaves
 * in the exchange stays what Spring Cloud Gateway's linear lookup leaves.
 */
class RouteIndexFallbackTest {

	@Test
	void routeWithoutPathPredicateIsTestedForEveryRequest() {
		RealRoutes routes = new RealRoutes(List.of(RealRoutes.definition("api", 0, "Path=/api/**"),
				RealRoutes.definition("by-host", 1, "Host=h.test")), List.of());

		assertSameChoice(routes, "/elsewhere/x", "h.test", "by-host");
		assertThat(routes.indexed().indexer().current().indexed()).isEqualTo(1);
	}

	@Test
	void javaRouteWithoutDefinitionIsTestedForEveryRequest() {
		Route java = Route.async()
			.id("java")
			.uri("http://upstream.invalid")
			.order(0)
			.asyncPredicate(new PathRoutePredicateFactory(new WebFluxProperties())
				.applyAsync((config) -> config.setPatterns(List.of("/java/**"))))
			.build();
		RealRoutes routes = new RealRoutes(List.of(RealRoutes.definition("api", 1, "Path=/api/**")), List.of(java));

		assertSameChoice(routes, "/java/x", "h.test", "java");
		assertThat(routes.indexed().indexer().current().indexed()).isEqualTo(1);
	}

	@Test
	void pathAfterAnotherPredicateIsTestedForEveryRequest() {
		RealRoutes routes = new RealRoutes(List.of(RealRoutes.definition("get-a", 0, "Method=GET", "Path=/a/**"),
				RealRoutes.definition("host-a", 1, "Host={sub}.test", "Path=/a/**")), List.of());

		assertSameChoice(routes, "/a/x", "h.test", "get-a");
		assertThat(routes.indexed().indexer().current().indexed()).isZero();
	}

	@Test
	void caseInsensitivePathMatchingTurnsThePathIndexOff() {
		PathRoutePredicateFactory path = new PathRoutePredicateFactory(new WebFluxProperties());
		PathPatternParser parser = new PathPatternParser();
		parser.setCaseSensitive(false);
		path.setPathPatternParser(parser);
		List<RouteDefinition> definitions = List.of(RealRoutes.definition("api", 0, "Path=/api/**"));
		RealRoutes routes = new RealRoutes(definitions, List.of(), path);

		assertSameChoice(routes, "/API/x", "h.test", "api");
		assertThat(routes.indexed().indexer().current().indexed()).isZero();
	}

	@Test
	void skippedPathRouteStillLeavesTheParsedPathAsTheLinearLookupDoes() {
		RealRoutes routes = new RealRoutes(List.of(RealRoutes.definition("api", 0, "Path=/api/**"),
				RealRoutes.definition("by-host", 1, "Host=h.test")), List.of());

		Map<String, String> indexed = RealRoutes.lookUp(routes.indexed(), HttpMethod.GET, "/other", "h.test", "0");

		assertThat(indexed).containsEntry(GATEWAY_PREDICATE_PATH_CONTAINER_ATTR, "/other");
	}

	@Test
	void patternWithoutLiteralPrefixIsTestedForEveryRequest() {
		RealRoutes routes = new RealRoutes(List.of(RealRoutes.definition("api", 0, "Path=/api/**"),
				RealRoutes.definition("var", 1, "Path=/{tenant}/items"), RealRoutes.definition("no-slash", 2,
						"Path=items/**")), List.of());

		assertSameChoice(routes, "/t1/items", "h.test", "var");
		assertSameChoice(routes, "/items/x", "h.test", null);
	}

	private static void assertSameChoice(RealRoutes routes, String path, String host, String expectedRoute) {
		Map<String, String> linear = RealRoutes.lookUp(routes.linear(), HttpMethod.GET, path, host, "0");
		Map<String, String> indexed = RealRoutes.lookUp(routes.indexed(), HttpMethod.GET, path, host, "0");
		assertThat(indexed).isEqualTo(linear);
		assertThat(indexed.get(GATEWAY_ROUTE_ATTR)).isEqualTo(expectedRoute);
	}

}
