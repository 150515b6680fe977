package io.tollgate.acl;

import java.net.InetSocketAddress;

import io.tollgate.testsupport.EdgeTest;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Acl, IpRestriction, CORS and the hardening defaults, on real requests. */
class AclAndEdgeTest extends EdgeTest {

	@Test
	void aclLetsAConsumerOfAnAllowedGroupThrough() {
		this.client.get().uri("/e/acl/x").header("apikey", "carol-secret-key-0003").exchange().expectStatus().isOk();
		assertThat(upstreamRequest().header("X-Consumer-Groups")).containsExactly("partners");
	}

	@Test
	void aclRefusesAConsumerOfNoAllowedGroup() {
		// erin is in staff only: not allowed. carol has no key here; dave is a partner but suspended.
		this.client.get().uri("/e/acl/x").header("apikey", "erin-secret-key-0002").exchange().expectStatus().isForbidden()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").isEqualTo("You cannot consume this service");
	}

	@Test
	void aclDenyWinsOverAllow() {
		this.client.get().uri("/e/acl/x").header("apikey", "dave-secret-key-0001").exchange().expectStatus().isForbidden();
	}

	@Test
	void aclWithoutAuthenticatedConsumerIs401() {
		this.client.get().uri("/e/acl-noauth/x").exchange().expectStatus().isUnauthorized();
	}

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
	void corsPreflightIsAnsweredBeforeAuth() {
		this.client.method(HttpMethod.OPTIONS).uri("/e/cors/x").header("Origin", "https://app.example")
			.header("Access-Control-Request-Method", "POST").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example")
			.expectHeader().exists("Access-Control-Allow-Methods");
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void corsRequestWithAuthGetsCorsHeadersAndWithoutAuth401() {
		this.client.get().uri("/e/cors/x").header("Origin", "https://app.example").header("apikey", "erin-secret-key-0002")
			.exchange().expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example");
		this.client.get().uri("/e/cors/x").header("Origin", "https://app.example").exchange().expectStatus().isUnauthorized();
		this.client.method(HttpMethod.OPTIONS).uri("/e/cors/x").header("Origin", "https://evil.example")
			.header("Access-Control-Request-Method", "POST").exchange().expectStatus().isForbidden();
	}

	@Test
	void securityHeadersAreOnAndNoServerVersionIsRevealed() {
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isOk()
			.expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
			.expectHeader().exists("Strict-Transport-Security")
			.expectHeader().valueEquals("X-Frame-Options", "DENY")
			.expectHeader().doesNotExist("Server");
	}

	@Test
	void oversizedRequestHeadersAreRefused() {
		this.client.get().uri("/e/ip/x").header("X-Forwarded-For", "198.51.100.7").header("X-Big", "x".repeat(20_000))
			.exchange().expectStatus().value((status) -> assertThat(status).isIn(413, 431));
	}

}
