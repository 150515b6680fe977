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
	ValidationResources validationResources(ResourceLoader resourceLoader) {
		return new ValidationResources(resourceLoader);
	}

	/** Schemas compiled once, shared by every route that names them. */
	@Bean
	JsonSchemas jsonSchemas(ValidationResources resources) {
		return new JsonSchemas(resources);
	}

	/** OpenAPI documents parsed once, shared by every route that names them. */
	@Bean
	OpenApiDocuments openApiDocuments(ValidationResources resources) {
		return new OpenApiDocuments(resources);
	}

}
