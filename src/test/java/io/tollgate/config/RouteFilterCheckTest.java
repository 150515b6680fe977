package io.tollgate.config;

import io.tollgate.TollgateApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A route that names a filter that does not exist stops startup, naming the property, the route and the filter.
 * Spring Cloud Gateway alone would log it and drop the route: an auth filter misspelt would leave nothing behind.
 */
class RouteFilterCheckTest {

	@Test
	void unknownFilterNameStopsStartupNamingRouteAndFilter() {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0",
					"--spring.cloud.gateway.server.webflux.routes[0].id=orders",
					"--spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:1",
					"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/orders/**",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0]=StripPrefix=1",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[1]=KeyAuht")
			.close());

		InvalidConfigurationException cause = causeOf(failure);
		assertThat(cause.property()).isEqualTo("spring.cloud.gateway.server.webflux.routes[0].filters[1]");
		assertThat(cause.reason()).contains("route 'orders'").contains("'KeyAuht'").contains("KeyAuth");
	}

	private static InvalidConfigurationException causeOf(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof InvalidConfigurationException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("no InvalidConfigurationException in " + failure, failure);
	}

}
