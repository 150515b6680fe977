package io.tollgate.hardening;

import java.net.InetSocketAddress;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a cloud platform Spring Boot would let Reactor Netty take the remote address from any client's
 * {@code X-Forwarded-For} / {@code Forwarded}; Tollgate's own trusted-proxy rule must be the only reader. No
 * proxy is trusted here, and the platform is forced to Kubernetes.
 */
@TestPropertySource(properties = { "spring.main.cloud-platform=kubernetes",
		"spring.cloud.gateway.server.webflux.routes[0].id=ip",
		"spring.cloud.gateway.server.webflux.routes[0].uri=${upstream.uri}",
		"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/ip/**",
		"spring.cloud.gateway.server.webflux.routes[0].filters[0].name=IpRestriction",
		"spring.cloud.gateway.server.webflux.routes[0].filters[0].args.allow[0]=198.51.100.7/32",
		"spring.cloud.gateway.server.webflux.routes[0].filters[0].args.allow[1]=127.0.0.2/32" })
class ForwardedHeadersOnKubernetesTest extends GatewayTest {

	@Test
	void clientChosenForwardedAddressIsNotBelieved() {
		this.client.get().uri("/ip/x").header("X-Forwarded-For", "198.51.100.7").exchange().expectStatus().isForbidden();
		this.client.get().uri("/ip/x").header("Forwarded", "for=198.51.100.7").exchange().expectStatus().isForbidden();
		this.client.get().uri("/ip/x").header("X-Forwarded-For", "198.51.100.7")
			.header("Forwarded", "for=198.51.100.7;proto=https").exchange().expectStatus().isForbidden();
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void theTcpPeerIsTheClient() {
		WebTestClient fromAllowedPeer = WebTestClient.bindToServer(new ReactorClientHttpConnector(
				HttpClient.create().bindAddress(() -> new InetSocketAddress("127.0.0.2", 0))))
			.baseUrl(this.baseUrl)
			.build();
		fromAllowedPeer.get().uri("/ip/x").header("X-Forwarded-For", "203.0.113.9").exchange().expectStatus().isOk();
		assertThat(upstreamRequest().header("X-Real-IP")).containsExactly("127.0.0.2");
	}

}
