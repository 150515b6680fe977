package io.tollgate;

import io.tollgate.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Configuration mistakes are said at startup, and a ready gateway says what it runs with. */
@ExtendWith(OutputCaptureExtension.class)
class StartupReportTest {

	@Test
	void missingConfigDirectoryAndNoRoutesAreWarnedAboutAndTheSummaryIsLogged(CapturedOutput output) {
		try (ConfigurableApplicationContext gateway = start("--TOLLGATE_CONFIG_DIR=/nonexistent/tollgate-config")) {
			assertThat(output).contains("TOLLGATE_CONFIG_DIR=/nonexistent/tollgate-config is not a directory")
				.contains("No route is configured")
				.containsPattern("Tollgate ready: 0 routes, 0 consumers, rate limits in local memory, response cache in "
						+ "memory, discovery off, proxy port \\d+, management port \\d+");
		}
	}

	@Test
	void routesAndConsumersAreCounted(CapturedOutput output) {
		try (ConfigurableApplicationContext gateway = start("--tollgate.consumers[0].username=a",
				"--spring.cloud.gateway.server.webflux.routes[0].id=r",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:1",
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/r/**")) {
			assertThat(output).contains("Tollgate ready: 1 routes, 1 consumers").doesNotContain("No route is configured");
		}
	}

	@Test
	void requireRoutesStopsStartupWithoutRoutesNamingTheProperty() {
		Throwable failure = catchThrowable(() -> start("--tollgate.config.require-routes=true").close());

		InvalidConfigurationException cause = findCause(failure);
		assertThat(cause.property()).isEqualTo("spring.cloud.gateway.server.webflux.routes");
	}

	private static ConfigurableApplicationContext start(String... arguments) {
		String[] all = new String[arguments.length + 2];
		all[0] = "--server.port=0";
		all[1] = "--management.server.port=0";
		System.arraycopy(arguments, 0, all, 2, arguments.length);
		return new SpringApplicationBuilder(TollgateApplication.class).run(all);
	}

	private static InvalidConfigurationException findCause(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof InvalidConfigurationException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("no InvalidConfigurationException in " + failure);
	}

}
