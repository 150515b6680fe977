package io.tollgate.validation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import io.tollgate.config.InvalidConfigurationException;

import org.springframework.core.io.Resource;

/** Loads and prepares OpenAPI 3 documents once; requests only run prepared validators. */
class OpenApiDocuments {

	private final Map<String, OpenApiInteractionValidator> prepared = new ConcurrentHashMap<>();

	private final ValidationResources resources;

	OpenApiDocuments(ValidationResources resources) {
		this.resources = resources;
	}

	/** @throws InvalidConfigurationException naming {@code openapi} when it is missing or not an OpenAPI document */
	OpenApiInteractionValidator get(String location) {
		return this.prepared.computeIfAbsent(location, this::prepare);
	}

	private OpenApiInteractionValidator prepare(String location) {
		Resource resource = this.resources.find(location, "openapi");
		try (InputStream in = resource.getInputStream()) {
			String document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return OpenApiInteractionValidator.createForInlineApiSpecification(document).build();
		}
		catch (IOException | RuntimeException ex) {
			throw new InvalidConfigurationException("openapi",
					"'" + location + "' is not a valid OpenAPI 3 document: " + ex.getMessage());
		}
	}

}
