package io.tollgate.validation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

@Configuration(proxyBeanMethods = false)
class ValidationConfiguration {

	@Bean
	BodySizeLimits bodySizeLimits(ValidationProperties properties) {
		return new BodySizeLimits(properties);
	}

	@Bean
	BodySizeLimitFilter bodySizeLimitFilter(BodySizeLimits limits) {
		return new BodySizeLimitFilter(limits);
	}

	@Bean
	BufferedBodies bufferedBodies(MeterRegistry meters) {
		BufferedBodies buffered = new BufferedBodies();
		Gauge.builder("tollgate.validation.buffered.bytes", buffered, BufferedBodies::current)
			.description("Request body bytes held for validation")
			.baseUnit("bytes")
			.register(meters);
		return buffered;
	}

	@Bean
	ValidateRequestGatewayFilterFactory validateRequestGatewayFilterFactory(ResourceLoader resourceLoader,
			BodySizeLimits limits, BufferedBodies buffered, ValidationProperties properties, MeterRegistry meters) {
		ValidationResources resources = new ValidationResources(resourceLoader);
		return new ValidateRequestGatewayFilterFactory(new JsonSchemas(resources), new OpenApiDocuments(resources),
				limits, buffered, properties, meters);
	}

}
