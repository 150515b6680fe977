package io.tollgate.consumer;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumers from {@code tollgate.consumers-file} (a path relative to the working directory) authenticate through the
 * gateway like those of {@code tollgate.consumers}, which keep working beside them.
 */
@TestPropertySource(properties = "tollgate.consumers-file=src/test/resources/consumers/consumers.yml")
class ConsumersFileGatewayTest extends GatewayTest {

	@Test
	void keyGivenAsDigestInTheFileAuthenticatesItsConsumer() {
		this.client.get().uri("/keyauth/x").header("apikey", "carol-secret-key").exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("carol");
		assertThat(seen.header("X-Consumer-Custom-ID")).containsExactly("crm-99");
		assertThat(seen.header("X-Consumer-Groups")).containsExactly("partners");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("carol-key");
		assertThat(seen.header("X-Consumer-ID")).singleElement().asString().hasSize(36);
	}

	@Test
	void plaintextKeyInTheFileAuthenticatesWithDefaultCredentialId() {
		this.client.get().uri("/keyauth/x?apikey=dave-secret-key-0042").exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("dave");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("dave-key-1");
	}

	@Test
	void consumersOfTollgateConsumersStillAuthenticate() {
		this.client.get().uri("/keyauth/x").header("apikey", "bob-secret-key-1234").exchange().expectStatus().isOk();

		assertThat(upstreamRequest().header("X-Consumer-Username")).containsExactly("bob");
	}

	@Test
	void keyNobodyHasIsStillRefused() {
		this.client.get().uri("/keyauth/x").header("apikey", "carol-secret-key-2").exchange().expectStatus()
			.isUnauthorized();

		assertThat(upstream.receivedCount()).isZero();
	}

}
