package io.tollgate.keyauth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;

import static org.assertj.core.api.Assertions.assertThat;

/** Kong key-auth behaviour, seen from the client and from the upstream. */
class KeyAuthGatewayFilterFactoryTest extends GatewayTest {

	private static final String BOB_KEY = "bob-secret-key-1234";

	@Test
	void acceptsKeyInHeaderAndTellsUpstreamWhoCalled() {
		this.client.get().uri("/keyauth/orders").header("apikey", BOB_KEY).exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("bob");
		assertThat(seen.header("X-Consumer-Custom-ID")).containsExactly("crm-7");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("bob-key");
		assertThat(seen.header("X-Consumer-Groups")).containsExactly("partners, mobile");
		assertThat(seen.header("X-Consumer-ID")).singleElement().asString().hasSize(36);
		assertThat(seen.header("X-Anonymous-Consumer")).isEmpty();
	}

	@Test
	void acceptsKeyInQueryParameter() {
		this.client.get().uri("/keyauth/orders?apikey=" + BOB_KEY).exchange().expectStatus().isOk();

		assertThat(upstreamRequest().header("X-Consumer-Username")).containsExactly("bob");
	}

	@Test
	void matchesHeaderNameCaseInsensitively() {
		this.client.get().uri("/keyauth/orders").header("APIKEY", BOB_KEY).exchange().expectStatus().isOk();
	}

	@Test
	void acceptsKeyGivenAsSha256DigestAndDefaultsOmittedIds() {
		this.client.get().uri("/keyauth/x").header("apikey", "alice-second-key").exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("alice");
		assertThat(seen.header("X-Consumer-ID")).containsExactly("5e7f1c2a-0000-4000-8000-000000000001");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("alice-key-2");
		assertThat(seen.header("X-Consumer-Custom-ID")).isEmpty();
		assertThat(seen.header("X-Consumer-Groups")).isEmpty();
	}

	@Test
	void configuredUnderscoreNameMatchesDashedHeader() {
		this.client.get().uri("/custom/x").header("api-key", BOB_KEY).exchange().expectStatus().isOk();
		this.client.get().uri("/custom/x").header("api_key", BOB_KEY).exchange().expectStatus().isOk();
	}

	@Test
	void customKeyNamesAreTriedInOrderAndDefaultNameIsNotUsed() {
		this.client.get().uri("/custom/x").header("x-other-key", BOB_KEY).exchange().expectStatus().isOk();
		unauthorized(this.client.get().uri("/custom/x").header("apikey", BOB_KEY).exchange(),
				"No API key found in request");
	}

	@Test
	void rejectsRequestWithoutKeyWith401() {
		unauthorized(this.client.get().uri("/keyauth/orders").exchange(), "No API key found in request")
			.expectHeader()
			.valueEquals("WWW-Authenticate", "Key");
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void treatsEmptyKeyAndValuelessParameterAsMissing() {
		unauthorized(this.client.get().uri("/keyauth/x").header("apikey", "").exchange(),
				"No API key found in request");
		unauthorized(this.client.get().uri("/keyauth/x?apikey").exchange(), "No API key found in request");
	}

	@Test
	void rejectsUnknownKeyWith401() {
		unauthorized(this.client.get().uri("/keyauth/x").header("apikey", "not-a-key").exchange(), "Unauthorized")
			.expectHeader()
			.valueEquals("WWW-Authenticate", "Key");
	}

	@Test
	void rejectsDuplicateKeyHeaderWith401() {
		unauthorized(this.client.get().uri("/keyauth/x").header("apikey", BOB_KEY, BOB_KEY).exchange(),
				"Duplicate API key found");
		unauthorized(this.client.get().uri("/keyauth/x?apikey=" + BOB_KEY + "&apikey=" + BOB_KEY).exchange(),
				"Duplicate API key found");
	}

	@Test
	void emptyQueryValueCountsAsAKeyThatIsEmptyOrDuplicated() {
		unauthorized(this.client.get().uri("/keyauth/x?apikey=").exchange(), "No API key found in request");
		unauthorized(this.client.get().uri("/keyauth/x?apikey=&apikey=" + BOB_KEY).exchange(), "Duplicate API key found");
	}

	@Test
	void emptyValueForTheFirstKeyNameDecidesWithoutTryingTheNext() {
		unauthorized(this.client.get().uri("/custom/x?api_key=").header("X-Other-Key", BOB_KEY).exchange(),
				"No API key found in request");
	}

	@Test
	void spoofedIdentityHeaderIsGoneBeforeRoutePredicatesRun() {
		// Route "probe" matches only requests carrying X-Consumer-Plan: the client's header never gets that far.
		this.client.get().uri("/probe/x").header("X-Consumer-Plan", "platinum").exchange().expectStatus().isNotFound();
	}

	@Test
	void headerDecidesEvenWhenQueryHoldsTheRightKey() {
		unauthorized(this.client.get().uri("/keyauth/x?apikey=" + BOB_KEY).header("apikey", "wrong").exchange(),
				"Unauthorized");
	}

	@Test
	void challengeNamesConfiguredRealm() {
		unauthorized(this.client.get().uri("/realm/x").exchange(), "No API key found in request").expectHeader()
			.valueEquals("WWW-Authenticate", "Key realm=\"test-realm\"");
	}

	@Test
	void hideCredentialsRemovesKeyHeaderBeforeProxying() {
		this.client.get().uri("/hidden/x").header("apikey", BOB_KEY).exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("apikey")).isEmpty();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("bob");
	}

	@Test
	void hideCredentialsRemovesKeyParameterAndKeepsTheOthersAsSent() {
		this.client.get()
			.uri(URI.create(this.baseUrl + "/hidden/request?c=valu%651&b=value2&api%6B%65%79=" + BOB_KEY + "&a=value3"))
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(upstreamRequest().requestUri()).isEqualTo("/hidden/request?c=valu%651&b=value2&a=value3");
	}

	@Test
	void hideCredentialsKeepsBracketedParametersThatAreNotStrictUriSyntax() throws IOException {
		// Sent as raw bytes, exactly as written.
		String status = rawGet("/hidden/request?apikey=" + BOB_KEY + "&a[]=1&b=2");

		assertThat(status).isEqualTo("HTTP/1.1 200 OK");
		assertThat(upstreamRequest().requestUri()).isIn("/hidden/request?a[]=1&b=2", "/hidden/request?a%5B%5D=1&b=2");
	}

	private String rawGet(String target) throws IOException {
		int port = Integer.parseInt(this.baseUrl.substring(this.baseUrl.lastIndexOf(':') + 1));
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(5000);
			socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
		}
	}

	@Test
	void keepsCredentialsForUpstreamByDefault() {
		this.client.get().uri("/keyauth/x?apikey=" + BOB_KEY).header("X-Other", "1").exchange().expectStatus().isOk();

		assertThat(upstreamRequest().query()).isEqualTo("apikey=" + BOB_KEY);
	}

	@Test
	void anonymousConsumerStandsInWhenKeyIsMissingOrWrong() {
		this.client.get().uri("/anonymous/x").exchange().expectStatus().isOk();
		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Anonymous-Consumer")).containsExactly("true");
		assertThat(seen.header("X-Consumer-Username")).containsExactly("no-body");
		assertThat(seen.header("X-Credential-Identifier")).isEmpty();

		this.client.get().uri("/anonymous/x").header("apikey", "wrong").exchange().expectStatus().isOk();
		assertThat(upstreamRequest().header("X-Anonymous-Consumer")).containsExactly("true");
	}

	@Test
	void anonymousRouteStillAuthenticatesARealKey() {
		this.client.get().uri("/anonymous/x").header("apikey", BOB_KEY).exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("bob");
		assertThat(seen.header("X-Anonymous-Consumer")).isEmpty();
	}

	@Test
	void spoofedIdentityHeadersNeverReachUpstreamOnAuthenticatedRoute() {
		this.client.get()
			.uri("/keyauth/x")
			.header("apikey", BOB_KEY)
			.header("X-Consumer-Username", "admin")
			.header("X-Consumer-Plan", "platinum")
			.header("X-Anonymous-Consumer", "false")
			.exchange()
			.expectStatus()
			.isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("bob");
		assertThat(seen.header("X-Consumer-Plan")).isEmpty();
		assertThat(seen.header("X-Anonymous-Consumer")).isEmpty();
	}

	@Test
	void spoofedIdentityHeadersNeverReachUpstreamOnOpenRoute() {
		this.client.get()
			.uri("/open/x")
			.header("X-Consumer-Username", "admin")
			.header("x-consumer-id", "1")
			.header("X-Consumer-Custom-ID", "1")
			.header("X-Consumer-Groups", "admins")
			.header("X-Credential-Identifier", "root")
			.header("X-Anonymous-Consumer", "false")
			.header("X-Consumer-Anything", "else")
			.exchange()
			.expectStatus()
			.isOk();

		RecordedRequest seen = upstreamRequest();
		seen.headers()
			.headerNames()
			.forEach((name) -> assertThat(name.toLowerCase()).doesNotStartWith("x-consumer-")
				.isNotEqualTo("x-credential-identifier")
				.isNotEqualTo("x-anonymous-consumer"));
	}

	private ResponseSpec unauthorized(ResponseSpec response, String detail) {
		response.expectStatus().isEqualTo(HttpStatus.UNAUTHORIZED);
		response.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		response.expectBody()
			.jsonPath("$.status")
			.isEqualTo(401)
			.jsonPath("$.detail")
			.isEqualTo(detail)
			.jsonPath("$.request_id")
			.isNotEmpty();
		return response;
	}

}
