package io.tollgate.acl;

import io.tollgate.testsupport.EdgeTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/** Acl, CORS and the hardening defaults, on real requests. */
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
