package io.tollgate.validation;

import java.nio.charset.StandardCharsets;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient.BodyContentSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** ValidateRequest with a JSON Schema: what passes, what is refused, and what the client is told. */
@ActiveProfiles("validation")
class ValidateRequestGatewayFilterFactoryTest extends GatewayTest {

	private static final String VALID = "{ \"id\" : \"ORD-42\",\n  \"status\":\"paid\", \"note\": \"caf\\u00e9 \u00e9\u00e8 \u2603\",\n"
			+ "  \"items\": [ {\"sku\":\"abc\",\"qty\":2} ] }  ";

	@Test
	void validBodyReachesUpstreamByteForByte() {
		byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
		this.client.post().uri("/v/orders").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.body()).isEqualTo(body);
		assertThat(seen.header("Content-Length")).containsExactly(String.valueOf(body.length));
	}

	@Test
	void wrongTypeIsReportedAtItsPointer() {
		invalid("/v/orders", "{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[{\"sku\":\"abc\",\"qty\":\"two\"}]}")
			.jsonPath("$.errors[0].pointer").isEqualTo("/items/0/qty")
			.jsonPath("$.errors[0].reason").value((reason) -> assertThat(reason.toString()).contains("integer"));
	}

	@Test
	void missingRequiredPropertyIsReportedAtThePropertysPointer() {
		invalid("/v/orders", "{\"id\":\"ORD-1\",\"items\":[]}").jsonPath("$.errors[0].pointer").isEqualTo("/status");
	}

	@Test
	void valueOutsideEnumIsReported() {
		invalid("/v/orders", "{\"id\":\"ORD-1\",\"status\":\"lost\",\"items\":[]}").jsonPath("$.errors[0].pointer")
			.isEqualTo("/status");
	}

	@Test
	void patternMismatchIsReported() {
		invalid("/v/orders", "{\"id\":\"42\",\"status\":\"new\",\"items\":[]}").jsonPath("$.errors[0].pointer")
			.isEqualTo("/id");
	}

	@Test
	void propertyNotAllowedIsReportedAtItsPointer() {
		invalid("/v/orders", "{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[],\"admin\":true}")
			.jsonPath("$.errors[0].pointer").isEqualTo("/admin");
	}

	@Test
	void nestedArrayItemViolationIsReportedAtItsIndex() {
		invalid("/v/orders",
				"{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[{\"sku\":\"abc\",\"qty\":1},{\"sku\":\"x\",\"qty\":1}]}")
			.jsonPath("$.errors[0].pointer").isEqualTo("/items/1/sku");
	}

	@Test
	void errorsAreCappedAtMaxErrors() {
		invalid("/v/capped", "{\"id\":1,\"status\":2,\"items\":3,\"a\":4,\"b\":5}").jsonPath("$.errors.length()")
			.isEqualTo(2);
	}

	@Test
	void a255KbArrayOfInvalidItemsIs400ListingMaxErrorsInDocumentOrder() {
		invalid("/v/orders", BodyValidatorTest.invalidOrder(255 * 1024)).jsonPath("$.errors.length()").isEqualTo(20)
			.jsonPath("$.errors[0].pointer").isEqualTo("/items/0/sku")
			.jsonPath("$.errors[1].pointer").isEqualTo("/items/0/qty");
	}

	@Test
	void draft07SchemaFromAFilePathIsHonoured() {
		this.client.post().uri("/v/legacy").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"x\",\"age\":3}")
			.exchange().expectStatus().isOk();
		upstreamRequest();
		invalid("/v/legacy", "{\"name\":\"x\",\"age\":0}").jsonPath("$.errors[0].pointer").isEqualTo("/age");
	}

	@Test
	void malformedJsonIs400WithItsPosition() {
		this.client.post().uri("/v/orders").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"id\": \"ORD-1\",\n  \"status\": }")
			.exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail").value((detail) -> assertThat(detail.toString())
				.startsWith("request body is not valid JSON at line 2, column"));
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void missingBodyOnPostIs400() {
		this.client.post().uri("/v/orders").contentType(MediaType.APPLICATION_JSON).exchange().expectStatus()
			.isBadRequest();
	}

	@Test
	void disallowedContentTypeIs415() {
		this.client.post().uri("/v/orders").contentType(MediaType.TEXT_PLAIN).bodyValue(VALID).exchange()
			.expectStatus().isEqualTo(415)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").value((detail) -> assertThat(detail.toString()).contains("text/plain"));
	}

	@Test
	void contentTypeParametersAreIgnoredWhenMatching() {
		this.client.post().uri("/v/orders").header("Content-Type", "application/json; charset=utf-8").bodyValue(VALID)
			.exchange().expectStatus().isOk();
	}

	@Test
	void getWithoutBodyIsNotValidated() {
		this.client.get().uri("/v/orders").exchange().expectStatus().isOk();
	}

	private BodyContentSpec invalid(String path, String body) {
		BodyContentSpec spec = this.client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
			.exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail").isEqualTo("request body doesn't conform to schema")
			.jsonPath("$.request_id").isNotEmpty();
		assertThat(upstream.receivedCount()).isZero();
		return spec;
	}

}
