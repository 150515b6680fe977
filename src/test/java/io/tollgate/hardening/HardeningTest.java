package io.tollgate.hardening;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.NormalisingUpstream;
import io.tollgate.testsupport.RawHttp;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the attack tests: the routes of {@code application-hardening.yml} in front of a
 * {@link NormalisingUpstream}, whose "protected" handler ({@code /secure/...} after lenient normalisation) must
 * only ever be reached through the KeyAuth route with a valid key. Subclasses share one application context.
 */
@ActiveProfiles("hardening")
abstract class HardeningTest extends GatewayTest {

	/** bob's key (application-test.yml); bob is in the partners group. */
	static final String KEY = "bob-secret-key-1234";

	static final NormalisingUpstream normalising = new NormalisingUpstream();

	@LocalServerPort
	int gatewayPort;

	@DynamicPropertySource
	static void normalisingUpstream(DynamicPropertyRegistry registry) {
		registry.add("normalising.uri", normalising::uri);
	}

	@BeforeEach
	void clearNormalising() {
		normalising.clear();
	}

	RawHttp.Response raw(String method, String target, String... headerLines) {
		return RawHttp.send(this.gatewayPort, method, target, headerLines);
	}

}
