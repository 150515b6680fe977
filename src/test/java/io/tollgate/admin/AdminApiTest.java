package io.tollgate.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tollgate.TollgateApplication;
import io.tollgate.consumer.Sha256;
import io.tollgate.consumer.StoredConsumer;
import io.tollgate.testsupport.ClosedPort;
import io.tollgate.testsupport.RawRedis;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import io.tollgate.testsupport.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Admin API against two gateway replicas sharing a real Redis: what one is told, the other enforces within a
 * second; Kong's shapes, status codes and a Kong provisioning script; roles, expiry, audit, and bad input.
 */
@ExtendWith({ RealRedis.class, OutputCaptureExtension.class })
class AdminApiTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration WITHIN = Duration.ofSeconds(1);

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static ConfigurableApplicationContext a;

	private static ConfigurableApplicationContext b;

	/**
	 * Contexts a test starts beside the two replicas, closed with them: closing a context disposes Reactor Netty's
	 * global event loops, which every context in this JVM serves on.
	 */
	private static final List<ConfigurableApplicationContext> others = new ArrayList<>();

	@BeforeAll
	static void startReplicas() {
		a = replica();
		b = replica();
	}

	@AfterAll
	static void stopReplicas() {
		others.forEach(ConfigurableApplicationContext::close);
		a.close();
		b.close();
	}

	@Test
	void aKeyCreatedOnOneReplicaWorksOnTheOtherWithinASecondAndStopsWithinASecondOfItsDeletion() throws Exception {
		String user = unique("carol");
		assertThat(admin(a, "POST", "/consumers", "username=" + user).statusCode()).isEqualTo(201);
		HttpResponse<String> created = admin(a, "POST", "/consumers/" + user + "/key-auth", "");
		assertThat(created.statusCode()).isEqualTo(201);
		Map<String, Object> credential = json(created);
		String key = (String) credential.get("key");
		assertThat(key).hasSizeGreaterThanOrEqualTo(32);
		assertThat(credential).containsKeys("id", "created_at", "ttl").containsEntry("ttl", null);

		upstream.clear();
		long start = System.nanoTime();
		eventually(() -> proxy(b, "/adm/key/x", key) == 200);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WITHIN);
		RecordingUpstream.RecordedRequest received = upstream.takeRequest();
		assertThat(received.headers().getFirst("X-Consumer-Username")).isEqualTo(user);
		assertThat(received.headers().getFirst("X-Credential-Identifier")).isEqualTo(credential.get("id"));

		assertThat(admin(a, "DELETE", "/consumers/" + user + "/key-auth/" + credential.get("id"), null).statusCode())
			.isEqualTo(204);
		start = System.nanoTime();
		eventually(() -> proxy(b, "/adm/key/x", key) == 401);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WITHIN);
	}

	@Test
	void aPlanGivenOnOneReplicaLimitsTheConsumerOnTheOther() throws Exception {
		String user = unique("dora");
		String key = "dora-key-" + UUID.randomUUID();
		assertThat(admin(a, "POST", "/consumers", "username=" + user).statusCode()).isEqualTo(201);
		assertThat(admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key).statusCode()).isEqualTo(201);
		HttpResponse<String> plan = admin(a, "PUT", "/consumers/" + user + "/plan", "plan=gold");
		assertThat(plan.statusCode()).isEqualTo(200);
		assertThat(json(plan)).containsEntry("plan", "gold");

		eventually(() -> planOn(b, user).equals("gold"));
		// gold allows 2 a minute, where the route allows 100.
		assertThat(proxy(b, "/adm/limited/1", key)).isEqualTo(200);
		assertThat(proxy(b, "/adm/limited/2", key)).isEqualTo(200);
		assertThat(proxy(b, "/adm/limited/3", key)).isEqualTo(429);

		Map<String, Object> usage = json(admin(b, "GET", "/consumers/" + user + "/usage", null));
		assertThat(usage).containsEntry("plan", "gold");
		assertThat(usage.get("routes").toString()).contains("adm-limited").contains("limit=2");
	}

	@Test
	void aGatewayStartedLaterKnowsEveryRuntimeConsumerFromRedis() throws Exception {
		String user = unique("erin");
		String key = "erin-key-" + UUID.randomUUID();
		assertThat(admin(a, "POST", "/consumers", "{\"username\":\"" + user + "\",\"tags\":[\"t1\"]}", "application/json")
			.statusCode()).isEqualTo(201);
		assertThat(admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key).statusCode()).isEqualTo(201);
		ConfigurableApplicationContext later = replica();
		others.add(later);
		// No wait: the consumers are read before the server takes traffic.
		assertThat(proxy(later, "/adm/key/x", key)).isEqualTo(200);
	}

	@Test
	void anAclGroupGivenAtRunTimeOpensAnAclRoute() throws Exception {
		String user = unique("finn");
		String key = "finn-key-" + UUID.randomUUID();
		admin(a, "POST", "/consumers", "username=" + user);
		admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key);
		eventually(() -> proxy(b, "/adm/acl/x", key) == 403);
		HttpResponse<String> acl = admin(a, "POST", "/consumers/" + user + "/acls", "group=partners");
		assertThat(acl.statusCode()).isEqualTo(201);
		assertThat(json(acl)).containsEntry("group", "partners").containsKeys("id", "created_at", "consumer");
		upstream.clear();
		eventually(() -> proxy(b, "/adm/acl/x", key) == 200);
		assertThat(upstream.takeRequest().headers().getFirst("X-Consumer-Groups")).isEqualTo("partners");
		assertThat(admin(a, "POST", "/consumers/" + user + "/acls", "group=partners").statusCode()).isEqualTo(409);
		assertThat(admin(a, "DELETE", "/consumers/" + user + "/acls/partners", null).statusCode()).isEqualTo(204);
		eventually(() -> proxy(b, "/adm/acl/x", key) == 403);
	}

	@Test
	void aJwtCredentialCreatedAtRunTimeVerifiesTokens() throws Exception {
		String user = unique("gus");
		admin(a, "POST", "/consumers", "username=" + user);
		HttpResponse<String> created = admin(a, "POST", "/consumers/" + user + "/jwt", "algorithm=HS256");
		assertThat(created.statusCode()).isEqualTo(201);
		Map<String, Object> credential = json(created);
		String issuer = (String) credential.get("key");
		String secret = (String) credential.get("secret");
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().issuer(issuer)
			.expirationTime(new Date(System.currentTimeMillis() + 60_000))
			.build());
		jwt.sign(new MACSigner(secret));
		String token = jwt.serialize();
		upstream.clear();
		eventually(() -> proxyBearer(b, "/adm/jwt/x", token) == 200);
		assertThat(upstream.takeRequest().headers().getFirst("X-Consumer-Username")).isEqualTo(user);
		// The secret is shown once, when created.
		assertThat(admin(a, "GET", "/consumers/" + user + "/jwt", null).body()).doesNotContain(secret)
			.contains(issuer);
		assertThat(admin(a, "POST", "/consumers/" + user + "/jwt", "algorithm=HS256&secret=short").statusCode())
			.isEqualTo(400);
	}

	@Test
	void aKongProvisioningScriptRunsUnchangedAndItsKeyWorks() throws Exception {
		String user = unique("kong-user");
		String key = "kong-key-" + UUID.randomUUID();
		Path script = Path.of("src/test/resources/admin/kong-provisioning.sh");
		ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
		builder.environment()
			.putAll(Map.of("KONG_ADMIN_URL", "http://127.0.0.1:" + managementPort(a), "ADMIN_USER", "ops",
					"ADMIN_PASSWORD", "ops-password", "CONSUMER", user, "API_KEY", key));
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(output).isZero();
		assertThat(output).contains("\"username\":\"" + user + "\"").contains("\"custom_id\":\"" + user + "-crm\"")
			.contains("\"group\":\"partners\"").contains("\"tags\":[\"provisioned\"]").contains("\"tags\":[\"generated\"]");
		eventually(() -> proxy(b, "/adm/acl/x", key) == 200);
		Map<String, Object> keys = json(admin(b, "GET", "/consumers/" + user + "/key-auth", null));
		assertThat((List<?>) keys.get("data")).hasSize(2);
		assertThat(keys).containsEntry("next", null);
	}

	@Test
	void aKeyWithATtlOfOneSecondExpires() throws Exception {
		String user = unique("hana");
		String key = "hana-key-" + UUID.randomUUID();
		admin(a, "POST", "/consumers", "username=" + user);
		HttpResponse<String> created = admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key + "&ttl=1");
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(json(created).get("ttl")).isIn(0, 1);
		eventually(() -> proxy(b, "/adm/key/x", key) == 401);
		assertThat(json(admin(a, "GET", "/consumers/" + user + "/key-auth", null)).get("data")).asList().isEmpty();
	}

	@Test
	void rotationKeepsTheOldKeyWorkingUntilItIsDeletedAndLastUsedIsRecorded() throws Exception {
		String user = unique("ivan");
		String oldKey = "ivan-old-" + UUID.randomUUID();
		String newKey = "ivan-new-" + UUID.randomUUID();
		admin(a, "POST", "/consumers", "username=" + user);
		String oldId = (String) json(admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + oldKey)).get("id");
		admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + newKey);
		eventually(() -> proxy(b, "/adm/key/x", newKey) == 200);
		assertThat(proxy(b, "/adm/key/x", oldKey)).isEqualTo(200);
		eventually(() -> admin(a, "GET", "/consumers/" + user + "/key-auth/" + oldId, null).body()
			.matches(".*\"last_used_at\":\\d+.*"));
		admin(a, "DELETE", "/consumers/" + user + "/key-auth/" + oldId, null);
		eventually(() -> proxy(b, "/adm/key/x", oldKey) == 401);
		assertThat(proxy(b, "/adm/key/x", newKey)).isEqualTo(200);
	}

	@Test
	void theReadRoleMayReadButNotWrite() throws Exception {
		assertThat(admin(a, "GET", "/consumers", null, null, "auditor:auditor-password").statusCode()).isEqualTo(200);
		HttpResponse<String> refused = admin(a, "POST", "/consumers", "username=" + unique("nope"), null,
				"auditor:auditor-password");
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(json(refused).get("message").toString()).contains("read");
		assertThat(admin(a, "GET", "/consumers", null, null, "ops:wrong").statusCode()).isEqualTo(401);
	}

	@Test
	void noKeyEverAppearsInLogsOrReadsAndEveryChangeIsAudited(CapturedOutput output) throws Exception {
		String user = unique("jade");
		String key = "jade-secret-" + UUID.randomUUID();
		admin(a, "POST", "/consumers", "username=" + user);
		HttpResponse<String> created = admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key);
		String id = (String) json(created).get("id");
		eventually(() -> proxy(a, "/adm/key/x", key) == 200);
		String reads = admin(a, "GET", "/consumers/" + user + "/key-auth", null).body()
				+ admin(a, "GET", "/consumers/" + user + "/key-auth/" + id, null).body()
				+ admin(a, "GET", "/consumers/" + user, null).body() + admin(a, "GET", "/consumers?size=1000", null).body();
		assertThat(reads).doesNotContain(key).doesNotContain(Sha256.hex(key));
		assertThat(output.getAll()).doesNotContain(key)
			.contains("admin 'ops' from 127.0.0.1: consumer.create consumer '" + user + "'")
			.contains("admin 'ops' from 127.0.0.1: key-auth.create consumer '" + user + "' (credential " + id + ")");
	}

	@Test
	void badInputGetsKongShapedErrorsNeverA500() throws Exception {
		String user = unique("kai");
		String key = "kai-key-" + UUID.randomUUID();
		admin(a, "POST", "/consumers", "username=" + user);
		admin(a, "POST", "/consumers/" + user + "/key-auth", "key=" + key);

		assertError(admin(a, "GET", "/consumers/nobody-" + UUID.randomUUID(), null), 404, "Not found");
		assertError(admin(a, "POST", "/consumers/nobody-" + UUID.randomUUID() + "/key-auth", ""), 404, "Not found");
		assertError(admin(a, "POST", "/consumers", "username=" + user), 409, "UNIQUE violation detected on '{username=");
		assertError(admin(b, "POST", "/consumers/" + user + "/key-auth", "key=" + key), 409, "UNIQUE violation");
		// A key configured in YAML is taken too, and not shown.
		HttpResponse<String> yamlKey = admin(a, "POST", "/consumers/" + user + "/key-auth", "key=bob-secret-key-1234");
		assertError(yamlKey, 409, "UNIQUE violation");
		assertThat(yamlKey.body()).doesNotContain("bob-secret-key-1234");
		assertError(admin(a, "POST", "/consumers", "{\"username\": ", "application/json"), 400, "Cannot parse JSON body");
		assertError(admin(a, "POST", "/consumers", "{}", "application/json"), 400, "schema violation (username");
		assertError(admin(a, "POST", "/consumers", "username=" + "x".repeat(100_000)), 413, "too large");
		assertError(admin(a, "POST", "/consumers", "username=a%0Ab"), 400, "control characters");
		assertError(admin(a, "POST", "/consumers", "<x/>", "application/xml"), 415, "Unsupported Content-Type");
		assertError(admin(a, "POST", "/consumers/" + user + "/key-auth", "ttl=soon"), 400, "ttl");
		assertError(admin(a, "PUT", "/consumers/" + user + "/plan", "plan=platinum"), 400, "unknown plan 'platinum'");
		assertError(admin(a, "PATCH", "/consumers/" + user, "username=other"), 400, "username");
		assertError(admin(a, "GET", "/consumers?size=0", null), 400, "size");
		assertError(admin(a, "GET", "/consumers?offset=***", null), 400, "offset");
		assertError(admin(a, "PUT", "/consumers/" + user + "/key-auth", ""), 405, "Method not allowed");
		assertError(admin(a, "GET", "/consumers/" + user + "/oauth2", null), 405, "Method not allowed");
		// Consumers from configuration are read here, never changed.
		HttpResponse<String> bob = admin(a, "GET", "/consumers/bob", null);
		assertThat(bob.statusCode()).isEqualTo(200);
		assertThat(json(bob)).containsEntry("managed_by", "configuration").containsEntry("plan", "gold");
		assertError(admin(a, "POST", "/consumers", "username=bob"), 409, "UNIQUE violation");
		assertError(admin(a, "PATCH", "/consumers/bob", "custom_id=x"), 409, "managed in configuration");
		assertError(admin(a, "DELETE", "/consumers/bob", null), 409, "managed in configuration");
		assertError(admin(a, "POST", "/consumers/bob/key-auth", ""), 409, "managed in configuration");
	}

	@Test
	void consumersArePagedLikeKongWhateverThePageSize() throws Exception {
		String prefix = unique("page");
		for (int i = 0; i < 3; i++) {
			admin(a, "POST", "/consumers", "username=" + prefix + "-" + i + "&custom_id=" + prefix + "-crm-" + i);
		}
		// 3 consumers come from configuration: a page of 3 ends exactly where they do.
		for (int size : List.of(1, 2, 3, 1000)) {
			int seen = 0;
			int configured = 0;
			String next = "/consumers?size=" + size;
			int pages = 0;
			while (next != null && pages++ < 10_000) {
				Map<String, Object> page = json(admin(a, "GET", next, null));
				assertThat((List<?>) page.get("data")).hasSizeLessThanOrEqualTo(size);
				for (Object consumer : (List<?>) page.get("data")) {
					Map<?, ?> view = (Map<?, ?>) consumer;
					seen += view.get("username").toString().startsWith(prefix) ? 1 : 0;
					configured += "configuration".equals(view.get("managed_by")) ? 1 : 0;
				}
				next = (String) page.get("next");
			}
			assertThat(seen).as("size " + size).isEqualTo(3);
			assertThat(configured).as("size " + size).isEqualTo(3);
		}
		Map<String, Object> found = json(admin(a, "GET", "/consumers?custom_id=" + prefix + "-crm-1", null));
		assertThat((List<?>) found.get("data")).singleElement()
			.satisfies((consumer) -> assertThat(((Map<?, ?>) consumer).get("username")).isEqualTo(prefix + "-1"));
		assertThat((List<?>) json(admin(a, "GET", "/consumers?custom_id=crm-7", null)).get("data")).singleElement()
			.satisfies((consumer) -> assertThat(((Map<?, ?>) consumer).get("username")).isEqualTo("bob"));
		assertThat((List<?>) json(admin(a, "GET", "/consumers?custom_id=nobody-" + prefix, null)).get("data"))
			.isEmpty();
	}

	@Test
	void aChangeSentByABrowserFromAWebPageIsRefused() throws Exception {
		HttpRequest forged = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort(a) + "/consumers"))
			.header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ops:ops-password".getBytes()))
			.header("Origin", "https://evil.example")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("username=" + unique("csrf")))
			.build();
		HttpResponse<String> refused = http.send(forged, HttpResponse.BodyHandlers.ofString());
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(json(refused).get("message").toString()).contains("web page");
	}

	@Test
	void anRs256JwtCredentialTakesItsPublicKeyFromAMultipartFileLikeKongsDocumentation() throws Exception {
		String user = unique("rsa");
		admin(a, "POST", "/consumers", "username=" + user);
		KeyPair keys = TestKeys.rsa();
		Path pem = Files.createTempFile("public", ".pem");
		Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
				+ Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
		Process curl = new ProcessBuilder("curl", "-sS", "-u", "ops:ops-password", "-X", "POST",
				"http://127.0.0.1:" + managementPort(a) + "/consumers/" + user + "/jwt", "-F", "algorithm=RS256",
				"-F", "key=" + user + "-idp", "-F", "rsa_public_key=@" + pem)
			.redirectErrorStream(true)
			.start();
		String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(curl.waitFor()).isZero();
		assertThat(output).contains("\"algorithm\":\"RS256\"").contains("\"key\":\"" + user + "-idp\"");
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder().issuer(user + "-idp")
			.expirationTime(new Date(System.currentTimeMillis() + 60_000))
			.build());
		jwt.sign(new RSASSASigner(keys.getPrivate()));
		String token = jwt.serialize();
		eventually(() -> proxyBearer(b, "/adm/jwt/x", token) == 200);
	}

	@Test
	void withoutRedisTheApiAnswers503AndConfiguredConsumersKeepWorking() throws Exception {
		ConfigurableApplicationContext alone = gateway();
		others.add(alone);
		HttpResponse<String> refused = admin(alone, "POST", "/consumers", "username=" + unique("lia"));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		assertThat(json(refused).get("detail").toString()).contains("no Redis is configured");
		assertThat(proxy(alone, "/adm/key/x", "bob-secret-key-1234")).isEqualTo(200);
	}

	@Test
	void aChangeWhoseNotificationWasLostIsPickedUpByTheResync() throws Exception {
		// Written straight into Redis, as the Admin API's script would, but with no message published.
		String user = unique("lost");
		String key = "lost-key-" + UUID.randomUUID();
		long now = System.currentTimeMillis() / 1000;
		StoredConsumer stored = new StoredConsumer(UUID.randomUUID().toString(), user, null, null, now, null,
				List.of(), List.of(new StoredConsumer.Key(UUID.randomUUID().toString(), Sha256.hex(key), now, null, null)),
				List.of());
		RawRedis.command(RealRedis.server(), "HSET", "{tollgate:consumers}:data", user, stored.toJson());
		RawRedis.command(RealRedis.server(), "INCR", "{tollgate:consumers}:version");
		// sync-interval is 500 ms: the replica finds itself behind at one tick and reloads at the next.
		eventually(() -> proxy(b, "/adm/key/x", key) == 200);
		eventually(() -> proxy(a, "/adm/key/x", key) == 200);
	}

	@Test
	void withRedisDownTheApiAnswers503AndKnownKeysKeepWorking() throws Exception {
		ConfigurableApplicationContext cut = gateway("--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + ClosedPort.get());
		others.add(cut);
		HttpResponse<String> refused = admin(cut, "POST", "/consumers", "username=" + unique("mia"));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(json(refused).get("detail").toString()).contains("Redis").contains("not reachable");
		assertThat(admin(cut, "GET", "/consumers/" + unique("nobody"), null).statusCode()).isEqualTo(503);
		assertThat(proxy(cut, "/adm/key/x", "bob-secret-key-1234")).isEqualTo(200);
	}

	private static void assertError(HttpResponse<String> response, int status, String message) throws IOException {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(json(response).get("message").toString()).as(response.body()).contains(message);
	}

	static ConfigurableApplicationContext replica() {
		RealRedis.Server redis = RealRedis.server();
		return gateway("--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port());
	}

	private static ConfigurableApplicationContext gateway(String... more) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
				"--upstream.uri=" + upstream.uri(), "--refused.port=1"));
		args.addAll(List.of(more));
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("test", "admin")
			.run(args.toArray(String[]::new));
	}

	private static String planOn(ConfigurableApplicationContext context, String user) {
		try {
			Object plan = json(admin(context, "GET", "/consumers/" + user + "/usage", null)).get("plan");
			return String.valueOf(plan);
		}
		catch (Exception ex) {
			return "";
		}
	}

	static String unique(String name) {
		return name + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	static HttpResponse<String> admin(ConfigurableApplicationContext context, String method, String path, String body)
			throws IOException, InterruptedException {
		return admin(context, method, path, body, null);
	}

	static HttpResponse<String> admin(ConfigurableApplicationContext context, String method, String path, String body,
			String contentType) throws IOException, InterruptedException {
		return admin(context, method, path, body, contentType, "ops:ops-password");
	}

	static HttpResponse<String> admin(ConfigurableApplicationContext context, String method, String path, String body,
			String contentType, String credentials) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort(context) + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", (contentType != null) ? contentType : "application/x-www-form-urlencoded");
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	static int proxy(ConfigurableApplicationContext context, String path, String key) {
		return send(context, path, "apikey", key);
	}

	private static int proxyBearer(ConfigurableApplicationContext context, String path, String token) {
		return send(context, path, "Authorization", "Bearer " + token);
	}

	private static int send(ConfigurableApplicationContext context, String path, String header, String value) {
		try {
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + path))
				.timeout(Duration.ofSeconds(10))
				.header(header, value)
				.build();
			return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> json(HttpResponse<String> response) {
		return JSON.readValue(response.body(), Map.class);
	}

	static void eventually(Check check) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!check.holds()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("did not happen within 10 s");
			}
			Thread.sleep(20);
		}
	}

	@FunctionalInterface
	interface Check {

		boolean holds() throws Exception;

	}

	static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	static int managementPort(ConfigurableApplicationContext context) {
		return context.getEnvironment().getProperty("local.management.port", Integer.class);
	}

}
