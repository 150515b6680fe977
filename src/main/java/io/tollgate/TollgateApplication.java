package io.tollgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Tollgate: an API gateway on Spring Cloud Gateway. Every policy is an ordinary gateway filter in its own
 * package; the operator's routes and consumers come from {@code config-repo/}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TollgateApplication {

	public static void main(String[] args) {
		SpringApplication.run(TollgateApplication.class, args);
	}

}
