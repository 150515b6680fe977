package io.tollgate.hardening;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing a client chooses may become a meter of its own: 10,000 requests, each with its own method token, path
 * and header value, leave the number of meters where it was, give or take a handful of statuses.
 */
class MeterCardinalityTest extends HardeningTest {

	@Autowired
	MeterRegistry meters;

	@Test
	void distinctMethodsPathsAndHeaderValuesDoNotGrowTheMeters() {
		// Its own connections and event loop: Reactor Netty's global ones are disposed whenever a context closes.
		LoopResources loops = LoopResources.create("cardinality-client", 1, true);
		ConnectionProvider connections = ConnectionProvider.create("cardinality-client", 16);
		// A per-request timeout: this test is about meters; a request that stalls is reported by the fuzz test's
		// invariants, not left to block this one.
		HttpClient http = HttpClient.create(connections)
			.runOn(loops)
			.baseUrl("http://127.0.0.1:" + this.gatewayPort)
			.responseTimeout(Duration.ofSeconds(5));
		int before;
		try {
			// Warm up: the meters of each route and status exist once.
			send(http, 0, 50);
			before = this.meters.getMeters().size();

			send(http, 50, 10_000);
		}
		finally {
			connections.dispose();
			loops.dispose();
		}

		assertThat(this.meters.getMeters().size() - before).isLessThan(20);
		assertThat(this.meters.find("tollgate.requests").timers())
			.allSatisfy((timer) -> assertThat(timer.getId().getTag("method"))
				.matches("GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|OTHER"));
	}

	private static void send(HttpClient http, int from, int count) {
		Flux.range(from, count)
			.flatMap((i) -> http.headers((headers) -> headers.set("X-Tenant", "tenant-" + i).set("apikey", KEY))
				.request(io.netty.handler.codec.http.HttpMethod.valueOf((i % 2 == 0) ? "M" + i : "GET"))
				.uri(((i % 3 == 0) ? "/secure/p" : (i % 3 == 1) ? "/open/p" : "/nothing/p") + i)
				.responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
				.onErrorResume((ex) -> Mono.empty()), 16)
			.then()
			.block(Duration.ofSeconds(120));
	}

}
