package io.tollgate.validation;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tollgate.config.InvalidConfigurationException;

import org.springframework.core.io.Resource;

/**
 * Loads and compiles JSON Schemas once (at startup, when routes are checked) and keeps them: requests only ever
 * run compiled schemas. A schema's {@code $schema} picks its draft; without one, 2020-12 applies.
 */
class JsonSchemas {

	private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

	private final ValidationResources resources;

	JsonSchemas(ValidationResources resources) {
		this.resources = resources;
	}

	/** @throws InvalidConfigurationException naming {@code body-schema} when it is missing or not a schema */
	Schema get(String location) {
		return this.compiled.computeIfAbsent(location, this::compile);
	}

	private Schema compile(String location) {
		Resource resource = this.resources.find(location, "body-schema");
		InputFormat format = location.endsWith(".yaml") || location.endsWith(".yml") ? InputFormat.YAML : InputFormat.JSON;
		try (InputStream in = resource.getInputStream()) {
			Schema schema = this.registry.getSchema(in, format);
			schema.initializeValidators();
			return schema;
		}
		catch (IOException | RuntimeException ex) {
			throw new InvalidConfigurationException("body-schema",
					"'" + location + "' is not a valid JSON Schema: " + ex.getMessage());
		}
	}

}
