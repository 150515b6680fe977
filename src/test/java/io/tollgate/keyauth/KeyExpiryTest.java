package io.tollgate.keyauth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.tollgate.TollgateApplication;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties;
import io.tollgate.consumer.ConsumerProperties.ApiKeyDefinition;
import io.tollgate.consumer.ConsumerProperties.ConsumerDefinition;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.reload.ConfigReloader;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Keys with an {@code expires-at}: refused from that instant on, as an unknown key would be, in
 * {@code tollgate.consumers} and in the consumers file; rotation is a new key beside the old one.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeyExpiryTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path dir;

	@Test
	void anExpiredKeyIsRefusedLikeAnUnknownOneAndItsSuccessorWorks(CapturedOutput output) throws Exception {
		String config = """
				spring:
				  cloud:
				    gateway:
				      server:
				        webflux:
				          routes:
				            - id: keys
				              uri: %s
				              predicates: [ Path=/k/** ]
				              filters: [ KeyAuth ]
				tollgate:
				  consumers-file: %s
				  consumers:
				    - username: alice
				      api-keys:
				        - id: alice-2025
				          key: alice-old-key-0001
				          expires-at: 2025-12-31T23:59:59Z
				        - id: alice-rotating
				          key: alice-rotating-key-0002
				          expires-at: %s
				        - id: alice-2026
				          key: alice-new-key-0003
				""";
		Path file = this.dir.resolve("application.yml");
		Files.writeString(file, config.formatted(upstream.uri(), this.dir.resolve("consumers.json"), "2999-01-01T00:00:00Z"));
		Files.writeString(this.dir.resolve("consumers.json"), """
				[ { "username": "bob", "api-keys": [
				    { "key": "bob-old-key-0001", "expires-at": "2026-01-01T01:00:00+01:00" },
				    { "key": "bob-new-key-0002", "expires-at": "2999-01-01T00:00:00Z" } ] } ]
				""");
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class).run(
				"--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + this.dir,
				"--logging.level.io.tollgate.keyauth=DEBUG")) {
			HttpResponse<String> expired = get(gateway, "alice-old-key-0001");
			assertThat(expired.statusCode()).isEqualTo(401);
			assertThat(expired.body()).contains("\"detail\":\"Unauthorized\"");
			assertThat(get(gateway, "bob-old-key-0001").statusCode()).as("expired, in the consumers file").isEqualTo(401);
			assertThat(get(gateway, "bob-new-key-0002").statusCode()).isEqualTo(200);

			// Rotation: the old key is given an expiry a few seconds ahead (counted from now, not from a startup of
			// unknown length); it works until then, the new one before and after.
			Instant soon = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
			Files.writeString(file, config.formatted(upstream.uri(), this.dir.resolve("consumers.json"), soon));
			gateway.getBean(ConfigReloader.class).reload("test");
			assertThat(get(gateway, "alice-rotating-key-0002").statusCode()).isEqualTo(200);
			assertThat(get(gateway, "alice-new-key-0003").statusCode()).isEqualTo(200);
			Thread.sleep(Math.max(0, Duration.between(Instant.now(), soon).toMillis()) + 100);
			assertThat(get(gateway, "alice-rotating-key-0002").statusCode()).as("past its expires-at").isEqualTo(401);
			assertThat(get(gateway, "alice-new-key-0003").statusCode()).isEqualTo(200);

			assertThat(output).contains("API key expired: credential 'alice-2025' of consumer 'alice'")
				.contains("API key expired: credential 'alice-rotating' of consumer 'alice'")
				.doesNotContain("alice-old-key-0001")
				.doesNotContain("alice-rotating-key-0002");
		}
	}

	@Test
	void anExpiryThatIsNotADateStopsStartupNamingTheProperty() {
		ConsumerDefinition alice = new ConsumerDefinition("alice", null, null, List.of(), null,
				List.of(new ApiKeyDefinition(null, "alice-key", null, "next tuesday")), List.of());

		InvalidConfigurationException failure = catchThrowableOfType(InvalidConfigurationException.class,
				() -> new ConsumerRegistry(new ConsumerProperties(List.of(alice), null, Map.of())));

		assertThat(failure.property()).isEqualTo("tollgate.consumers[0].api-keys[0].expires-at");
		assertThat(failure.reason()).contains("ISO-8601").doesNotContain("next tuesday");
	}

	@Test
	void anExpiryBeyondWhatMillisecondsHoldNeverExpiresAndAnOffsetlessOneIsRefused() {
		ConsumerDefinition far = new ConsumerDefinition("alice", null, null, List.of(), null,
				List.of(new ApiKeyDefinition(null, "alice-key", null, "+999999999-12-31T23:59:59Z")), List.of());
		ConsumerRegistry registry = new ConsumerRegistry(new ConsumerProperties(List.of(far), null, Map.of()));
		assertThat(registry.findByKey("alice-key").expiredAt(System.currentTimeMillis())).isFalse();

		ConsumerDefinition local = new ConsumerDefinition("bob", null, null, List.of(), null,
				List.of(new ApiKeyDefinition(null, "bob-key", null, "2027-01-31T00:00:00")), List.of());
		InvalidConfigurationException failure = catchThrowableOfType(InvalidConfigurationException.class,
				() -> new ConsumerRegistry(new ConsumerProperties(List.of(local), null, Map.of())));
		assertThat(failure.property()).isEqualTo("tollgate.consumers[0].api-keys[0].expires-at");
	}

	private HttpResponse<String> get(ConfigurableApplicationContext gateway, String key) throws Exception {
		int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/k/1"))
			.header("apikey", key)
			.timeout(Duration.ofSeconds(5))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
