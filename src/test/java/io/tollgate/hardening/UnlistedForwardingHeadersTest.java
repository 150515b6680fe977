package io.tollgate.hardening;

import java.util.Locale;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * From a peer that is not a trusted proxy (application-test.yml trusts none), no header in which proxies name the
 * client address, the scheme or the original URL reaches the upstream. Upstreams that read them: PHP's
 * {@code HTTP_CLIENT_IP}, Rails' remote_ip ({@code Client-IP}), Fastly/Akamai-aware apps, Rack and IIS
 * ({@code Front-End-Https}), Werkzeug ({@code X-Url-Scheme}), IIS URL Rewrite and older Symfony/Zend
 * ({@code X-Original-URL}, {@code X-Rewrite-URL}, which replace the path the firewall checked).
 */
class UnlistedForwardingHeadersTest extends GatewayTest {

	@ParameterizedTest
	@ValueSource(strings = { "Client-IP: 198.51.100.7", "X-Cluster-Client-IP: 198.51.100.7",
			"Fastly-Client-IP: 198.51.100.7", "X-Original-Forwarded-For: 198.51.100.7", "Front-End-Https: on",
			"X-Url-Scheme: https", "X-Original-URL: /secure/admin", "X-Rewrite-URL: /secure/admin" })
	void headerThatNamesTheClientTheSchemeOrTheUrlFromAnUntrustedPeerNeverReachesTheUpstream(String line) {
		String name = line.substring(0, line.indexOf(':'));
		this.client.get().uri("/open/x").header(name, line.substring(line.indexOf(':') + 1).trim())
			.exchange().expectStatus().isOk();

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.headers().headerNames().stream().map((n) -> n.toLowerCase(Locale.ROOT)))
			.as(name + " from an untrusted client reached the upstream")
			.doesNotContain(name.toLowerCase(Locale.ROOT));
	}

}
