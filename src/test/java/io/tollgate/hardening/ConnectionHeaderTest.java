package io.tollgate.hardening;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RawHttp;
import io.tollgate.testsupport.RecordingUpstream.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Cloud Gateway's RemoveHopByHopHeadersFilter (LOWEST_PRECEDENCE - 1) removes every header the client names
 * in {@code Connection}. Headers the gateway itself sets for the upstream must survive that.
 */
class ConnectionHeaderTest extends GatewayTest {

	@LocalServerPort
	int port;

	@Test
	void clientCannotStripTheHeadersTheGatewaySetsByNamingThemInConnection() {
		RawHttp.Response response = RawHttp.send(this.port, "GET", "/anonymous/x",
				"Connection: X-Anonymous-Consumer, X-Consumer-Username, X-Consumer-ID, X-Real-IP, X-Request-ID, traceparent");
		assertThat(response.status()).isEqualTo(200);

		RecordedRequest seen = upstreamRequest();
		assertThat(seen.header("X-Anonymous-Consumer")).as("X-Anonymous-Consumer").containsExactly("true");
		assertThat(seen.header("X-Consumer-Username")).as("X-Consumer-Username").isNotEmpty();
		assertThat(seen.header("X-Real-IP")).as("X-Real-IP").containsExactly("127.0.0.1");
		assertThat(seen.header("X-Request-ID")).as("X-Request-ID").isNotEmpty();
	}

}
