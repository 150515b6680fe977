package io.tollgate.upstream;

import java.time.Duration;

import io.tollgate.testsupport.ConsulContractDouble;
import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * lb:// routes on Consul discovery, against the Consul contract double (the real Spring Cloud Consul client talks
 * to it over HTTP): round robin, passing checks only, last known instances while Consul is down.
 */
@ActiveProfiles("upstream")
@TestPropertySource(properties = { "spring.cloud.consul.enabled=true", "spring.cloud.consul.host=127.0.0.1",
		"spring.cloud.loadbalancer.cache.ttl=200ms" })
class ConsulDiscoveryTest extends GatewayTest {

	private static final ConsulContractDouble consul = ConsulContractDouble.start();

	private static final RecordingUpstream first = RecordingUpstream.start();

	private static final RecordingUpstream second = RecordingUpstream.start();

	static {
		consul.register("orders", "orders-1", "127.0.0.1", first.port());
		consul.register("orders", "orders-2", "127.0.0.1", second.port());
	}

	@LocalManagementPort
	private int managementPort;

	@DynamicPropertySource
	static void consul(DynamicPropertyRegistry registry) {
		registry.add("spring.cloud.consul.port", consul::port);
	}

	@AfterAll
	static void stop() {
		first.close();
		second.close();
	}

	@Test
	void roundRobinOverPassingInstancesAndLastKnownInstancesWhileConsulIsDown() {
		// Round robin: ten requests, five each.
		first.clear();
		second.clear();
		send(10);
		assertThat(first.receivedCount()).isEqualTo(5);
		assertThat(second.receivedCount()).isEqualTo(5);
		health("UP");

		// A critical instance gets no traffic once the instance list refreshes.
		consul.setStatus("orders-2", "critical");
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			second.clear();
			send(4);
			assertThat(second.receivedCount()).isZero();
		});

		// Consul gone: routing continues on the last known (passing) instance; health says so.
		consul.close();
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			send(1);
			health("DEGRADED");
		});
		first.clear();
		send(6);
		assertThat(first.receivedCount()).isEqualTo(6);
	}

	private void send(int count) {
		for (int i = 0; i < count; i++) {
			this.client.get().uri("/svc/orders/x").exchange().expectStatus().isOk();
		}
	}

	private void health(String status) {
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			// Never DOWN (503) for a Consul outage: an orchestrator would kill gateways that still route traffic.
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo(status)
			.jsonPath("$.components.upstreamDiscovery.status").isEqualTo(status);
	}

}
