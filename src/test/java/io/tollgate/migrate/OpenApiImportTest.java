package io.tollgate.migrate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.migrate.KongImportTest.get;
import static io.tollgate.migrate.KongImportTest.start;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code openapi import}: an OpenAPI 3.0 and a 3.1 document become routes (one per path, with its methods) that
 * validate requests against the document and authenticate as its security schemes say; the output starts as is.
 */
class OpenApiImportTest {

	private static RecordingUpstream upstream;

	@TempDir
	Path dir;

	@BeforeAll
	static void startUpstream() {
		upstream = RecordingUpstream.start();
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void anOpenApi30DocumentImportsValidatesAndAuthenticatesByItsSecuritySchemes() throws Exception {
		Path out = importOpenApi("orders-3.0.yaml", 0);
		String yaml = Files.readString(out.resolve("application.yml"));
		// servers[0] with its variable at the default: the base path /v1.
		assertThat(yaml).contains("Path=/v1/orders").contains("Path=/v1/orders/{orderId}").contains("KeyAuth")
			.contains("X-API-Key");
		assertThat(out.resolve("openapi/orders-3.0.yaml")).exists();
		// An operation that only http basic lets in is left out, not written open.
		assertThat(yaml).doesNotContain("/v1/admin");
		assertThat(Files.readString(out.resolve("IMPORT-REPORT.md"))).contains("GET /admin")
			.contains("none of its security requirements can be checked");
		Files.writeString(out.resolve("application.yml"), yaml + """
				tollgate:
				  consumers:
				    - username: shop
				      api-keys:
				        - key: shop-key-0000000001
				""");
		try (ConfigurableApplicationContext gateway = start(out)) {
			Map<String, String> key = Map.of("X-API-Key", "shop-key-0000000001");
			// security: [apiKey] on the document, [] on /health.
			assertThat(get(gateway, "/v1/orders?limit=5", Map.of()).statusCode()).isEqualTo(401);
			assertThat(get(gateway, "/v1/health", Map.of()).statusCode()).isEqualTo(200);
			// Parameters and bodies checked against the document.
			assertThat(get(gateway, "/v1/orders?limit=5", key).statusCode()).isEqualTo(200);
			assertThat(get(gateway, "/v1/orders?limit=500", key).statusCode()).isEqualTo(400);
			assertThat(get(gateway, "/v1/orders/12", key).statusCode()).isEqualTo(200);
			assertThat(get(gateway, "/v1/orders/twelve", key).statusCode()).isEqualTo(400);
			assertThat(postWithKey(gateway, "/v1/orders", "{\"qty\":0}").statusCode()).isEqualTo(400);
			assertThat(postWithKey(gateway, "/v1/orders", "{\"qty\":3}").statusCode()).isEqualTo(200);
			// Paths and methods the document does not have match no route.
			assertThat(get(gateway, "/v1/unknown", key).statusCode()).isEqualTo(404);
			assertThat(get(gateway, "/v1/admin", key).statusCode()).isEqualTo(404);
			assertThat(get(gateway, "/orders?limit=5", key).statusCode()).isEqualTo(404);
		}
	}

	@Test
	void anOpenApi31DocumentImportsAndValidates() throws Exception {
		Path out = importOpenApi("orders-3.1.yaml", 0);
		String yaml = Files.readString(out.resolve("application.yml"));
		// GET needs a bearer token, PUT nothing: two routes for the one path.
		assertThat(yaml).contains("id: getItem").contains("id: putItem").contains("JwtAuth");
		assertThat(Files.readString(out.resolve("IMPORT-REPORT.md"))).contains("http bearer 'bearer'");
		try (ConfigurableApplicationContext gateway = start(out)) {
			assertThat(get(gateway, "/items/7", Map.of()).statusCode()).isEqualTo(401);
			// 3.1 documents are checked with 3.0 semantics by the validator library (README): a required property is.
			assertThat(send(gateway, "/items/7", "{\"other\":1}").statusCode()).isEqualTo(400);
			assertThat(send(gateway, "/items/7", "{\"name\":\"lamp\"}").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void badDocumentsAndMissingArgumentsExitWithTwo() throws Exception {
		Path swagger = Files.writeString(this.dir.resolve("swagger.yaml"), "swagger: \"2.0\"\npaths: {}\n");
		assertThat(run("openapi", "import", swagger.toString(), "--upstream", "http://127.0.0.1:1", "--out",
				this.dir.resolve("o1").toString())).contains("Swagger 2.0: convert it to OpenAPI 3 first");
		Path broken = Files.writeString(this.dir.resolve("broken.yaml"), "openapi: 3.0.3\npaths:\n  /a: [\n");
		assertThat(run("openapi", "import", broken.toString(), "--upstream", "http://127.0.0.1:1", "--out",
				this.dir.resolve("o2").toString())).contains("broken.yaml:4: not valid YAML");
		assertThat(run("openapi", "import", broken.toString(), "--out", this.dir.resolve("o3").toString()))
			.contains("needs --upstream URL");
		assertThat(run("openapi", "import", KongImportTest.resource("features.yml").toString(), "--upstream",
				"ftp://x", "--out", this.dir.resolve("o4").toString())).contains("not an OpenAPI 3 document");
	}

	private String run(String... args) {
		ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		int exit = Commands.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertThat(exit).isEqualTo(2);
		return stderr.toString(StandardCharsets.UTF_8);
	}

	private Path importOpenApi(String name, int expectedExit) throws Exception {
		Path file = Path.of(OpenApiImportTest.class.getResource("/openapi/" + name).toURI());
		Path out = this.dir.resolve("out");
		ByteArrayOutputStream stderr = new ByteArrayOutputStream();
		int exit = Commands.run(new String[] { "openapi", "import", file.toString(), "--upstream", upstream.uri(),
				"--out", out.toString() }, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertThat(exit).as(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
		return out;
	}

	private static HttpResponse<String> postWithKey(ConfigurableApplicationContext gateway, String path,
			String body) throws Exception {
		return KongImportTest.send(gateway, HttpRequest.newBuilder(KongImportTest.uri(gateway, path))
			.header("Content-Type", "application/json")
			.header("X-API-Key", "shop-key-0000000001")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext gateway, String path,
			String body) throws Exception {
		return KongImportTest.send(gateway, HttpRequest.newBuilder(KongImportTest.uri(gateway, path))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(body)));
	}

}
