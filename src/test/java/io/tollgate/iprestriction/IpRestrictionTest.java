package io.tollgate.iprestriction;

import java.net.InetSocketAddress;

import io.tollgate.testsupport.EdgeTest;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/** IpRestriction on real requests: the client address it judges, and who may name it. */
class IpRestrictionTest extends EdgeTest {

	@Test
	void ipRestrictionUsesTheForwardedAddressOfATrustedProxy() {
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isOk();
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "2001:db8::5").exchange().expectStatus().isOk();
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.66").exchange().expectStatus().isForbidden()
			.expectBody().jsonPath("$.detail").isEqualTo("Your IP address is not allowed");
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "203.0.113.9").exchange().expectStatus().isForbidden();
		// Without a forwarded address the peer (127.0.0.1) is the client: not allowed.
		this.client.get().uri("/e/ip/x").exchange().expectStatus().isForbidden();
	}

	@Test
	void spoofedForwardedHeaderFromAnUntrustedPeerIsIgnored() {
		// This client connects from 127.0.0.2, which is not a trusted proxy: its X-Forwarded-For is not believed,
		// so it is judged as 127.0.0.2 (not allowed), not as the allowed address it claims.
		WebTestClient untrusted = WebTestClient.bindToServer(new ReactorClientHttpConnector(
				HttpClient.create().bindAddress(() -> new InetSocketAddress("127.0.0.2", 0))))
			.baseUrl(this.baseUrl)
			.build();
		untrusted.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isForbidden();
		// The same claim from the trusted proxy (127.0.0.1) is believed.
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isOk();
	}

	@Test
	void shortcutFormAllowsOneCidr() {
		this.client.get().uri("/e/ip-short/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isOk();
		this.client.get().uri("/e/ip-short/x").header("X-Forwarded-For", "203.0.113.9").exchange().expectStatus()
			.isForbidden();
	}

}
