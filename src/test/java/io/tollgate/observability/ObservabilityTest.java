package io.tollgate.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** What operators see: access-log lines, Prometheus series, traces, the dashboard, and who may look. */
@ActiveProfiles("observability")
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityTest extends GatewayTest {

	private static final String BOB_KEY = "bob-secret-key-1234";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalManagementPort
	private int managementPort;

	@Test
	void accessLogHasOneJsonLinePerRequestWithoutKeys(CapturedOutput output) {
		String ok = requestId(this.client.get().uri("/o/auth/x?apikey=" + BOB_KEY + "&page=2").exchange());
		// traceparent: 00-<trace id>-<span id>-<flags>
		String okTraceId = upstreamRequest().header("traceparent").get(0).split("-")[1];
		String unauthorized = requestId(this.client.get().uri("/o/auth/x").exchange());
		// alice has no plan: the route's minute: 1 applies (bob's plan would allow two).
		String allowed = requestId(this.client.get().uri("/o/limited/x").header("apikey", "alice-second-key").exchange());
		String limited = requestId(this.client.get().uri("/o/limited/x").header("apikey", "alice-second-key").exchange());
		this.client.get().uri("/o/cached/x").exchange();
		String hit = requestId(this.client.get().uri("/o/cached/x").exchange());
		String failing = requestId(this.client.get().uri("/o/failing/x").exchange());

		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> accessLine(output, failing) != null);
		JsonNode first = accessLine(output, ok);
		assertThat(first.get("route_id").asString()).isEqualTo("o-auth");
		assertThat(first.get("consumer").asString()).isEqualTo("bob");
		assertThat(first.get("credential").asString()).isEqualTo("bob-key");
		assertThat(first.get("status").asInt()).isEqualTo(200);
		assertThat(first.get("method").asString()).isEqualTo("GET");
		assertThat(first.get("path").asString()).isEqualTo("/o/auth/x?apikey=***&page=2");
		assertThat(first.get("client_ip").asString()).isEqualTo("127.0.0.1");
		assertThat(first.get("latency_ms").asDouble()).isPositive();
		assertThat(first.get("upstream_latency_ms").asDouble()).isPositive();
		assertThat(first.get("bytes_out").asLong()).isPositive();
		assertThat(first.has("timestamp") && first.has("bytes_in")).isTrue();
		// Every request has a trace (sampled or not): the line names the one the upstream saw.
		assertThat(first.get("trace_id").asString()).matches("[0-9a-f]{32}").isEqualTo(okTraceId);

		assertThat(accessLine(output, unauthorized).get("status").asInt()).isEqualTo(401);
		assertThat(accessLine(output, unauthorized).get("trace_id").asString()).matches("[0-9a-f]{32}")
			.isNotEqualTo(okTraceId);
		assertThat(accessLine(output, unauthorized).get("upstream_latency_ms").isNull()).isTrue();
		assertThat(accessLine(output, allowed).get("rate_limit").asString()).isEqualTo("allowed");
		assertThat(accessLine(output, limited).get("rate_limit").asString()).isEqualTo("rejected");
		assertThat(accessLine(output, limited).get("status").asInt()).isEqualTo(429);
		assertThat(accessLine(output, hit).get("cache").asString()).isEqualTo("Hit");
		assertThat(accessLine(output, failing).get("status").asInt()).isEqualTo(502);
		assertThat(output.getAll()).doesNotContain(BOB_KEY);
	}

	@Test
	void prometheusEndpointHasGatewayAndTollgateSeries() {
		driveTraffic();

		String metrics = prometheus();
		assertThat(metrics).containsPattern("tollgate_requests_seconds_count\\{[^}]*route=\"o-auth\"[^}]*status=\"401\"")
			.containsPattern("tollgate_requests_seconds_count\\{[^}]*route=\"o-cached\"")
			.contains("tollgate_requests_seconds_bucket{")
			.containsPattern("tollgate_auth_failures_total\\{[^}]*reason=\"no_key\"")
			.containsPattern("tollgate_ratelimit_decisions_total\\{[^}]*outcome=\"rejected\"")
			.containsPattern("tollgate_cache_lookups_total\\{[^}]*result=\"hit\"")
			.containsPattern("tollgate_validation_rejections_total\\{[^}]*status=\"415\"")
			.containsPattern("tollgate_consumer_requests_total\\{[^}]*consumer=\"bob\"")
			.containsPattern("tollgate_consumer_requests_total\\{[^}]*consumer=\"other\"");
	}

	@Test
	void everyMetricTheDashboardQueriesExists() throws Exception {
		driveTraffic();
		String metrics = prometheus();
		JsonNode dashboard = JSON.readTree(Files.readString(Path.of("grafana/dashboards/tollgate.json")));

		Set<String> referenced = new TreeSet<>();
		Pattern name = Pattern.compile("\\b((?:spring_cloud_gateway|tollgate|jvm|process|http_server)_[a-z0-9_]+)");
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				Matcher matcher = name.matcher(target.get("expr").asString());
				while (matcher.find()) {
					referenced.add(matcher.group(1));
				}
			}
		}

		assertThat(referenced).hasSizeGreaterThan(8);
		for (String metric : referenced) {
			assertThat(metrics).as("metric %s from the dashboard", metric).containsPattern("(?m)^" + metric + "[{ ]");
		}
	}

	@Test
	void clientTraceparentReachesTheUpstreamWithTheSameTraceId() {
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		this.client.get().uri("/o/auth/x").header("apikey", BOB_KEY)
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").exchange().expectStatus().isOk();

		// Same trace, with the gateway's own server span as the parent.
		assertThat(upstreamRequest().header("traceparent")).singleElement().asString()
			.startsWith("00-" + traceId + "-")
			.doesNotContain("00f067aa0ba902b7");

		this.client.get().uri("/o/auth/x").header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").exchange()
			.expectStatus().isUnauthorized().expectBody().jsonPath("$.trace_id").isEqualTo(traceId);
	}

	@Test
	void aClientsBaggageHeaderReachesTheUpstreamUnchanged() {
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		this.client.get().uri("/o/auth/x").header("apikey", BOB_KEY)
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
			.header("baggage", "tenant=acme,region=eu%20west;ttl=30")
			.exchange().expectStatus().isOk();

		RecordingUpstream.RecordedRequest request = upstreamRequest();
		assertThat(request.header("baggage")).containsExactly("tenant=acme,region=eu%20west;ttl=30");
		assertThat(request.header("traceparent")).singleElement().asString().startsWith("00-" + traceId + "-");
	}

	@Test
	void requestsWithoutTraceparentStartATraceEvenWhenNotSampled() {
		// Sampling is 0.1 here: most of these are not recorded, yet each carries a trace id upstream.
		for (int i = 0; i < 5; i++) {
			this.client.get().uri("/o/auth/x").header("apikey", BOB_KEY).exchange().expectStatus().isOk();
			assertThat(upstreamRequest().header("traceparent")).singleElement().asString()
				.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
		}
		this.client.get().uri("/o/auth/x").exchange().expectStatus().isUnauthorized().expectBody()
			.jsonPath("$.trace_id").value((String id) -> assertThat(id).matches("[0-9a-f]{32}"));
	}

	@Test
	void managementEndpointsOtherThanHealthNeedCredentials() {
		for (String endpoint : List.of("prometheus", "gateway/routes", "consumers", "ratelimits/bob", "responsecache",
				"metrics", "env")) {
			management().get().uri("/actuator/" + endpoint).exchange().expectStatus().isUnauthorized();
		}
		management().get().uri("/actuator/health").exchange().expectStatus().isOk();
		management().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		management().get().uri("/actuator/prometheus").headers((h) -> h.setBasicAuth("ops", "wrong")).exchange()
			.expectStatus().isUnauthorized();

		String consumers = management().get().uri("/actuator/consumers").headers((h) -> h.setBasicAuth("ops", "ops-password"))
			.exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
		assertThat(consumers).contains("\"username\":\"bob\"").contains("\"apiKeys\":1").doesNotContain(BOB_KEY);
		management().get().uri("/actuator/gateway/routes").headers((h) -> h.setBasicAuth("ops", "ops-password"))
			.exchange().expectStatus().isOk();
	}

	@Test
	void proxyPortIsNotBehindTheAdminSecurity() {
		this.client.get().uri("/o/cached/open").exchange().expectStatus().isOk().expectHeader()
			.doesNotExist("WWW-Authenticate");
	}

	private void driveTraffic() {
		this.client.get().uri("/o/auth/x").header("apikey", BOB_KEY).exchange();
		this.client.get().uri("/o/auth/x").exchange();
		this.client.get().uri("/o/limited/x").header("apikey", "alice-secret-key-5678").exchange();
		this.client.get().uri("/o/limited/x").header("apikey", "alice-secret-key-5678").exchange();
		this.client.get().uri("/o/cached/metrics").exchange();
		this.client.get().uri("/o/cached/metrics").exchange();
		this.client.get().uri("/o/failing/x").exchange();
		this.client.get().uri("/o/service/x").exchange();
		this.client.post().uri("/o/validated/x").contentType(MediaType.TEXT_PLAIN).bodyValue("x").exchange();
		this.client.get().uri("/o/shadow/x").exchange();
		this.client.get().uri("/o/shadow/x").exchange();
	}

	private String prometheus() {
		return management().get().uri("/actuator/prometheus").headers((h) -> h.setBasicAuth("ops", "ops-password"))
			.exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
	}

	private WebTestClient management() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.managementPort).build();
	}

	private static String requestId(WebTestClient.ResponseSpec response) {
		return response.returnResult(String.class).getResponseHeaders().getFirst("X-Request-ID");
	}

	private static JsonNode accessLine(CapturedOutput output, String requestId) {
		for (String line : output.getAll().split("\\R")) {
			if (line.startsWith("{") && line.contains("\"request_id\":\"" + requestId + "\"")) {
				return JSON.readTree(line);
			}
		}
		return null;
	}

}
