package io.tollgate.hardening;

import io.tollgate.testsupport.EdgeTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** From a trusted proxy (application-edge.yml trusts loopback) client-address headers are kept. */
class TrustedProxyHeadersTest extends EdgeTest {

	@Test
	void realIpIsTheAddressTheTrustedProxyReportedAndCdnHeadersAreKept() {
		this.client.get().uri("/e/ip/x")
			.header("X-Forwarded-For", "203.0.113.50, 198.51.100.7")
			.header("X-Real-IP", "203.0.113.50")
			.header("True-Client-IP", "203.0.113.50")
			.header("X_Real_IP", "203.0.113.50")
			.exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		// 198.51.100.7 is the right-most untrusted hop: the client. X-Real-IP is the gateway's, never the client's.
		assertThat(seen.header("X-Real-IP")).containsExactly("198.51.100.7");
		assertThat(seen.header("True-Client-IP")).containsExactly("203.0.113.50");
		assertThat(seen.headers().headerNames()).noneMatch((name) -> name.equalsIgnoreCase("X_Real_IP"));
		// Read, then removed: the upstream learns the client from X-Real-IP only.
		assertThat(seen.header("X-Forwarded-For")).isEmpty();
	}

}
