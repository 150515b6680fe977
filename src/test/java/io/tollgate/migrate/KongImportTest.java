package io.tollgate.migrate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RawHttp;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kong import}: Kong declarative files written for these tests are imported, the output directory starts as
 * it is (no profile, nothing added), and requests get what Kong documents for that configuration.
 */
class KongImportTest {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static RecordingUpstream upstream;

	private static RecordingUpstream second;

	@TempDir
	Path dir;

	@BeforeAll
	static void startUpstream() {
		upstream = RecordingUpstream.start();
		second = RecordingUpstream.start();
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
		second.close();
	}

	@Test
	void everyMappedFeatureBehavesAsKongDocumentsIt() throws Exception {
		Path out = importKong("features.yml", 0);
		String yaml = Files.readString(out.resolve("application.yml"));
		assertThat(Files.readString(out.resolve("IMPORT-REPORT.md"))).contains("add.headers x-literal");
		// Keys only as digests.
		assertThat(yaml).doesNotContain("alice-kong-key-0001").doesNotContain("bob-kong-key-0002")
			.contains("sha256: " + io.tollgate.consumer.Sha256.hex("alice-kong-key-0001"));
		try (ConfigurableApplicationContext gateway = start(out)) {
			// key-auth on the service: no key 401, a wrong one 401, alice's key 200, the key hidden from upstream.
			assertThat(get(gateway, "/orders/1", Map.of()).statusCode()).isEqualTo(401);
			assertThat(get(gateway, "/orders/1", Map.of("apikey", "wrong")).statusCode()).isEqualTo(401);
			HttpResponse<String> orders = get(gateway, "/orders/1?apikey=alice-kong-key-0001",
					Map.of("x-internal", "secret"));
			assertThat(orders.statusCode()).isEqualTo(200);
			// strip_path: /orders stripped, the service's path /api put in front; transformers applied.
			assertThat(orders.body()).contains("\"uri\" : \"/api/1\"")
				.contains("x-from-gateway")
				// A header value with {...} cannot be sent as written (the gateway expands URI variables): left out
				.doesNotContain("x-literal")
				.doesNotContain("x-internal")
				.doesNotContain("alice-kong-key-0001");
			assertThat(orders.headers().firstValue("x-served-by")).hasValue("gateway");
			assertThat(orders.body()).contains("\"X-Consumer-Username\" : \"alice\"")
				.contains("\"X-Consumer-Custom-ID\" : \"crm-1\"");

			// acl: alice is a partner, bob is not.
			assertThat(get(gateway, "/partners", Map.of("apikey", "alice-kong-key-0001")).statusCode()).isEqualTo(200);
			assertThat(get(gateway, "/partners", Map.of("apikey", "bob-kong-key-0002")).statusCode()).isEqualTo(403);

			// strip_path: false keeps the path; a regex path (3.0 "~") matches from the start, anchored by its "$".
			assertThat(get(gateway, "/kept/x", Map.of("apikey", "bob-kong-key-0002")).body())
				.contains("\"uri\" : \"/api/kept/x\"");
			assertThat(get(gateway, "/users/42", Map.of("apikey", "bob-kong-key-0002")).statusCode()).isEqualTo(200);
			assertThat(get(gateway, "/users/42/x", Map.of("apikey", "bob-kong-key-0002")).statusCode())
				.isEqualTo(404);

			// A consumer's rate-limiting plugin: carol's plan (2 a minute) instead of the route's 100.
			List<Integer> carol = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				carol.add(get(gateway, "/orders/c" + i, Map.of("apikey", "carol-kong-key-0003")).statusCode());
			}
			assertThat(carol).containsExactly(200, 200, 429);

			// A service's rate limit (3 a minute by ip) is shared by its routes, as Kong counts it.
			List<Integer> shared = new ArrayList<>();
			for (String path : List.of("/public-a", "/public-b", "/public-a", "/public-b")) {
				shared.add(get(gateway, path, Map.of()).statusCode());
			}
			assertThat(shared).containsExactly(200, 200, 200, 429);

			// ip-restriction, request-size-limiting, request-validator (draft4).
			assertThat(get(gateway, "/blocked", Map.of()).statusCode()).isEqualTo(403);
			assertThat(post(gateway, "/upload", "x".repeat(2048), "text/plain").statusCode()).isEqualTo(413);
			assertThat(post(gateway, "/upload", "x".repeat(512), "text/plain").statusCode()).isEqualTo(200);
			assertThat(post(gateway, "/validated", "{\"qty\":0}", "application/json").statusCode()).isEqualTo(400);
			assertThat(post(gateway, "/validated", "{\"qty\":2}", "application/json").statusCode()).isEqualTo(200);

			// proxy-cache: the second GET is a hit.
			get(gateway, "/cached/a", Map.of());
			assertThat(get(gateway, "/cached/a", Map.of()).headers().firstValue("X-Cache-Status")).hasValue("Hit");

			// cors: a preflight is answered by the gateway.
			HttpResponse<String> preflight = send(gateway, HttpRequest.newBuilder(uri(gateway, "/cors"))
				.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
				.header("Origin", "https://app.example")
				.header("Access-Control-Request-Method", "POST"));
			assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
			assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("600");

			// hosts: only requests for that host match (any port).
			assertThat(get(gateway, "/by-host", Map.of()).statusCode()).isEqualTo(404);
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			assertThat(RawHttp.exchange(port, ("GET /by-host HTTP/1.1\r\nHost: api.example.test:" + port
					+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)).status()).isEqualTo(200);

			// jwt: bob's HS256 credential verifies a token whose iss is its key; the ${HOME} in its secret is literal
			// (written escaped: Spring does not resolve it).
			String token = hs256("{\"iss\":\"bob-issuer\",\"exp\":" + (System.currentTimeMillis() / 1000 + 300) + "}",
					"bob-jwt-secret-${HOME}-32-bytes-long");
			assertThat(get(gateway, "/tokens", Map.of("Authorization", "Bearer " + token)).statusCode())
				.isEqualTo(200);
			assertThat(get(gateway, "/tokens", Map.of()).statusCode()).isEqualTo(401);

			// An upstream with targets weighing 100 and 50: lb:// to static instances, two requests of three to the
			// first.
			upstream.clear();
			second.clear();
			for (int i = 0; i < 30; i++) {
				assertThat(get(gateway, "/balanced/" + i, Map.of()).statusCode()).isEqualTo(200);
			}
			assertThat(upstream.receivedCount()).isEqualTo(20);
			assertThat(second.receivedCount()).isEqualTo(10);
		}
	}

	@Test
	void aTwentyServiceExportImportsAndEveryServiceAnswersWithItsPolicies() throws Exception {
		Path out = importKong("twenty-services.yml", 0);
		try (ConfigurableApplicationContext gateway = start(out)) {
			for (int i = 1; i <= 20; i++) {
				String service = String.format("/svc%02d", i);
				HttpResponse<String> anonymous = get(gateway, service + "/ping", Map.of());
				HttpResponse<String> withKey = get(gateway, service + "/ping", Map.of("x-api-key", "team-03-key-00000003"));
				if (i % 2 == 0) {
					assertThat(anonymous.statusCode()).as(service).isEqualTo(401);
				}
				else {
					assertThat(anonymous.statusCode()).as(service).isEqualTo(200);
				}
				assertThat(withKey.statusCode()).as(service).isEqualTo(200);
				assertThat(withKey.body()).as(service).contains(String.format("\"uri\" : \"/v%d/ping\"", i));
			}
			// A 2.1 path with regex characters is a regex (Kong 2's rule): anchored at the start, here at the end too.
			assertThat(get(gateway, "/items/42", Map.of()).body()).contains("\"uri\" : \"/v1/items/42\"");
			assertThat(get(gateway, "/items/42x", Map.of()).statusCode()).isEqualTo(404);
			// svc-04 allows 4 a minute per consumer; two requests were made above (one refused before counting).
			List<Integer> limited = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				limited.add(get(gateway, "/svc04/x", Map.of("x-api-key", "team-03-key-00000003")).statusCode());
			}
			assertThat(limited).containsExactly(200, 200, 200, 429);
			// The admin routes need the admins group: team-01 has it, team-03 does not; where no auth plugin
			// identifies a consumer (svc-05), acl refuses everyone with 401.
			assertThat(get(gateway, "/svc10-admin", Map.of("x-api-key", "team-01-key-00000001")).statusCode())
				.isEqualTo(200);
			assertThat(get(gateway, "/svc20-admin", Map.of("x-api-key", "team-03-key-00000003")).statusCode())
				.isEqualTo(403);
			assertThat(get(gateway, "/svc05-admin", Map.of("x-api-key", "team-01-key-00000001")).statusCode())
				.isEqualTo(401);
		}
	}

	@Test
	void everythingThatCannotBeMappedIsInTheReportAndStrictFails() throws Exception {
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		Path out = this.dir.resolve("unmapped");
		int exit = Commands.run(new String[] { "kong", "import", resource("unmapped.yml").toString(), "--out",
				out.toString(), "--strict" }, new PrintStream(stdout, true, StandardCharsets.UTF_8),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
		assertThat(exit).isEqualTo(1);
		String report = Files.readString(out.resolve("IMPORT-REPORT.md"));
		assertThat(stdout.toString(StandardCharsets.UTF_8)).contains(report.lines().skip(5).findFirst().orElseThrow());
		assertThat(report).contains("certificates (line 4) | the whole section")
			.contains("route 'legacy'")
			.contains("snis")
			.contains("surprise_field: true")
			.contains("plugin bot-detection")
			.contains("key_in_body: true")
			.contains("mystery_option: 7")
			.contains("year: 100000")
			.contains("rename.headers [x-a:x-b]")
			.contains("add.querystring")
			.contains("maximum_expiration: 3600")
			.contains("request_method [POST]")
			.contains("plugin hmac-auth")
			.contains("enabled: false")
			.contains("hash_on: header")
			.contains("basicauth_credentials")
			.contains("key 'dave-rsa' (RS512)")
			.contains("scoped to consumer 'dave'")
			.contains("write_timeout: 1000")
			.contains("the whole route (it needs basic-auth)");
		// The rest still starts.
		try (ConfigurableApplicationContext gateway = start(out)) {
			assertThat(get(gateway, "/nothing", Map.of()).statusCode()).isEqualTo(404);
			// A route whose authentication has no counterpart is left out, not written open.
			assertThat(get(gateway, "/legacy-basic", Map.of()).statusCode()).isEqualTo(404);
		}
	}

	@Test
	void badInputGetsItsLineAndExitCodeTwoAndWritesNothing() throws Exception {
		assertBadInput("_format_version: \"3.0\"\nservices:\n  - name: a\n    url: [unclosed\n", ":5: not valid YAML");
		assertBadInput("_format_version: \"1.1\"\n", "1: unknown _format_version '1.1'; supported: 2.1, 3.0");
		assertBadInput("services: []\n", ":1: _format_version is missing");
		assertBadInput("_format_version: \"3.0\"\nservices:\n  - name: a\n    url: http://127.0.0.1:9\nplugins:\n"
				+ "  - name: key-auth\n    service: nope\n", ":7: service 'nope' is not in the file");
		assertBadInput("_format_version: \"3.0\"\nkeyauth_credentials:\n  - consumer: ghost\n    key: k\n",
				":3: consumer 'ghost' is not in the file");
		assertBadInput("- just a list\n", "expected a YAML mapping at the top level");
		// Shapes no mapping expects: a message with the line, never a stack trace.
		String service = "_format_version: \"3.0\"\nservices:\n  - name: a\n    url: http://127.0.0.1:9\n";
		assertBadInput(service + "    routes:\n      - paths: [ /a ]\n        headers: [ x ]\n",
				":7: services[0].routes[0].headers must be a mapping");
		assertBadInput(service + "    plugins:\n      - name: rate-limiting\n        config: \"minute=5\"\n",
				":7: services[0].plugins[0].config must be a mapping");
		assertBadInput(service + "    routes:\n      - paths: [ /a ]\n        odd: &loop [ *loop ]\n",
				"nested too deeply (or refers to itself)");
		assertBadInput("_format_version: \"3.0\"\nservices:\n  - name: a\n    url: //no-scheme\n"
				+ "    routes:\n      - paths: [ /a ]\n", ":3: service 'a' has a url without a scheme");
		assertBadInput(service + "    routes:\n      - paths: [ /a ]\n    plugins:\n      - name: key-auth\n"
				+ "        config: { key_names: [ \"#{T(java.lang.Runtime)}\" ] }\n",
				"would be evaluated as a Spring expression");
	}

	private void assertBadInput(String kong, String message) throws Exception {
		Path file = Files.writeString(this.dir.resolve("bad.yml"), kong);
		Path out = this.dir.resolve("bad-out");
		ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		int exit = Commands.run(new String[] { "kong", "import", file.toString(), "--out", out.toString() },
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertThat(exit).isEqualTo(2);
		assertThat(stderr.toString(StandardCharsets.UTF_8)).contains(message);
		assertThat(out).doesNotExist();
	}

	@Test
	void anExistingConfigurationIsNotOverwrittenWithoutForce() throws Exception {
		Path out = Files.createDirectories(this.dir.resolve("existing"));
		Files.writeString(out.resolve("application.yml"), "# mine\n");
		int exit = Commands.run(new String[] { "kong", "import", resource("unmapped.yml").toString(), "--out",
				out.toString() }, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
		assertThat(exit).isEqualTo(2);
		assertThat(Files.readString(out.resolve("application.yml"))).isEqualTo("# mine\n");
	}

	@Test
	void otherArgumentsAreNotACommand() {
		assertThat(Commands.run(new String[] { "--server.port=0" }, System.out, System.err)).isNull();
		assertThat(Commands.run(new String[] {}, System.out, System.err)).isNull();
		assertThat(Commands.run(new String[] { "kong" }, System.out, System.err)).isNull();
	}

	/** Imports a resource with UPSTREAM replaced by the loopback upstream; asserts the exit code. */
	private Path importKong(String name, int expectedExit) throws Exception {
		String text = Files.readString(resource(name))
			.replace("UPSTREAM_HOST", "127.0.0.1")
			.replace("UPSTREAM_PORT", Integer.toString(upstream.port()))
			.replace("SECOND_UPSTREAM", "127.0.0.1:" + second.port())
			.replace("UPSTREAM", "127.0.0.1:" + upstream.port());
		Path file = Files.writeString(this.dir.resolve(name), text);
		Path out = this.dir.resolve("out-" + name);
		ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		int exit = Commands.run(new String[] { "kong", "import", file.toString(), "--out", out.toString() },
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertThat(exit).as(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
		return out;
	}

	static Path resource(String name) throws Exception {
		return Path.of(KongImportTest.class.getResource("/kong/" + name).toURI());
	}

	/** The imported directory as it is: no profile, nothing but ports added. */
	static ConfigurableApplicationContext start(Path configDir) {
		return new SpringApplicationBuilder(TollgateApplication.class).run("--server.port=0",
				"--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + configDir);
	}

	static URI uri(ConfigurableApplicationContext gateway, String path) {
		int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + path);
	}

	static HttpResponse<String> get(ConfigurableApplicationContext gateway, String path, Map<String, String> headers)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(gateway, path)).timeout(Duration.ofSeconds(10));
		headers.forEach(request::header);
		return send(gateway, request);
	}

	static HttpResponse<String> post(ConfigurableApplicationContext gateway, String path, String body, String type)
			throws Exception {
		return send(gateway, HttpRequest.newBuilder(uri(gateway, path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", type)
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	static HttpResponse<String> send(ConfigurableApplicationContext gateway, HttpRequest.Builder request)
			throws Exception {
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String hs256(String claims, String secret) throws Exception {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		String signingInput = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
				+ "." + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return signingInput + "." + base64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
	}

}
