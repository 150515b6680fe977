package io.tollgate.validation;

import io.tollgate.TollgateApplication;
import io.tollgate.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A schema or OpenAPI document that is missing or does not parse stops startup, naming the route. */
class SchemaStartupTest {

	@Test
	void missingSchemaStopsStartupNamingTheRoute() {
		InvalidConfigurationException failure = startWith("body-schema", "classpath:validation/nope.json");

		assertThat(failure.property())
			.isEqualTo("spring.cloud.gateway.server.webflux.routes[0].filters[0].args.body-schema");
		assertThat(failure.reason()).contains("route 'orders'").contains("does not exist");
	}

	@Test
	void schemaThatDoesNotParseStopsStartupNamingTheRoute() {
		InvalidConfigurationException failure = startWith("body-schema", "classpath:validation/broken.schema.json");

		assertThat(failure.reason()).contains("route 'orders'").contains("not a valid JSON Schema");
	}

	@Test
	void openApiDocumentThatDoesNotExistStopsStartupNamingTheRoute() {
		InvalidConfigurationException failure = startWith("openapi", "file:/nonexistent/api.yaml");

		assertThat(failure.property()).endsWith(".args.openapi");
		assertThat(failure.reason()).contains("route 'orders'");
	}

	private static InvalidConfigurationException startWith(String arg, String value) {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0",
					"--spring.cloud.gateway.server.webflux.routes[0].id=orders",
					"--spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:1",
					"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/orders",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0].name=ValidateRequest",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0].args." + arg + "=" + value)
			.close());
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidConfigurationException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("startup failure").isInstanceOf(InvalidConfigurationException.class);
		return (InvalidConfigurationException) cause;
	}

}
