package io.tollgate.validation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import io.tollgate.config.InvalidConfigurationException;

import org.springframework.core.io.Resource;

/**
 * Loads and prepares OpenAPI 3 documents when routes are built (again at a reload when the document changed);
 * requests only run prepared validators.
 */
class OpenApiDocuments {

	private final CompiledResources<OpenApiInteractionValidator> prepared = new CompiledResources<>();

	private final ValidationResources resources;

	OpenApiDocuments(ValidationResources resources) {
		this.resources = resources;
	}

	/** @throws InvalidConfigurationException naming {@code openapi} when it is missing or not an OpenAPI document */
	OpenApiInteractionValidator get(String location) {
		Resource resource = this.resources.find(location, "openapi");
		try {
			return this.prepared.get(location, resource, (content) -> OpenApiInteractionValidator
				.createForInlineApiSpecification(new String(content, StandardCharsets.UTF_8))
				.build());
		}
		catch (IOException | RuntimeException ex) {
			throw new InvalidConfigurationException("openapi",
					"'" + location + "' is not a valid OpenAPI 3 document: " + ex.getMessage());
		}
	}

}
