package io.tollgate.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tollgate.TollgateApplication;
import io.tollgate.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A bad consumer or route configuration stops startup with a report that names the property. */
@ExtendWith(OutputCaptureExtension.class)
class ConsumerConfigurationStartupTest {

	private static final String SECRET = "do-not-print-this-key";

	@Test
	void duplicateUsernameStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[1].username", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[1].username=bob");
	}

	@Test
	void emptyUsernameStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].username", output, "tollgate.consumers[0].custom-id=x");
	}

	@Test
	void duplicateKeyStopsStartupWithoutPrintingTheKey(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[1].api-keys[0]", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].key=" + SECRET, "tollgate.consumers[1].username=alice",
				"tollgate.consumers[1].api-keys[0].key=" + SECRET);
		assertThat(output).doesNotContain(SECRET);
	}

	@Test
	void duplicateKeyGivenOnceAsDigestStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].api-keys[1]", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].key=abc",
				"tollgate.consumers[0].api-keys[1].sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}

	@Test
	void duplicateCredentialIdStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[1].api-keys[0].id", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].id=shared", "tollgate.consumers[0].api-keys[0].key=k1",
				"tollgate.consumers[1].username=alice", "tollgate.consumers[1].api-keys[0].id=shared",
				"tollgate.consumers[1].api-keys[0].key=k2");
	}

	@Test
	void emptyKeyStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].api-keys[0].key", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].key=");
	}

	@Test
	void unresolvedKeyPlaceholderStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].api-keys[0].key", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].key=${TOLLGATE_TEST_UNSET_VARIABLE}");
	}

	@Test
	void malformedSha256StopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].api-keys[0].sha256", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].api-keys[0].sha256=not-hex");
	}

	@Test
	void unknownPlanStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("tollgate.consumers[0].plan", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers[0].plan=platinum");
	}

	@Test
	void anonymousConsumerThatDoesNotExistStopsStartup(CapturedOutput output) {
		assertStartupFailsOn("spring.cloud.gateway.server.webflux.routes[0].filters[0].args.anonymous", output,
				"tollgate.consumers[0].username=bob", "spring.cloud.gateway.server.webflux.routes[0].id=r",
				"spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:1",
				"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/x",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0].name=KeyAuth",
				"spring.cloud.gateway.server.webflux.routes[0].filters[0].args.anonymous=ghost");
	}

	@Test
	void usernameInTollgateConsumersAndTheConsumersFileStopsStartupNamingTheFile(CapturedOutput output,
			@TempDir Path dir) throws IOException {
		Path file = Files.writeString(dir.resolve("consumers.yml"), "- username: alice\n- username: bob\n");

		assertStartupFailsOn("tollgate.consumers-file", output, "tollgate.consumers[0].username=bob",
				"tollgate.consumers-file=" + file);
		assertThat(output).contains(file + ": [1].username (consumer 'bob', entry at line 2): duplicate username 'bob'");
	}

	@Test
	void malformedConsumersFileStopsStartupNamingTheFile(CapturedOutput output, @TempDir Path dir) throws IOException {
		Path file = Files.writeString(dir.resolve("consumers.json"), "[ { \"username\": \"bob\", } ]");

		assertStartupFailsOn("tollgate.consumers-file", output, "tollgate.consumers-file=" + file);
		assertThat(output).contains(file + ": not valid JSON at line 1");
	}

	@Test
	void startupFailureExitsNonZeroAndNamesTheProperty() throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), TollgateApplication.class.getName(),
				"--server.port=0", "--management.server.port=0", "--tollgate.consumers[0].username=bob",
				"--tollgate.consumers[0].plan=platinum"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		boolean exited = process.waitFor(60, TimeUnit.SECONDS);
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!exited) {
			process.destroyForcibly();
		}

		assertThat(exited).isTrue();
		assertThat(process.exitValue()).isNotZero();
		assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: tollgate.consumers[0].plan");
	}

	private static void assertStartupFailsOn(String property, CapturedOutput output, String... properties) {
		Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TollgateApplication.class)
			.properties("server.port=0", "management.server.port=0")
			.properties(properties)
			.run()
			.close());

		assertThat(failure).isNotNull();
		assertThat(rootCause(failure)).isInstanceOf(InvalidConfigurationException.class);
		InvalidConfigurationException cause = (InvalidConfigurationException) rootCause(failure);
		assertThat(cause.property()).isEqualTo(property);
		assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: " + property);
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

}
