package io.tollgate.admin;

import java.util.Objects;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerRegistry;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	ConsumersEndpoint consumersEndpoint(ConsumerRegistry registry) {
		return new ConsumersEndpoint(registry);
	}

	/**
	 * The admin endpoints are secured on their own port; on the proxy port they would be open. So the two ports
	 * must differ (a random test port, 0, is fine).
	 */
	@Bean
	AdminUsers adminUsers(AdminProperties properties) {
		return new AdminUsers(properties);
	}

	@Bean
	SmartInitializingSingleton managementPortCheck(Environment environment) {
		return () -> {
			Integer management = environment.getProperty("management.server.port", Integer.class);
			Integer server = environment.getProperty("server.port", Integer.class, 8080);
			if (management == null || (management != 0 && Objects.equals(management, server))) {
				throw new InvalidConfigurationException("management.server.port",
						"must be set and differ from server.port: admin endpoints are secured on their own port");
			}
		};
	}

}
