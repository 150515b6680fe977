package io.tollgate.validation;

import java.io.InputStream;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** What one validation may cost: it stops at max-errors instead of collecting every violation first. */
class BodyValidatorTest {

	@Test
	void stopsCollectingAtMaxErrorsFor255KbArrayOfInvalidItems() throws Exception {
		Schema schema = orderSchema();
		JsonNode document = JsonMapper.builder().build().readTree(invalidOrder(255 * 1024));
		assertThat(schema.validate(document)).hasSizeGreaterThan(20_000);

		List<Error> collected = BodyValidator.violations(schema, document, 20);

		assertThat(collected).hasSize(20);
		assertThat(BodyValidator.pointer(collected.get(0))).isEqualTo("/items/0/sku");
	}

	/** An order whose items are all invalid (sku too short, qty 0: two violations each), about {@code size} bytes. */
	static String invalidOrder(int size) {
		StringBuilder json = new StringBuilder("{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[");
		String item = "{\"sku\":\"x\",\"qty\":0}";
		while (json.length() + item.length() + 3 < size) {
			json.append(item).append(',');
		}
		json.append(item).append("]}");
		return json.toString();
	}

	static Schema orderSchema() throws Exception {
		try (InputStream in = BodyValidatorTest.class.getResourceAsStream("/validation/order.schema.json")) {
			Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in,
					InputFormat.JSON);
			schema.initializeValidators();
			return schema;
		}
	}

}
