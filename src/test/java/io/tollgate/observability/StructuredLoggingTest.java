package io.tollgate.observability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tollgate.TollgateApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application logs follow Spring Boot's console settings: {@code logging.structured.format.console=ecs} gives ECS
 * JSON lines, and nothing is written to a {@code spring.log} file. Run in a JVM of its own, since the logging
 * system is set up once per JVM.
 */
class StructuredLoggingTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path tmp;

	@Test
	void ecsFormatGivesEcsJsonForApplicationLogsAndNoLogFile() throws Exception {
		List<String> lines = startAndCollectLines("--logging.structured.format.console=ecs");

		JsonNode started = lines.stream()
			.filter((line) -> line.startsWith("{") && line.contains("Started TollgateApplication"))
			.map(JSON::readTree)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no ECS line says Started: " + lines));
		assertThat(started.path("@timestamp").asString()).isNotEmpty();
		assertThat(started.path("log").path("level").asString()).isEqualTo("INFO");
		assertThat(started.path("ecs").path("version").asString()).isNotEmpty();
		assertThat(lines).noneMatch((line) -> line.contains(" INFO ") && !line.startsWith("{"));
		try (var files = Files.list(this.tmp)) {
			assertThat(files.map((file) -> file.getFileName().toString())).doesNotContain("spring.log");
		}
	}

	@Test
	void withoutAFormatApplicationLogsArePlainLines() throws Exception {
		List<String> lines = startAndCollectLines();

		assertThat(lines).anyMatch((line) -> line.contains(" INFO ") && line.contains("Started TollgateApplication"));
		assertThat(lines).noneMatch((line) -> line.startsWith("{\"@timestamp\""));
	}

	@Test
	void logFileIsWrittenWhenAskedFor() throws Exception {
		Path file = this.tmp.resolve("gateway.log");
		startAndCollectLines("--logging.file.name=" + file);

		assertThat(Files.readString(file)).contains("Started TollgateApplication");
	}

	private List<String> startAndCollectLines(String... arguments) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Djava.io.tmpdir=" + this.tmp, "-cp", System.getProperty("java.class.path"),
				TollgateApplication.class.getName(), "--server.port=0", "--management.server.port=0"));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		List<String> lines = new ArrayList<>();
		try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			String line;
			while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
				lines.add(line);
				if (line.contains("Started TollgateApplication")) {
					break;
				}
			}
		}
		finally {
			process.destroy();
			process.waitFor(10, TimeUnit.SECONDS);
		}
		return lines;
	}

}
