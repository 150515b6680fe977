package io.tollgate.validation;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient.BodyContentSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** ValidateRequest with an OpenAPI 3 document (src/test/resources/validation/petstore.yaml). */
@ActiveProfiles("validation")
class OpenApiValidationTest extends GatewayTest {

	@Test
	void requestMatchingItsOperationPasses() {
		this.client.get().uri("/api/pets?limit=10").exchange().expectStatus().isOk();
		this.client.get().uri("/api/pets/42").exchange().expectStatus().isOk();
		this.client.post().uri("/api/pets").header("X-Tenant", "acme").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Rex\"}").exchange().expectStatus().isOk();
		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void pathParameterOfWrongTypeIs400() {
		paramInvalid(this.client.get().uri("/api/pets/rex").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("petId")
			.jsonPath("$.errors[0].in").isEqualTo("path");
	}

	@Test
	void missingRequiredQueryParameterIs400() {
		paramInvalid(this.client.get().uri("/api/pets").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("limit");
	}

	@Test
	void queryParameterOfWrongTypeOrRangeIs400() {
		paramInvalid(this.client.get().uri("/api/pets?limit=many").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("limit");
		paramInvalid(this.client.get().uri("/api/pets?limit=1000").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("limit");
	}

	@Test
	void missingOrInvalidHeaderIs400() {
		paramInvalid(this.client.post().uri("/api/pets").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Rex\"}").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("X-Tenant")
			.jsonPath("$.errors[0].in").isEqualTo("header");
		paramInvalid(this.client.post().uri("/api/pets").header("X-Tenant", "ACME!").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Rex\"}").exchange().expectStatus().isBadRequest().expectBody())
			.jsonPath("$.errors[0].parameter").isEqualTo("X-Tenant");
	}

	@Test
	void bodyNotMatchingTheOperationsSchemaIs400() {
		this.client.post().uri("/api/pets").header("X-Tenant", "acme").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"tag\":\"dog\",\"owner\":\"me\"}").exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail").isEqualTo("request body doesn't conform to schema")
			.jsonPath("$.errors").isNotEmpty();
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void undescribedPathIs404AndUndescribedMethodIs405WhenStrict() {
		this.client.get().uri("/api/owners").exchange().expectStatus().isNotFound()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		this.client.delete().uri("/api/pets/42").exchange().expectStatus().isEqualTo(405)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(upstream.receivedCount()).isZero();
	}

	private static BodyContentSpec paramInvalid(BodyContentSpec body) {
		return body.jsonPath("$.detail").isEqualTo("request param doesn't conform to schema").jsonPath("$.request_id")
			.isNotEmpty();
	}

}
