package io.tollgate.hardening;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

/**
 * {@code X-Forwarded-Proto} behind an appending trusted proxy: what the client sent stays on the left, what the
 * proxy saw is on the right. Plain HTTP is refused here, so believing the client's left-hand {@code https} would
 * let it through.
 */
@TestPropertySource(properties = { "tollgate.tls.plain-http=refuse", "tollgate.client-ip.trusted-proxies[0]=127.0.0.1/32" })
class ForwardedProtoTest extends GatewayTest {

	@Test
	void clientValueOnTheLeftOfAnAppendedListIsNotBelieved() {
		this.client.get().uri("/open/x").header("X-Forwarded-Proto", "https, http").exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.detail").isEqualTo("HTTPS is required");
	}

	@Test
	void clientHeaderLineBeforeTheProxysLineIsNotBelieved() {
		this.client.get().uri("/open/x").header("X-Forwarded-Proto", "https", "http").exchange().expectStatus().isForbidden();
	}

	@Test
	void httpsAsTheTrustedProxySawItIsServed() {
		this.client.get().uri("/open/x").header("X-Forwarded-Proto", "http, https").exchange().expectStatus().isOk();
	}

}
