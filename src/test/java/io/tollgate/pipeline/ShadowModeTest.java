package io.tollgate.pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.TollgateApplication;
import io.tollgate.reload.ConfigReloader;
import io.tollgate.reload.ConfigStatus;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mode: shadow} on RateLimit, Acl, IpRestriction and ValidateRequest, or {@code tollgate.policies.mode: shadow}
 * for routes without a mode: what they would reject passes, counted exactly per policy and route, without the
 * rejection's headers; a reload to {@code enforce} rejects.
 */
class ShadowModeTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path dir;

	@Test
	void policiesInShadowModeLetThroughWhatTheyWouldRejectAndCountItThenEnforceAfterAReload() throws Exception {
		write("shadow");
		try (ConfigurableApplicationContext gateway = start()) {
			// A limit of 2 a minute: 5 requests pass, 3 counted as would-be rejections, no rate-limit headers.
			List<HttpResponse<Void>> limited = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				limited.add(send(gateway, "/sh/limited/" + i, "198.51.100.7", null));
			}
			assertThat(limited).allMatch((response) -> response.statusCode() == 200)
				.allMatch((response) -> response.headers().firstValue("Retry-After").isEmpty()
						&& response.headers().firstValue("RateLimit-Remaining").isEmpty());
			assertThat(count(gateway, "rate-limit", "sh-limited")).isEqualTo(3);

			// Acl: alice has no group, bob is a partner: alice passes, counted; bob is not counted.
			assertThat(send(gateway, "/sh/acl/1", "198.51.100.8", "alice-secret-key-5678").statusCode()).isEqualTo(200);
			assertThat(send(gateway, "/sh/acl/2", "198.51.100.8", "bob-secret-key-1234").statusCode()).isEqualTo(200);
			assertThat(count(gateway, "acl", "sh-acl")).isEqualTo(1);

			// IpRestriction denying 198.51.100.0/24: passes, counted.
			assertThat(send(gateway, "/sh/ip/1", "198.51.100.9", null).statusCode()).isEqualTo(200);
			assertThat(count(gateway, "ip-restriction", "sh-ip")).isEqualTo(1);

			// ValidateRequest: a body that breaks the schema, and one of a type not allowed, pass (the upstream gets it
			// as sent), each counted once; a valid one is not counted.
			assertThat(post(gateway, "/sh/validate/1", "{\"id\":\"nope\"}", "application/json")).isEqualTo(200);
			assertThat(post(gateway, "/sh/validate/2", "id=1", "text/plain")).isEqualTo(200);
			assertThat(post(gateway, "/sh/validate/3", VALID_ORDER, "application/json")).isEqualTo(200);
			assertThat(count(gateway, "validate-request", "sh-validate")).isEqualTo(2);

			// Switched to enforce by a configuration change: the same requests are rejected.
			write("enforce");
			gateway.getBean(ConfigReloader.class).reload("test");
			List<Integer> enforced = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				enforced.add(send(gateway, "/sh/limited/e" + i, "198.51.100.17", null).statusCode());
			}
			assertThat(enforced).containsExactly(200, 200, 429);
			assertThat(send(gateway, "/sh/acl/3", "198.51.100.8", "alice-secret-key-5678").statusCode()).isEqualTo(403);
			assertThat(send(gateway, "/sh/ip/2", "198.51.100.9", null).statusCode()).isEqualTo(403);
			assertThat(count(gateway, "rate-limit", "sh-limited")).isEqualTo(3);
			assertThat(post(gateway, "/sh/validate/4", "{\"id\":\"nope\"}", "application/json")).isEqualTo(400);
			assertThat(post(gateway, "/sh/validate/5", "id=1", "text/plain")).isEqualTo(415);
			assertThat(count(gateway, "validate-request", "sh-validate")).isEqualTo(2);
		}
	}

	@Test
	void theGatewayWideSwitchShadowsEveryPolicyWithoutAModeOfItsOwnUntilAReloadEnforces() throws Exception {
		writeGlobal("shadow");
		try (ConfigurableApplicationContext gateway = start()) {
			// No mode on the route: the switch's shadow. mode: enforce on the route: enforced regardless.
			assertThat(send(gateway, "/gl/ip/1", "198.51.100.9", null).statusCode()).isEqualTo(200);
			assertThat(send(gateway, "/gl/enforced/1", "198.51.100.9", null).statusCode()).isEqualTo(403);
			assertThat(post(gateway, "/gl/validate/1", "{}", "application/json")).isEqualTo(200);
			assertThat(count(gateway, "ip-restriction", "gl-ip")).isEqualTo(1);
			assertThat(count(gateway, "validate-request", "gl-validate")).isEqualTo(1);

			writeGlobal("enforce");
			gateway.getBean(ConfigReloader.class).reload("test");
			assertThat(send(gateway, "/gl/ip/2", "198.51.100.9", null).statusCode()).isEqualTo(403);
			assertThat(post(gateway, "/gl/validate/2", "{}", "application/json")).isEqualTo(400);

			// A value other than enforce or shadow is rejected at reload, naming the property; enforce stays.
			writeGlobal("dry-run");
			gateway.getBean(ConfigReloader.class).reload("test");
			assertThat(send(gateway, "/gl/ip/3", "198.51.100.9", null).statusCode()).isEqualTo(403);
			assertThat(gateway.getBean(ConfigStatus.class).lastReload()).containsEntry("property", "tollgate.policies.mode")
				.containsEntry("reason", "must be enforce or shadow");
		}
	}

	@Test
	void aRateLimitInShadowModeLetsRequestsThroughWhenItsStoreIsDownAndFaultTolerantIsOff() throws Exception {
		write("shadow");
		try (ConfigurableApplicationContext gateway = start("--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + ClosedPort.get(), "--tollgate.rate-limiting.fault-tolerant=false")) {
			// Enforced, this is a 503 (StrictRedisTest); on trial, the request passes and the outage is counted.
			assertThat(send(gateway, "/sh/limited/1", "198.51.100.27", null).statusCode()).isEqualTo(200);
			assertThat(count(gateway, "rate-limit", "sh-limited")).isEqualTo(1);
		}
	}

	private static final String VALID_ORDER = "{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[{\"sku\":\"abc\",\"qty\":1}]}";

	private void writeGlobal(String mode) throws Exception {
		configure(mode, """
				            - id: gl-ip
				              uri: ${upstream.uri}
				              predicates: [ Path=/gl/ip/** ]
				              filters:
				                - name: IpRestriction
				                  args: { deny: [ 198.51.100.0/24 ] }
				            - id: gl-enforced
				              uri: ${upstream.uri}
				              predicates: [ Path=/gl/enforced/** ]
				              filters:
				                - name: IpRestriction
				                  args: { deny: [ 198.51.100.0/24 ], mode: enforce }
				            - id: gl-validate
				              uri: ${upstream.uri}
				              predicates: [ Path=/gl/validate/** ]
				              filters:
				                - name: ValidateRequest
				                  args: { body-schema: classpath:validation/order.schema.json }
				""");
	}

	@Test
	void anUnknownModeStopsStartupNamingIt() throws Exception {
		write("observe");
		Throwable failure = null;
		try (ConfigurableApplicationContext gateway = start()) {
			// not expected to start
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		assertThat(failure).isNotNull();
		Throwable cause = failure;
		StringBuilder messages = new StringBuilder();
		while (cause != null) {
			messages.append(cause.getMessage()).append('\n');
			cause = cause.getCause();
		}
		assertThat(messages.toString()).contains("routes[0].filters[0].args.mode").contains("must be enforce or shadow");
	}

	private void write(String mode) throws Exception {
		configure("enforce", """
				            - id: sh-limited
				              uri: ${upstream.uri}
				              predicates: [ Path=/sh/limited/** ]
				              filters:
				                - name: RateLimit
				                  args: { minute: 2, limit-by: ip, mode: %1$s }
				            - id: sh-acl
				              uri: ${upstream.uri}
				              predicates: [ Path=/sh/acl/** ]
				              filters:
				                - KeyAuth
				                - name: Acl
				                  args: { allow: [ partners ], mode: %1$s }
				            - id: sh-ip
				              uri: ${upstream.uri}
				              predicates: [ Path=/sh/ip/** ]
				              filters:
				                - name: IpRestriction
				                  args: { deny: [ 198.51.100.0/24 ], mode: %1$s }
				            - id: sh-validate
				              uri: ${upstream.uri}
				              predicates: [ Path=/sh/validate/** ]
				              filters:
				                - name: ValidateRequest
				                  args:
				                    body-schema: classpath:validation/order.schema.json
				                    content-types: [ application/json ]
				                    mode: %1$s
				""".formatted(mode));
	}

	/**
	 * A profile file of the config directory, with these routes and {@code tollgate.policies.mode}: it overrides the
	 * test profile's routes (application-test.yml).
	 */
	private void configure(String policiesMode, String routes) throws Exception {
		Files.writeString(this.dir.resolve("application-test.yml"), """
				tollgate:
				  policies:
				    mode: %s
				  client-ip:
				    trusted-proxies: [ 127.0.0.1/32, "::1/128" ]
				spring:
				  cloud:
				    gateway:
				      server:
				        webflux:
				          routes:
				""".formatted(policiesMode) + routes);
	}

	private ConfigurableApplicationContext start(String... more) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
				"--TOLLGATE_CONFIG_DIR=" + this.dir, "--upstream.uri=" + upstream.uri(), "--refused.port=1"));
		args.addAll(List.of(more));
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test").run(args.toArray(String[]::new));
	}

	private static double count(ConfigurableApplicationContext gateway, String policy, String route) {
		Counter counter = gateway.getBean(MeterRegistry.class)
			.find("tollgate.policy.shadow.rejections")
			.tag("policy", policy)
			.tag("route", route)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static int post(ConfigurableApplicationContext gateway, String path, String body, String type)
			throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(
					"http://127.0.0.1:" + ((WebServerApplicationContext) gateway).getWebServer().getPort() + path))
			.header("Content-Type", type)
			.timeout(Duration.ofSeconds(5))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static HttpResponse<Void> send(ConfigurableApplicationContext gateway, String path, String ip, String key)
			throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create(
					"http://127.0.0.1:" + ((WebServerApplicationContext) gateway).getWebServer().getPort() + path))
			.header("X-Forwarded-For", ip)
			.timeout(Duration.ofSeconds(5));
		if (key != null) {
			request.header("apikey", key);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
	}

}
