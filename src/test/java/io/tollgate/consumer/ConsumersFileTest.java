package io.tollgate.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties.ApiKeyDefinition;
import io.tollgate.consumer.ConsumerProperties.ConsumerDefinition;
import io.tollgate.consumer.ConsumerProperties.Limits;
import io.tollgate.consumer.ConsumerProperties.PlanDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code tollgate.consumers-file}: consumers read one at a time from a YAML or JSON file into the registry. */
class ConsumersFileTest {

	private static final String CAROL_SHA256 = "6339a584a728963c4acf905b798927c73a8b6298c61f9160fdc2bb11e706312e";

	private static final String YAML_LIST = """
			- username: carol
			  id: 11111111-2222-4333-8444-555555555555
			  custom-id: crm-99
			  groups: [ partners, mobile ]
			  plan: gold
			  api-keys:
			    - id: carol-key
			      sha256: %s
			- username: dave
			  apiKeys:
			    - key: dave-secret-key
			""".formatted(CAROL_SHA256);

	private static final String YAML_UNDER_KEY = "consumers:\n" + YAML_LIST.indent(2);

	private static final String JSON_LIST = """
			[ { "username": "carol", "id": "11111111-2222-4333-8444-555555555555", "custom-id": "crm-99",
			    "groups": [ "partners", "mobile" ], "plan": "gold",
			    "api-keys": [ { "id": "carol-key", "sha256": "%s" } ] },
			  { "username": "dave", "api_keys": [ { "key": "dave-secret-key" } ] } ]
			""".formatted(CAROL_SHA256);

	private static final String JSON_UNDER_KEY = "{ \"consumers\": " + JSON_LIST + "}";

	@TempDir
	Path dir;

	@ParameterizedTest
	@CsvSource({ "consumers.yml, YAML_LIST", "consumers.yaml, YAML_UNDER_KEY", "consumers.json, JSON_LIST",
			"consumers.json, JSON_UNDER_KEY" })
	void everyFormOfTheFileGivesTheSameConsumersAndKeys(String name, String form) throws IOException {
		String content = switch (form) {
			case "YAML_LIST" -> YAML_LIST;
			case "YAML_UNDER_KEY" -> YAML_UNDER_KEY;
			case "JSON_LIST" -> JSON_LIST;
			default -> JSON_UNDER_KEY;
		};
		ConsumerRegistry registry = registry(write(name, content));

		Credential carol = registry.findByKey("carol-secret-key");
		assertThat(carol.id()).isEqualTo("carol-key");
		assertThat(carol.consumer().username()).isEqualTo("carol");
		assertThat(carol.consumer().id()).isEqualTo("11111111-2222-4333-8444-555555555555");
		assertThat(carol.consumer().customId()).isEqualTo("crm-99");
		assertThat(carol.consumer().groups()).containsExactly("partners", "mobile");
		assertThat(carol.consumer().plan()).isEqualTo("gold");
		Credential dave = registry.findByKey("dave-secret-key");
		assertThat(dave.id()).isEqualTo("dave-key-1");
		assertThat(dave.consumer().id()).isEqualTo(Consumer.derivedId("dave"));
		assertThat(registry.consumers()).extracting(Consumer::username).containsExactly("bob", "carol", "dave");
		assertThat(registry.apiKeyCount("carol")).isEqualTo(1);
		assertThat(registry.find("11111111-2222-4333-8444-555555555555")).isSameAs(carol.consumer());
		assertThat(registry.find(Consumer.derivedId("dave"))).isSameAs(dave.consumer());
	}

	@Test
	void consumersFromTheFileJoinThoseOfTollgateConsumers() throws IOException {
		ConsumerRegistry registry = registry(write("consumers.yml", YAML_LIST));

		assertThat(registry.findByKey("bob-secret").consumer().username()).isEqualTo("bob");
		assertThat(registry.findByKey("carol-secret-key").consumer().username()).isEqualTo("carol");
		assertThat(registry.findByKey("nobody's key")).isNull();
	}

	@Test
	void emptyFileHoldsNoConsumers() throws IOException {
		assertThat(registry(write("consumers.yml", "# none yet\n")).consumers()).hasSize(1);
		assertThat(registry(write("consumers.json", "{ \"consumers\": [] }")).consumers()).hasSize(1);
	}

	@Test
	void usernameInBothSourcesIsRefusedNamingTheFileAndTheEntry() throws IOException {
		Path file = write("consumers.yml", YAML_LIST + "- username: bob\n");

		assertThat(failure(file).reason()).contains(file.toString())
			.contains("[2].username")
			.contains("consumer 'bob'")
			.contains("entry at line 12")
			.contains("duplicate username 'bob'");
	}

	@Test
	void keyInBothSourcesIsRefusedWithoutShowingIt() throws IOException {
		Path file = write("consumers.yml", "- username: erin\n  api-keys: [ { key: bob-secret } ]\n");

		assertThat(failure(file).reason()).contains("[0].api-keys[0]")
			.contains("already configured for consumer 'bob'")
			.doesNotContain("bob-secret");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"consumers.yml | - username: erin\\n  api-keys:\\n    - key: s3cr3t-value\\n  groups: [ a\\n | not valid YAML at line",
			"consumers.json | [ { \"username\": \"erin\", \"api-keys\": [ { \"key\": s3cr3t-value } ] } ] | not valid JSON at line 1" })
	void malformedFileIsRefusedNamingItAndTheLineWithoutQuotingIt(String name, String content, String reason)
			throws IOException {
		Path file = write(name, content.replace("\\n", "\n"));

		InvalidConfigurationException failure = failure(file);
		assertThat(failure.property()).isEqualTo("tollgate.consumers-file");
		assertThat(failure.reason()).contains(file.toString()).contains(reason).doesNotContain("s3cr3t");
	}

	@Test
	void invalidEntryIsRefusedNamingItsIndexUsernameAndField() throws IOException {
		Path file = write("consumers.yml", YAML_LIST + "- username: erin\n  api-keys: [ { sha256: not-hex } ]\n");

		assertThat(failure(file).reason()).contains(file + ": [2].api-keys[0].sha256 (consumer 'erin', entry at line 12)")
			.contains("malformed SHA-256 digest");
	}

	@Test
	void unknownPlanInTheFileIsRefused() throws IOException {
		Path file = write("consumers.json", "{ \"consumers\": [ { \"username\": \"erin\", \"plan\": \"platinum\" } ] }");

		assertThat(failure(file).reason()).contains("consumers[0].plan (consumer 'erin'").contains("unknown plan 'platinum'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "- username: erin\n  api-key: { key: k }\n", "- username: erin\n  api-keys: [ { kee: k } ]\n",
			"- username: erin\n  username: frank\n", "- erin\n", "{ users: [] }\n", "- username: [ erin ]\n" })
	void entryTheFileCannotMeanIsRefusedNamingIt(String content) throws IOException {
		Path file = write("consumers.yml", content);

		assertThat(failure(file).reason()).startsWith(file + ": ").contains("line ");
	}

	@Test
	void missingFileIsRefusedNamingIt() {
		Path file = this.dir.resolve("absent.yml");

		assertThat(failure(file).reason()).isEqualTo(file + ": no such file");
	}

	@Test
	void fileOfAnotherFormatIsRefused() throws IOException {
		Path file = write("consumers.txt", YAML_LIST);

		assertThat(failure(file).reason()).contains(file.toString()).contains(".yml or .yaml (YAML) or .json (JSON)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "yml", "json" })
	void parserDeliversEachConsumerWithoutReadingTheWholeFileFirst(String format) {
		GeneratedConsumers in = new GeneratedConsumers(100_000, format.equals("json"));
		int[] mostReadAhead = { 0 };

		int count = ConsumersFile.read(in, Path.of("generated." + format),
				format.equals("json") ? ConsumersFile.json() : ConsumersFile.yaml(), (definition, at) -> {
					int index = Integer.parseInt(definition.username().substring("user-".length()));
					mostReadAhead[0] = Math.max(mostReadAhead[0], in.generated - index);
				});

		assertThat(count).isEqualTo(100_000);
		// A parser that held the document would have read all 100,000 before the first; this one stays a buffer ahead.
		assertThat(mostReadAhead[0]).isLessThan(1_000);
	}

	private ConsumerRegistry registry(Path file) {
		ConsumerDefinition bob = new ConsumerDefinition("bob", null, null, List.of(), null,
				List.of(new ApiKeyDefinition(null, "bob-secret", null, null)), List.of());
		return new ConsumerRegistry(new ConsumerProperties(List.of(bob), file.toString(),
				Map.of("gold", new PlanDefinition(new Limits(null, 10L, null, null, null)))));
	}

	private InvalidConfigurationException failure(Path file) {
		InvalidConfigurationException failure = catchThrowableOfType(InvalidConfigurationException.class,
				() -> registry(file));
		assertThat(failure).isNotNull();
		assertThat(failure.property()).isEqualTo("tollgate.consumers-file");
		return failure;
	}

	private Path write(String name, String content) throws IOException {
		return Files.writeString(this.dir.resolve(name), content);
	}

	/** A file of {@code count} consumers, made as it is read; {@link #generated} says how far the reader got. */
	private static final class GeneratedConsumers extends InputStream {

		private final int count;

		private final boolean json;

		int generated;

		private byte[] chunk = new byte[0];

		private int position;

		GeneratedConsumers(int count, boolean json) {
			this.count = count;
			this.json = json;
			this.chunk = (json ? "[" : "").getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public int read() {
			if (this.position == this.chunk.length && !next()) {
				return -1;
			}
			return this.chunk[this.position++] & 0xFF;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.position == this.chunk.length && !next()) {
				return -1;
			}
			int n = Math.min(length, this.chunk.length - this.position);
			System.arraycopy(this.chunk, this.position, buffer, offset, n);
			this.position += n;
			return n;
		}

		private boolean next() {
			if (this.generated > this.count) {
				return false;
			}
			int i = this.generated++;
			String text;
			if (i == this.count) {
				text = this.json ? "]" : "";
			}
			else if (this.json) {
				text = ((i > 0) ? "," : "") + "{\"username\":\"user-" + i + "\",\"api-keys\":[{\"key\":\"key-" + i + "\"}]}\n";
			}
			else {
				text = "- username: user-" + i + "\n  api-keys:\n    - key: key-" + i + "\n";
			}
			this.chunk = text.getBytes(StandardCharsets.UTF_8);
			this.position = 0;
			return this.chunk.length > 0 || next();
		}

	}

}
