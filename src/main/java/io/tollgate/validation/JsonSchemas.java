package io.tollgate.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tollgate.config.InvalidConfigurationException;

import org.springframework.core.io.Resource;

/**
 * Loads and compiles JSON Schemas when routes are built (at startup, and at a reload when the file changed) and
 * keeps them: requests only ever run compiled schemas. A schema's {@code $schema} picks its draft; without one,
 * 2020-12 applies.
 */
class JsonSchemas {

	private final CompiledResources<Schema> compiled = new CompiledResources<>();

	private final ValidationResources resources;

	JsonSchemas(ValidationResources resources) {
		this.resources = resources;
	}

	/** @throws InvalidConfigurationException naming {@code body-schema} when it is missing or not a schema */
	Schema get(String location) {
		Resource resource = this.resources.find(location, "body-schema");
		InputFormat format = location.endsWith(".yaml") || location.endsWith(".yml") ? InputFormat.YAML : InputFormat.JSON;
		try {
			return this.compiled.get(location, resource, (content) -> {
				// A registry per document: a registry keeps what it loaded by $id, and an edited schema must not
				// meet its former self there.
				SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
				Schema schema = registry.getSchema(new ByteArrayInputStream(content), format);
				schema.initializeValidators();
				return schema;
			});
		}
		catch (IOException | RuntimeException ex) {
			throw new InvalidConfigurationException("body-schema",
					"'" + location + "' is not a valid JSON Schema: " + ex.getMessage());
		}
	}

}
