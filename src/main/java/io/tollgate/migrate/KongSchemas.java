package io.tollgate.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kong's request-validator "kong" schema format ({@code [{"name": {"type": "string", "required": true}}]}) as a
 * JSON Schema (draft 4, as Kong's other format), for the flat documents it is mostly used for.
 */
final class KongSchemas {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<String, String> TYPES = Map.of("string", "string", "number", "number", "integer",
			"integer", "boolean", "boolean", "array", "array", "set", "array", "map", "object", "record", "object");

	/** What converts besides {@code type} and {@code required}. */
	private static final Set<String> RULES = Set.of("type", "required", "between", "len_min", "len_max", "one_of",
			"elements", "gt");

	private KongSchemas() {
	}

	static boolean isJson(String text) {
		try {
			return JSON.readTree(text).isObject();
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	/** The JSON Schema, or null when the document holds anything this does not convert. */
	static String toJsonSchema(String kongSchema) {
		JsonNode fields;
		try {
			fields = JSON.readTree(kongSchema);
		}
		catch (JacksonException ex) {
			return null;
		}
		if (fields == null || !fields.isArray()) {
			return null;
		}
		ObjectNode schema = JSON.createObjectNode();
		schema.put("$schema", "http://json-schema.org/draft-04/schema#");
		schema.put("type", "object");
		ObjectNode properties = schema.putObject("properties");
		List<String> required = new ArrayList<>();
		for (JsonNode field : fields) {
			if (!field.isObject() || field.size() != 1) {
				return null;
			}
			Map.Entry<String, JsonNode> entry = field.properties().iterator().next();
			ObjectNode property = convert(entry.getValue());
			if (property == null) {
				return null;
			}
			properties.set(entry.getKey(), property);
			if (entry.getValue().path("required").asBoolean(false)) {
				required.add(entry.getKey());
			}
		}
		schema.put("additionalProperties", false); // Kong's schemas refuse fields they do not name
		if (!required.isEmpty()) {
			ArrayNode names = schema.putArray("required");
			required.forEach(names::add);
		}
		return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(schema);
	}

	private static ObjectNode convert(JsonNode rules) {
		if (!rules.isObject()) {
			return null;
		}
		for (String rule : rules.propertyNames()) {
			if (!RULES.contains(rule)) {
				return null;
			}
		}
		String type = TYPES.get(rules.path("type").asString(""));
		if (type == null) {
			return null;
		}
		ObjectNode property = JSON.createObjectNode();
		property.put("type", type);
		JsonNode between = rules.get("between");
		if (between != null) {
			if (!between.isArray() || between.size() != 2) {
				return null;
			}
			property.set("minimum", between.get(0));
			property.set("maximum", between.get(1));
		}
		if (rules.has("gt")) {
			property.set("minimum", rules.get("gt"));
			property.put("exclusiveMinimum", true);
		}
		if (rules.has("len_min")) {
			property.set(type.equals("array") ? "minItems" : "minLength", rules.get("len_min"));
		}
		if (rules.has("len_max")) {
			property.set(type.equals("array") ? "maxItems" : "maxLength", rules.get("len_max"));
		}
		if (rules.has("one_of")) {
			property.set("enum", rules.get("one_of"));
		}
		if (rules.has("elements")) {
			ObjectNode items = convert(rules.get("elements"));
			if (items == null) {
				return null;
			}
			property.set("items", items);
		}
		if (rules.path("type").asString("").equals("set")) {
			property.put("uniqueItems", true);
		}
		return property;
	}

}
