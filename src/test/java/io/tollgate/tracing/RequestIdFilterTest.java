package io.tollgate.tracing;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdFilterTest extends GatewayTest {

	@Test
	void keepsValidClientRequestIdAndSendsItUpstream() {
		this.client.get()
			.uri("/open/x")
			.header("X-Request-ID", "abc.DEF_123-xyz")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("X-Request-ID", "abc.DEF_123-xyz");

		assertThat(upstreamRequest().header("X-Request-ID")).containsExactly("abc.DEF_123-xyz");
	}

	@Test
	void generatesRequestIdWhenClientSendsNone() {
		String id = this.client.get()
			.uri("/open/x")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("X-Request-ID");

		assertThat(id).matches("[0-9a-f]{32}");
		assertThat(upstreamRequest().header("X-Request-ID")).containsExactly(id);
	}

	@Test
	void replacesClientRequestIdWithBadCharactersOrOver128Characters() {
		for (String bad : new String[] { "has space", "semi;colon", "x".repeat(129) }) {
			String id = this.client.get()
				.uri("/open/x")
				.header("X-Request-ID", bad)
				.exchange()
				.returnResult(String.class)
				.getResponseHeaders()
				.getFirst("X-Request-ID");

			assertThat(id).matches("[0-9a-f]{32}");
			assertThat(upstreamRequest().header("X-Request-ID")).containsExactly(id);
		}
	}

	@Test
	void acceptsRequestIdOfExactly128Characters() {
		String longest = "a".repeat(128);
		this.client.get()
			.uri("/open/x")
			.header("X-Request-ID", longest)
			.exchange()
			.expectHeader()
			.valueEquals("X-Request-ID", longest);
		upstreamRequest();
	}

	@Test
	void errorBodyCarriesTheResponseRequestId() {
		var result = this.client.get().uri("/keyauth/x").exchange().expectBody(String.class).returnResult();
		String id = result.getResponseHeaders().getFirst("X-Request-ID");

		assertThat(id).isNotEmpty();
		assertThat(result.getResponseBody()).contains("\"request_id\":\"" + id + "\"");
	}

}
