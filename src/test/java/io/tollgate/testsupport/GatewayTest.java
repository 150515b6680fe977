package io.tollgate.testsupport;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the tests that send real HTTP requests through the gateway (its real port) to a
 * {@link RecordingUpstream}, with the routes and consumers of {@code application-test.yml}. Every subclass
 * shares one application context.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class GatewayTest {

	protected static final RecordingUpstream upstream = RecordingUpstream.shared();

	@LocalServerPort
	private int port;

	protected WebTestClient client;

	/** {@code http://127.0.0.1:<port>}, for requests that must be sent exactly as written ({@code URI.create}). */
	protected String baseUrl;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) {
		registry.add("upstream.uri", upstream::uri);
		registry.add("refused.port", ClosedPort::get);
	}

	@BeforeEach
	void connect() {
		upstream.clear();
		this.baseUrl = "http://127.0.0.1:" + this.port;
		this.client = WebTestClient.bindToServer().baseUrl(this.baseUrl).build();
	}

	/** The next request the upstream received. */
	protected RecordingUpstream.RecordedRequest upstreamRequest() {
		return upstream.takeRequest();
	}

}
