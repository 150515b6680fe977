package io.tollgate.reload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration directory is watched: routes, consumers and keys change without a restart, and a change that
 * fails startup's checks is rejected with the running configuration kept. Each test writes its own directory and
 * starts the gateway on it, as an operator would (TOLLGATE_CONFIG_DIR), with the default watch interval.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigReloadTest {

	/** The acceptance bound: a change is in force within 2 s of being written. */
	private static final Duration WITHIN = Duration.ofSeconds(2);

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path dir;

	@Test
	void aRouteAndAKeyAddedToTheDirectoryWorkWithinTwoSecondsAndARemovedKeyStopsWorking() throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);
			assertThat(get(gateway, "/b/1", "bob-key-0002")).isEqualTo(404);

			write(config(ROUTE_A + ROUTE_B, consumer("alice", "alice-key-0001") + consumer("bob", "bob-key-0002")));
			assertThat(within(gateway, "/b/1", "bob-key-0002", (status) -> status == 200))
				.as("the new route and key answer").isTrue();
			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);

			write(config(ROUTE_A + ROUTE_B, consumer("alice", "alice-key-0001") + consumer("bob")));
			assertThat(within(gateway, "/b/1", "bob-key-0002", (status) -> status == 401))
				.as("the removed key is refused").isTrue();
			assertThat(reloads(gateway, "applied")).isEqualTo(2);
		}
	}

	@Test
	void aDuplicateKeyIsRejectedAndTheRunningConfigurationKeepsServing(CapturedOutput output) throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			String version = gateway.getBean(ConfigStatus.class).version();

			write(config(ROUTE_A + ROUTE_B, consumer("alice", "alice-key-0001") + consumer("mallory", "alice-key-0001")));
			assertThat(rejectedWithin(gateway)).isTrue();

			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);
			assertThat(get(gateway, "/b/1", "alice-key-0001")).as("the rejected change's route").isEqualTo(404);
			assertThat(gateway.getBean(ConfigStatus.class).version()).isEqualTo(version);
			assertThat(output).contains("Configuration change rejected")
				.contains("tollgate.consumers[1].api-keys[0]: duplicate API key")
				.doesNotContain("alice-key-0001");
			String health = body(gateway, management(gateway) + "/actuator/health/config", true);
			assertThat(health).contains("\"status\":\"UP\"")
				.contains("\"result\":\"rejected\"")
				.contains("tollgate.consumers[1].api-keys[0]");
		}
	}

	@Test
	void aRouteTheGatewayCannotBuildAndBrokenYamlAreRejectedWithoutQuotingAKey(CapturedOutput output)
			throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			// An unknown predicate: Tollgate's own filter check passes it, the gateway could not build the route.
			write(config(ROUTE_A + ROUTE_B.replace("Path=/b/**", "Pathh=/b/**"), consumer("alice", "alice-key-0001")));
			assertThat(rejectedWithin(gateway)).isTrue();
			assertThat(output).contains("routes[1]: route 'reload-b' cannot be built");
			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);

			// Not YAML at all, on the line of a key: the parser's message would quote the line.
			write(config(ROUTE_A, consumer("alice", "alice-key-0001")).replace("        - key: alice-key-0001",
					"        - key: alice-key-0001: [oops"));
			assertThat(eventually(WITHIN, () -> reloads(gateway, "rejected") >= 2)).isTrue();
			assertThat(output).contains("not valid YAML at line");
			assertThat(output.getAll().lines().filter((line) -> line.contains("rejected")))
				.noneMatch((line) -> line.contains("alice-key-0001"));
			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);
		}
	}

	@Test
	void trustedProxiesReloadAndABadRangeIsRejected() throws Exception {
		String restricted = """
				        - id: restricted
				          uri: %s
				          predicates: [ Path=/ip/** ]
				          filters:
				            - name: IpRestriction
				              args: { allow: [ 10.1.2.3/32 ] }
				""".formatted(upstream.uri());
		String untrusted = config(restricted, consumer("alice"));
		write(untrusted);
		try (ConfigurableApplicationContext gateway = start()) {
			// The test's connection comes from 127.0.0.1, which is not a trusted proxy: its X-Forwarded-For is ignored.
			assertThat(forwardedFor(gateway, "10.1.2.3")).isEqualTo(403);

			write(untrusted.replace("tollgate:\n", "tollgate:\n  client-ip:\n    trusted-proxies: [ 127.0.0.1/32 ]\n"));
			assertThat(eventually(WITHIN, () -> forwardedFor(gateway, "10.1.2.3") == 200)).isTrue();

			write(untrusted.replace("tollgate:\n", "tollgate:\n  client-ip:\n    trusted-proxies: [ 127.0.0.1/33 ]\n"));
			assertThat(rejectedWithin(gateway)).isTrue();
			assertThat(forwardedFor(gateway, "10.1.2.3")).as("the trusted proxies in force stay").isEqualTo(200);
			assertThat(body(gateway, management(gateway) + "/actuator/health/config", true))
				.contains("tollgate.client-ip.trusted-proxies[0]");
		}
	}

	private int forwardedFor(ConfigurableApplicationContext gateway, String client) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + "/ip/1"))
			.header("X-Forwarded-For", client)
			.timeout(Duration.ofSeconds(5))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	@Test
	void adminUsersReloadAndARemovedOneCannotLogInAnyMore() throws Exception {
		String admins = "tollgate:\n  admin:\n    users:\n      - { username: ops, password: ops-password }\n";
		write(config(ROUTE_A, consumer("alice")).replace("tollgate:\n", admins));
		// Admin users from the file only: a list on the command line would outrank the file's as a whole.
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class).run(
				"--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + this.dir,
				"--tollgate.config.watch=false")) {
			String consumers = management(gateway) + "/actuator/consumers";
			assertThat(status(consumers, "ops:ops-password")).isEqualTo(200);
			assertThat(status(consumers, "ops2:second-password")).isEqualTo(401);

			write(config(ROUTE_A, consumer("alice")).replace("tollgate:\n",
					"tollgate:\n  admin:\n    users:\n      - { username: ops2, password: second-password }\n"));
			gateway.getBean(ConfigReloader.class).reload("test");
			assertThat(status(consumers, "ops2:second-password")).isEqualTo(200);
			assertThat(status(consumers, "ops:ops-password")).as("the removed admin").isEqualTo(401);
		}
	}

	private int status(String url, String credentials) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
			.timeout(Duration.ofSeconds(5))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	@Test
	void anUnknownPlanIsRejected() throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			write(config(ROUTE_A, """
					    - username: alice
					      plan: platinum
					      api-keys: [ { key: alice-key-0001 } ]
					"""));
			assertThat(rejectedWithin(gateway)).isTrue();
			assertThat(get(gateway, "/a/1", "alice-key-0001")).isEqualTo(200);
			assertThat(body(gateway, management(gateway) + "/actuator/health/config", true))
				.contains("unknown plan 'platinum'");
		}
	}

	@Test
	void aBrokenSchemaIsRejectedAndTheCompiledOneKeepsValidating() throws Exception {
		Files.writeString(this.dir.resolve("order.json"), """
				{ "type": "object", "required": ["id"] }
				""");
		String validated = """
				        - id: validated
				          uri: %s
				          predicates: [ Path=/v/** ]
				          filters:
				            - name: ValidateRequest
				              args: { body-schema: %s }
				""".formatted(upstream.uri(), this.dir.resolve("order.json"));
		write(config(validated, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			assertThat(post(gateway, "/v/1", "{\"id\": 1}")).isEqualTo(200);
			assertThat(post(gateway, "/v/1", "{}")).isEqualTo(400);

			Files.writeString(this.dir.resolve("order.json"), "{ \"type\": \"object\", ");
			assertThat(rejectedWithin(gateway)).isTrue();
			assertThat(post(gateway, "/v/1", "{\"id\": 1}")).isEqualTo(200);
			assertThat(post(gateway, "/v/1", "{}")).isEqualTo(400);

			// Fixed, and changed: the new schema is compiled and in force.
			Files.writeString(this.dir.resolve("order.json"), """
					{ "type": "object", "required": ["id", "total"] }
					""");
			assertThat(withinPost(gateway, "/v/1", "{\"id\": 1}", (status) -> status == 400)).isTrue();
			assertThat(post(gateway, "/v/1", "{\"id\": 1, \"total\": 2}")).isEqualTo(200);
		}
	}

	@Test
	void refreshOnTheManagementPortReloadsForAdminsOnly() throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start("--tollgate.config.watch=false")) {
			write(config(ROUTE_A + ROUTE_B, consumer("alice", "alice-key-0001")));
			Thread.sleep(1500); // no watch: nothing changes by itself
			assertThat(get(gateway, "/b/1", "alice-key-0001")).isEqualTo(404);

			assertThat(refresh(gateway, false)).isEqualTo(401);
			assertThat(get(gateway, "/b/1", "alice-key-0001")).isEqualTo(404);
			assertThat(refresh(gateway, true)).isEqualTo(200);
			assertThat(within(gateway, "/b/1", "alice-key-0001", (status) -> status == 200)).isTrue();
		}
	}

	@Test
	void theVersionIsAHashOfTheContentShownInInfoAndAsAMetric() throws Exception {
		write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start()) {
			String version = gateway.getBean(ConfigStatus.class).version();
			assertThat(version).matches("[0-9a-f]{12}");
			assertThat(body(gateway, management(gateway) + "/actuator/info", false)).contains(version);
			assertThat(gateway.getBean(MeterRegistry.class).get("tollgate.config.info").tag("version", version).gauge()
				.value()).isEqualTo(1.0);

			write(config(ROUTE_A + ROUTE_B, consumer("alice", "alice-key-0001")));
			assertThat(within(gateway, "/b/1", "alice-key-0001", (status) -> status == 200)).isTrue();
			String next = gateway.getBean(ConfigStatus.class).version();
			assertThat(next).isNotEqualTo(version);
			assertThat(body(gateway, management(gateway) + "/actuator/info", false)).contains(next);
			assertThat(gateway.getBean(MeterRegistry.class).find("tollgate.config.info").tag("version", version).gauge())
				.as("the old version's gauge").isNull();

			// The same content again, written anew: the same version as before.
			write(config(ROUTE_A, consumer("alice", "alice-key-0001")));
			assertThat(within(gateway, "/b/1", "alice-key-0001", (status) -> status == 404)).isTrue();
			assertThat(gateway.getBean(ConfigStatus.class).version()).isEqualTo(version);
		}
	}

	@Test
	void twentyReloadsUnderLoadFailNoRequestAndLimitsKeepCounting() throws Exception {
		String limited = limitedRoute(50);
		write(config(limited, consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext gateway = start("--tollgate.config.watch=false")) {
			ConfigReloader reloader = gateway.getBean(ConfigReloader.class);
			Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
			AtomicBoolean loading = new AtomicBoolean(true);
			List<Thread> clients = new ArrayList<>();
			for (int c = 0; c < 4; c++) {
				Thread client = new Thread(() -> {
					int i = 0;
					while (loading.get()) {
						int status;
						try {
							status = get(gateway, "/r/" + i++, "alice-key-0001");
						}
						catch (Exception ex) {
							status = -1; // a connection failure
						}
						statuses.computeIfAbsent(status, (s) -> new AtomicInteger())
							.incrementAndGet();
					}
				});
				client.start();
				clients.add(client);
			}
			StringBuilder more = new StringBuilder();
			for (int r = 0; r < 20; r++) {
				more.append(consumer("extra-" + r, "extra-key-" + r + "-0001"));
				write(config(limited, consumer("alice", "alice-key-0001") + more));
				reloader.reload("test");
				Thread.sleep(50);
			}
			loading.set(false);
			for (Thread client : clients) {
				client.join(10_000);
			}
			assertThat(reloads(gateway, "applied")).isEqualTo(20);
			assertThat(statuses.keySet()).as("statuses seen").containsOnly(200, 429);
			assertThat(statuses.get(200).get()).as("admitted under a limit of 50 a minute").isEqualTo(50);
			assertThat(get(gateway, "/r/x", "extra-key-19-0001")).as("the last reload's consumer").isEqualTo(200);
		}
	}

	@Test
	void aConsumerWhosePlanChangesKeepsItsUsage() throws Exception {
		String limited = limitedRoute(1000);
		String onGold = """
				    - username: alice
				      plan: gold
				      api-keys: [ { key: alice-key-0001 } ]
				""";
		write(config(limited, onGold).replace("minute: 100 }", "minute: 5 }\n    silver:\n      limits: { minute: 4 }"));
		try (ConfigurableApplicationContext gateway = start("--tollgate.config.watch=false")) {
			for (int i = 0; i < 3; i++) {
				assertThat(get(gateway, "/r/" + i, "alice-key-0001")).isEqualTo(200);
			}
			write(config(limited, onGold.replace("gold", "silver"))
				.replace("minute: 100 }", "minute: 5 }\n    silver:\n      limits: { minute: 4 }"));
			gateway.getBean(ConfigReloader.class).reload("test");
			assertThat(reloads(gateway, "applied")).isEqualTo(1);
			assertThat(get(gateway, "/r/3", "alice-key-0001")).as("the 4th request of 4").isEqualTo(200);
			assertThat(get(gateway, "/r/4", "alice-key-0001")).as("the 5th request of 4").isEqualTo(429);
		}
	}

	@Test
	void rateLimitAndCacheSettingsReloadAndTheStoreStaysStartups(CapturedOutput output) throws Exception {
		// Written the way some operators do (camel case): matched as the same property as fault-tolerant.
		String settings = "tollgate:\n  rateLimiting:\n    faultTolerant: %s\n  response-cache:\n    lock-timeout: %s\n";
		String limited = limitedRoute(50);
		write(config(limited, consumer("alice", "alice-key-0001"))
			.replace("tollgate:\n", settings.formatted(true, "10s")));
		// Redis that does not answer: with fault-tolerant, limits fall back to local counters and traffic passes.
		try (ConfigurableApplicationContext gateway = start("--tollgate.rate-limiting.store=redis",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + ClosedPort.get())) {
			assertThat(get(gateway, "/r/1", "alice-key-0001")).isEqualTo(200);

			write(config(limited, consumer("alice", "alice-key-0001"))
				.replace("tollgate:\n", settings.formatted(false, "2s")));
			assertThat(within(gateway, "/r/2", "alice-key-0001", (status) -> status == 503))
				.as("fault-tolerant: false in force").isTrue();
			// (The settings are in force a moment before the reload is recorded.)
			assertThat(eventually(WITHIN, () -> reloads(gateway, "applied") == 1)).isTrue();
			assertThat(gateway.getBean(ConfigStatus.class).lastReload()).containsEntry("result", "applied")
				.doesNotContainKey("restart-needed-for");
			assertThat(output).doesNotContain("in force only after a restart");

			// The store is built once: a change to it is logged as needing a restart, and the rest still applies.
			write(config(limited, consumer("alice", "alice-key-0001"))
				.replace("tollgate:\n", settings.formatted(true, "2s") + "    store: redis\n"));
			assertThat(within(gateway, "/r/3", "alice-key-0001", (status) -> status == 200))
				.as("fault-tolerant: true again").isTrue();
			assertThat(eventually(WITHIN, () -> reloads(gateway, "applied") == 2)).isTrue();
			assertThat(gateway.getBean(ConfigStatus.class).lastReload()).containsEntry("restart-needed-for",
					List.of("tollgate.response-cache.store"));
		}
	}

	@Test
	void corsPerRouteAndGlobalReloadAndARemovedPatternAllowsNothing() throws Exception {
		String yaml = """
				spring:
				  cloud:
				    gateway:
				      server:
				        webflux:
				%s
				          routes:
				            - id: cors-route
				              uri: %s
				              predicates: [ Path=/c/** ]
				              metadata:
				                cors: { allowedOrigins: "https://%s.example", allowedMethods: [ GET, POST ] }
				            - id: cors-global
				              uri: %s
				              predicates: [ Path=/g/** ]
				""";
		String global = """
				          globalcors:
				            cors-configurations:
				              '[/g/**]': { allowedOrigins: "https://%s.example", allowedMethods: [ GET ] }
				""";
		write(yaml.formatted(global.formatted("one"), upstream.uri(), "app", upstream.uri()));
		try (ConfigurableApplicationContext gateway = start()) {
			assertThat(allowed(gateway, "/c/1", "https://app.example")).isTrue();
			assertThat(allowed(gateway, "/c/1", "https://new.example")).isFalse();
			assertThat(allowed(gateway, "/g/1", "https://one.example")).isTrue();

			write(yaml.formatted(global.formatted("two"), upstream.uri(), "new", upstream.uri()));
			assertThat(eventually(WITHIN, () -> allowed(gateway, "/c/1", "https://new.example")))
				.as("the route's new origin").isTrue();
			assertThat(allowed(gateway, "/c/1", "https://app.example")).as("the route's old origin").isFalse();
			assertThat(eventually(WITHIN, () -> allowed(gateway, "/g/1", "https://two.example")))
				.as("the new global origin").isTrue();
			assertThat(allowed(gateway, "/g/1", "https://one.example")).as("the old global origin").isFalse();

			// The global pattern removed: it allows no origin any more.
			write(yaml.formatted("", upstream.uri(), "new", upstream.uri()));
			assertThat(eventually(WITHIN, () -> reloads(gateway, "applied") == 2)).isTrue();
			Thread.sleep(500); // the routes (and with them the CORS settings) are rebuilt just after
			assertThat(allowed(gateway, "/g/1", "https://two.example")).as("the removed pattern").isFalse();
			assertThat(allowed(gateway, "/c/1", "https://new.example")).as("the route's own, kept").isTrue();
			assertThat(gateway.getBean(ConfigStatus.class).lastReload()).containsEntry("result", "applied")
				.doesNotContainKey("restart-needed-for");
		}
	}

	/** Whether a preflight from the origin is allowed: the answer names it in Access-Control-Allow-Origin. */
	private boolean allowed(ConfigurableApplicationContext gateway, String path, String origin) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + path))
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
			.header("Origin", origin)
			.header("Access-Control-Request-Method", "GET")
			.timeout(Duration.ofSeconds(5))
			.build();
		HttpResponse<Void> response = this.http.send(request, HttpResponse.BodyHandlers.discarding());
		return origin.equals(response.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
	}

	/** A route under KeyAuth and a limit per consumer: /r/**. */
	private static String limitedRoute(int perMinute) {
		return """
				        - id: limited
				          uri: %s
				          predicates: [ Path=/r/** ]
				          filters:
				            - KeyAuth
				            - name: RateLimit
				              args: { minute: %d }
				""".formatted(upstream.uri(), perMinute);
	}

	private static final String ROUTE_A = keyAuthRoute("reload-a", "/a/**");

	private static final String ROUTE_B = keyAuthRoute("reload-b", "/b/**");

	/** A route to the shared upstream under KeyAuth, as an entry of the routes list that {@link #config} takes. */
	static String keyAuthRoute(String id, String path) {
		return """
				        - id: %s
				          uri: %s
				          predicates: [ Path=%s ]
				          filters: [ KeyAuth ]
				""".formatted(id, upstream.uri(), path);
	}

	static String config(String routes, String consumers) {
		return """
				spring:
				  cloud:
				    gateway:
				      server:
				        webflux:
				          routes:
				%s
				tollgate:
				  plans:
				    gold:
				      limits: { minute: 100 }
				  consumers:
				%s
				""".formatted(indent(routes), consumers);
	}

	private static String indent(String routes) {
		return routes.lines().map((line) -> "    " + line).reduce("", (a, b) -> a + b + "\n");
	}

	static String consumer(String username, String... keys) {
		StringBuilder yaml = new StringBuilder("    - username: " + username + "\n      api-keys:");
		if (keys.length == 0) {
			return yaml.append(" []\n").toString();
		}
		yaml.append('\n');
		for (String key : keys) {
			yaml.append("        - key: ").append(key).append('\n');
		}
		return yaml.toString();
	}

	/** Writes application.yml; its modification time moves on even within the file system's time resolution. */
	private void write(String yaml) throws IOException {
		Path file = this.dir.resolve("application.yml");
		FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
		Files.writeString(file, yaml, StandardCharsets.UTF_8);
		if (before != null && !Files.getLastModifiedTime(file).toInstant().isAfter(before.toInstant())) {
			Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusMillis(10)));
		}
	}

	private ConfigurableApplicationContext start(String... more) {
		String[] args = { "--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + this.dir,
				"--tollgate.admin.users[0].username=ops", "--tollgate.admin.users[0].password=ops-password" };
		String[] all = new String[args.length + more.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(more, 0, all, args.length, more.length);
		return new SpringApplicationBuilder(TollgateApplication.class).run(all);
	}

	private int get(ConfigurableApplicationContext gateway, String path, String key) throws Exception {
		return get(this.http, gateway, path, key);
	}

	private int post(ConfigurableApplicationContext gateway, String path, String json) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + path))
			.header("Content-Type", "application/json")
			.timeout(Duration.ofSeconds(5))
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private int refresh(ConfigurableApplicationContext gateway, boolean admin) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(management(gateway) + "/actuator/refresh"))
			.timeout(Duration.ofSeconds(10))
			.POST(HttpRequest.BodyPublishers.noBody());
		if (admin) {
			request.header("Authorization", basic());
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private String body(ConfigurableApplicationContext gateway, String url, boolean admin) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
		if (admin) {
			request.header("Authorization", basic());
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	private static String basic() {
		return "Basic " + Base64.getEncoder().encodeToString("ops:ops-password".getBytes(StandardCharsets.UTF_8));
	}

	/** Polls until the status matches, for at most {@link #WITHIN} from now (the write just before). */
	private boolean within(ConfigurableApplicationContext gateway, String path, String key, IntPredicate status)
			throws Exception {
		return eventually(WITHIN, () -> status.test(get(gateway, path, key)));
	}

	private boolean withinPost(ConfigurableApplicationContext gateway, String path, String json, IntPredicate status)
			throws Exception {
		return eventually(WITHIN, () -> status.test(post(gateway, path, json)));
	}

	private static boolean rejectedWithin(ConfigurableApplicationContext gateway) throws Exception {
		return eventually(WITHIN, () -> reloads(gateway, "rejected") > 0);
	}

	/** Polls the condition every 50 ms until it holds (true) or the time is up (false). */
	static boolean eventually(Duration within, Callable<Boolean> condition) throws Exception {
		Instant deadline = Instant.now().plus(within);
		while (Instant.now().isBefore(deadline)) {
			if (condition.call()) {
				return true;
			}
			Thread.sleep(50);
		}
		return false;
	}

	/** The status of a GET with an API key. */
	static int get(HttpClient http, ConfigurableApplicationContext gateway, String path, String key) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(gateway) + path))
			.header("apikey", key)
			.timeout(Duration.ofSeconds(5))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	static double reloads(ConfigurableApplicationContext gateway, String result) {
		return gateway.getBean(MeterRegistry.class).get("tollgate.config.reloads").tag("result", result).counter().count();
	}

	static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static String management(ConfigurableApplicationContext context) {
		return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port");
	}

}
