package io.tollgate.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The routes bench/gen-routes.py writes for routes-10k, and its traffic (GET /bench/item, Host 127.0.0.1:18200):
 * the last route serves it, with the attributes the linear lookup leaves, after testing only a few candidates. The
 * candidate counts with and without Host/Method filtering are printed for the bench notes, not asserted.
 */
class RouteIndexBenchRoutesTest {

	private static final int ROUTES = 10_000;

	@Test
	void benchTrafficIsServedByTheLastRouteWithTheLinearLookupsAttributes() {
		List<RouteDefinition> definitions = new ArrayList<>();
		for (int i = 1; i < ROUTES; i++) {
			if (i % 10 == 0) {
				definitions.add(RealRoutes.definition("r" + i, 0, "Path=/bench/**", "Host=svc" + i + ".example.com"));
			}
			else if (i % 10 == 5) {
				definitions.add(RealRoutes.definition("r" + i, 0, "Path=/bench/**", "Method=DELETE"));
			}
			else {
				definitions.add(RealRoutes.definition("r" + i, 0, "Path=/svc" + i + "/**"));
			}
		}
		definitions.add(RealRoutes.definition("bench", 0, "Path=/bench/**", "Method=GET,POST", "Host=127.0.0.1:*"));
		RealRoutes routes = new RealRoutes(definitions, List.of());

		Map<String, String> linear = RealRoutes.lookUp(routes.linear(), HttpMethod.GET, "/bench/item",
				"127.0.0.1:18200", "0");
		Map<String, String> indexed = RealRoutes.lookUp(routes.indexed(), HttpMethod.GET, "/bench/item",
				"127.0.0.1:18200", "0");

		assertThat(indexed).isEqualTo(linear);
		assertThat(indexed.get(GATEWAY_ROUTE_ATTR)).isEqualTo("bench");
		List<Route> built = routes.routeLocator.getRoutes().collectList().block();
		System.out.printf("RouteIndexBenchRoutesTest: GET /bench/item tests %d candidates by path only, %d with "
				+ "Host/Method filtering (of %d routes)%n", candidates(RouteIndex.build(built, definitions, null, true,
						false, false)), candidates(RouteIndex.build(built, definitions, null, true, true, true)), ROUTES);
	}

	private static int candidates(RouteIndex index) {
		MockServerHttpRequest request = MockServerHttpRequest
			.method(HttpMethod.GET, URI.create("http://127.0.0.1:18200/bench/item"))
			.header("Host", "127.0.0.1:18200")
			.build();
		int count = 0;
		for (Route ignored : index.lookup(PathContainer.parsePath("/bench/item"), request).candidates()) {
			count++;
		}
		return count;
	}

}
