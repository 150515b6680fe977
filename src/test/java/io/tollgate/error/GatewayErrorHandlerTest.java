package io.tollgate.error;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

/** Errors that Spring Cloud Gateway raises come out as problem+json with the request id. */
class GatewayErrorHandlerTest extends GatewayTest {

	@Test
	void unknownRouteIs404ProblemJson() {
		this.client.get()
			.uri("/no/such/route?apikey=secret-in-query")
			.header("X-Request-ID", "trace-404")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals("X-Request-ID", "trace-404")
			.expectBody()
			.jsonPath("$.type").isEqualTo("about:blank")
			.jsonPath("$.title").isEqualTo("Not Found")
			.jsonPath("$.status").isEqualTo(404)
			.jsonPath("$.detail").isEqualTo("no Route matched with those values")
			.jsonPath("$.instance").isEqualTo("/no/such/route")
			.jsonPath("$.request_id").isEqualTo("trace-404");
	}

	@Test
	void refusedUpstreamConnectionIs502ProblemJson() {
		this.client.get()
			.uri("/refused/x")
			.exchange()
			.expectStatus()
			.isEqualTo(502)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status").isEqualTo(502)
			.jsonPath("$.detail").isEqualTo("An invalid response was received from the upstream server")
			.jsonPath("$.request_id").isNotEmpty();
	}

	@Test
	void upstreamSlowerThanRouteTimeoutIs504ProblemJson() {
		this.client.get()
			.uri("/delay/3000")
			.exchange()
			.expectStatus()
			.isEqualTo(504)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status").isEqualTo(504)
			.jsonPath("$.detail").isEqualTo("The upstream server did not answer in time")
			.jsonPath("$.request_id").isNotEmpty();
	}

	@Test
	void errorBodiesNeverShowStackTracesOrHtml() {
		this.client.get()
			.uri("/no/such/route")
			.accept(MediaType.TEXT_HTML)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(String.class)
			.value((body) -> org.assertj.core.api.Assertions.assertThat(body)
				.doesNotContain("<html", "Whitelabel", "Exception", "\tat "));
	}

}
