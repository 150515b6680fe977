package io.tollgate.hardening;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identity and client-address headers a client may not choose, in every spelling, from a peer that is not a
 * trusted proxy (application-test.yml trusts none).
 */
class SpoofedHeadersTest extends GatewayTest {

	@Test
	void identityHeadersSpeltWithUnderscoresNeverReachTheUpstream() {
		this.client.get().uri("/open/x")
			.header("X_Consumer_Username", "admin")
			.header("x_consumer_id", "1")
			.header("X-Consumer_Groups", "admins")
			.header("X_Credential_Identifier", "k")
			.header("X_Anonymous_Consumer", "false")
			.exchange().expectStatus().isOk();

		assertThat(namesSeenUpstream(upstreamRequest())).noneMatch((name) -> name.contains("consumer")
				|| name.contains("credential"));
	}

	@Test
	void underscoreSpellingDoesNotOverrideTheAuthenticatedIdentity() {
		this.client.get().uri("/keyauth/x").header("apikey", "bob-secret-key-1234")
			.header("X_Consumer_Username", "admin")
			.exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("bob");
		assertThat(namesSeenUpstream(seen)).filteredOn((name) -> name.contains("consumer-username")
				|| name.contains("consumer_username")).containsExactly("x-consumer-username");
	}

	@Test
	void clientAddressHeadersFromAnUntrustedPeerAreReplacedByTheRealAddress() {
		this.client.get().uri("/open/x")
			.header("X-Real-IP", "198.51.100.7")
			.header("True-Client-IP", "198.51.100.7")
			.header("X-Client-IP", "198.51.100.7")
			.header("CF-Connecting-IP", "198.51.100.7")
			.header("X_Real_IP", "198.51.100.7")
			.header("X_Forwarded_For", "198.51.100.7")
			.exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Real-IP")).containsExactly("127.0.0.1");
		assertThat(namesSeenUpstream(seen)).doesNotContain("true-client-ip", "x-client-ip", "cf-connecting-ip",
				"x_real_ip", "x_forwarded_for");
		assertThat(seen.headers().toString()).doesNotContain("198.51.100.7");
	}

	private static java.util.List<String> namesSeenUpstream(RecordedRequest request) {
		return request.headers().headerNames().stream().map((name) -> name.toLowerCase(java.util.Locale.ROOT)).toList();
	}

}
