package io.tollgate.edge;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/** Which address counts as the client's, behind trusted proxies and without them. */
class ClientIpTest {

	private final ClientIp behindProxies = new ClientIp(
			new ClientIpProperties(List.of("10.0.0.0/8", "2001:db8::/32"), "X-Forwarded-For"));

	@Test
	void peerIsTheClientWhenItIsNotATrustedProxy() {
		assertThat(this.behindProxies.of(from("203.0.113.5", "X-Forwarded-For", "1.2.3.4"))).isEqualTo("203.0.113.5");
	}

	@Test
	void rightMostUntrustedForwardedAddressIsTheClient() {
		assertThat(this.behindProxies.of(from("10.0.0.1", "X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.1.1")))
			.isEqualTo("198.51.100.7");
	}

	@Test
	void forwardedAddressesWithPortsOrBracketsAreUnderstood() {
		assertThat(this.behindProxies.of(from("10.0.0.1", "X-Forwarded-For", "198.51.100.7:5123"))).isEqualTo("198.51.100.7");
		assertThat(this.behindProxies.of(from("10.0.0.1", "X-Forwarded-For", "[2001:db9::1]:443")))
			.isEqualTo("2001:db9:0:0:0:0:0:1");
	}

	@Test
	void hostNamesAreNeverResolvedAndStopTheWalk() {
		assertThat(this.behindProxies.of(from("10.0.0.1", "X-Forwarded-For", "198.51.100.7, evil.example, 10.2.2.2")))
			.isEqualTo("10.2.2.2");
	}

	@Test
	void realIpHeaderIsTakenFromATrustedProxy() {
		ClientIp realIp = new ClientIp(new ClientIpProperties(List.of("10.0.0.0/8"), "X-Real-IP"));
		assertThat(realIp.of(from("10.0.0.1", "X-Real-IP", "198.51.100.9"))).isEqualTo("198.51.100.9");
	}

	@Test
	void withoutTrustedProxiesForwardedHeadersAreIgnored() {
		ClientIp direct = new ClientIp(new ClientIpProperties(List.of(), "X-Forwarded-For"));
		assertThat(direct.of(from("127.0.0.1", "X-Forwarded-For", "198.51.100.9"))).isEqualTo("127.0.0.1");
	}

	private static MockServerWebExchange from(String peer, String header, String value) {
		return MockServerWebExchange.from(MockServerHttpRequest.get("/x")
			.remoteAddress(new InetSocketAddress(peer, 40000))
			.header(header, value));
	}

}
