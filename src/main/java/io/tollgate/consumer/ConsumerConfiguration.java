package io.tollgate.consumer;

import java.util.regex.Pattern;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

	/**
	 * Keys and digests are never shown by {@code /actuator/env} or {@code /actuator/configprops}, even where an
	 * operator sets {@code show-values: always}.
	 */
	private static final Pattern SECRET = Pattern
		.compile("(?i).*(api-?keys|apiKeys|jwt-?secrets|jwtSecrets)(\\[\\d+\\])?\\.(key|sha256|secret)$");

	@Bean
	ConsumerRegistry consumerRegistry(ConsumerProperties properties) {
		return new ConsumerRegistry(properties);
	}

	/** Masks key properties by name, and any property (an environment variable, say) whose value is a key. */
	@Bean
	SanitizingFunction consumerSecretsSanitizer(ConsumerRegistry registry) {
		return (SanitizableData data) -> {
			if (SECRET.matcher(data.getKey()).matches()
					|| (data.getValue() instanceof CharSequence value && registry.isSecret(value.toString()))) {
				return data.withSanitizedValue();
			}
			return data;
		};
	}

}
