package io.tollgate;

import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo of {@code ./mvnw spring-boot:run}: config-repo/application-demo.yml, imported through
 * {@code spring.config.import}, answers the README's curl tour.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
class DemoConfigurationTest {

	private static final RecordingUpstream upstream = RecordingUpstream.start();

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	private WebTestClient client;

	@DynamicPropertySource
	static void demoUpstream(DynamicPropertyRegistry registry) {
		registry.add("demo.upstream", upstream::uri);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@BeforeEach
	void connect() {
		upstream.clear();
		this.client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).build();
	}

	@Test
	void openRouteProxiesWithoutCredentials() {
		this.client.get().uri("/open/hello").exchange().expectStatus().isOk();
		assertThat(upstream.takeRequest().path()).isEqualTo("/open/hello");
	}

	@Test
	void secureRouteRejectsMissingKeyWithDemoRealm() {
		this.client.get()
			.uri("/secure/hello")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals("WWW-Authenticate", "Key realm=\"demo\"");
	}

	@Test
	void secureRouteAcceptsDemoKeyAndHidesIt() {
		this.client.get().uri("/secure/hello?apikey=demo-secret-key").exchange().expectStatus().isOk();

		RecordingUpstream.RecordedRequest seen = upstream.takeRequest();
		assertThat(seen.requestUri()).isEqualTo("/secure/hello");
		assertThat(seen.header("X-Consumer-Username")).containsExactly("demo-user");
		assertThat(seen.header("X-Credential-Identifier")).containsExactly("demo-key");
	}

	@Test
	void guestRouteFallsBackToAnonymousConsumer() {
		this.client.get().uri("/guest/hello").exchange().expectStatus().isOk();

		RecordingUpstream.RecordedRequest seen = upstream.takeRequest();
		assertThat(seen.header("X-Consumer-Username")).containsExactly("guest");
		assertThat(seen.header("X-Anonymous-Consumer")).containsExactly("true");
	}

	@Test
	void infoTellsTheVersionAndTheCommit() {
		WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.managementPort).build()
			.get().uri("/actuator/info").exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.build.version").isNotEmpty()
			.jsonPath("$.git.commit.id").isNotEmpty();
	}

}
