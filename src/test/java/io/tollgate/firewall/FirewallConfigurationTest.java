package io.tollgate.firewall;

import io.tollgate.TollgateApplication;
import io.tollgate.config.InvalidConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** An operator's firewall setting that cannot mean anything stops startup, naming the property. */
class FirewallConfigurationTest {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "tollgate.firewall.allowed-methods[1]=GET POST|tollgate.firewall.allowed-methods[1]",
			"tollgate.firewall.allowed-methods[1]=|tollgate.firewall.allowed-methods[1]",
			"tollgate.firewall.encoded-slash-paths[0]=/blobs/{id|tollgate.firewall.encoded-slash-paths[0]" })
	void settingThatCannotMeanAnythingStopsStartupNamingIt(String setting, String property) {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0", "--tollgate.firewall.allowed-methods[0]=GET",
					"--" + setting)
			.close());

		InvalidConfigurationException cause = null;
		for (Throwable t = failure; t != null && cause == null; t = t.getCause()) {
			cause = (t instanceof InvalidConfigurationException invalid) ? invalid : null;
		}
		assertThat(cause).as("startup failure " + failure).isNotNull();
		assertThat(cause.property()).isEqualTo(property);
	}

}
