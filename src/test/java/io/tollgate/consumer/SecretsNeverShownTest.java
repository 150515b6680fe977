package io.tollgate.consumer;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys never show up in logs or actuator endpoints, even with the most talkative settings: Tollgate's own
 * logging at TRACE and {@code env}/{@code configprops} exposed with {@code show-values: always}.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "management.endpoints.web.exposure.include=health,info,env,configprops",
		"management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always",
		"logging.level.io.tollgate=TRACE", "MOBILE_APP_KEY=bob-secret-key-1234",
		"some.other.property=D5047BA54BE255B8BEE37BBE446880331295BB4D3A2CFADFCC57B7802867E3DF" })
class SecretsNeverShownTest extends GatewayTest {

	private static final String BOB_KEY = "bob-secret-key-1234";

	private static final String ALICE_DIGEST = "D5047BA54BE255B8BEE37BBE446880331295BB4D3A2CFADFCC57B7802867E3DF";

	@LocalManagementPort
	private int managementPort;

	@Test
	void keysNeverAppearInLogsDuringSuccessfulOrFailedAuthentication(CapturedOutput output) {
		this.client.get().uri("/keyauth/x").header("apikey", BOB_KEY).exchange().expectStatus().isOk();
		this.client.get().uri("/keyauth/x?apikey=" + BOB_KEY).exchange().expectStatus().isOk();
		this.client.get().uri("/keyauth/x").header("apikey", BOB_KEY + "-wrong").exchange().expectStatus().isUnauthorized();
		this.client.get().uri("/keyauth/x?apikey=" + BOB_KEY + "-wrong").exchange().expectStatus().isUnauthorized();
		this.client.get().uri("/keyauth/x").header("apikey", BOB_KEY, BOB_KEY).exchange().expectStatus().isUnauthorized();
		this.client.get().uri("/refused/x?apikey=" + BOB_KEY).exchange().expectStatus().isEqualTo(502);

		assertThat(output.getAll()).isNotEmpty().doesNotContain(BOB_KEY);
	}

	@Test
	void errorBodiesNeverEchoTheKey() {
		this.client.get()
			.uri("/keyauth/x?apikey=" + BOB_KEY + "-wrong")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectBody(String.class)
			.value((body) -> assertThat(body).doesNotContain(BOB_KEY));
	}

	@Test
	void envEndpointMasksKeysAndDigests() {
		String env = management().get().uri("/actuator/env").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();

		// Masked by name (the key property) and by value (a variable that holds a key or a digest).
		assertThat(env).contains("tollgate.consumers[0].api-keys[0].key").contains("MOBILE_APP_KEY")
			.contains("some.other.property").doesNotContain(BOB_KEY).doesNotContain(ALICE_DIGEST);
	}

	@Test
	void configpropsEndpointMasksKeysAndDigests() {
		String configprops = management().get().uri("/actuator/configprops").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();

		assertThat(configprops).contains("\"username\":\"bob\"").doesNotContain(BOB_KEY).doesNotContain(ALICE_DIGEST);
	}

	private WebTestClient management() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.defaultHeaders((headers) -> headers.setBasicAuth("ops", "ops-password"))
			.build();
	}

}
