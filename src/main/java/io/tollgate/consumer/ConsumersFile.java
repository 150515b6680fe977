package io.tollgate.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties.ApiKeyDefinition;
import io.tollgate.consumer.ConsumerProperties.ConsumerDefinition;
import io.tollgate.consumer.ConsumerProperties.JwtSecretDefinition;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads {@code tollgate.consumers-file}: a YAML or JSON file of consumers in the shape of {@code tollgate.consumers},
 * either a list or a {@code consumers:} key holding one. It goes through Jackson's streaming parser one consumer at a
 * time, outside Spring's binder (which holds every property of a large list several times over): each entry becomes a
 * {@link ConsumerDefinition} handed to the registry and dropped, so memory does not grow with the file.
 * <p>
 * Field names are those of {@code tollgate.consumers} in kebab-case ({@code api-keys}); camelCase and snake_case
 * spellings are accepted as Spring's binder accepts them. Unlike the binder it refuses a field it does not know (a
 * misspelt {@code api-key} would otherwise leave a consumer without keys). Errors name the file, the entry (its
 * index, username and line) and never a value from the file (a value may be a key).
 */
final class ConsumersFile {

	static final String PROPERTY = "tollgate.consumers-file";

	/** Receives each consumer with its place in the file ({@code consumers[12]}). */
	interface Sink {

		void add(ConsumerDefinition definition, String at);

	}

	private final JsonParser parser;

	private final Path file;

	private final String format;

	private ConsumersFile(JsonParser parser, Path file, String format) {
		this.parser = parser;
		this.file = file;
		this.format = format;
	}

	/**
	 * Reads every consumer of {@code file} into {@code sink}, in order.
	 * @return how many consumers the file held
	 * @throws InvalidConfigurationException naming {@value #PROPERTY}, the file and the entry
	 */
	static int read(Path file, Sink sink) {
		Path path = file.toAbsolutePath().normalize();
		TokenStreamFactory factory = factoryFor(path);
		if (!Files.isRegularFile(path)) {
			throw new InvalidConfigurationException(PROPERTY, path + ": no such file");
		}
		try (InputStream in = Files.newInputStream(path)) {
			return read(in, path, factory, sink);
		}
		catch (IOException ex) {
			throw new InvalidConfigurationException(PROPERTY, path + ": cannot be read (" + ex.getClass().getSimpleName()
					+ ")");
		}
	}

	/** Reads from a stream that holds {@code file}'s content in the format {@code factory} parses. */
	static int read(InputStream in, Path file, TokenStreamFactory factory, Sink sink) {
		String format = (factory instanceof YAMLFactory) ? "YAML" : "JSON";
		try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), in)) {
			return new ConsumersFile(parser, file, format).readAll(sink);
		}
		catch (JacksonException ex) {
			throw new InvalidConfigurationException(PROPERTY, file + ": not valid " + format + where(ex));
		}
	}

	static TokenStreamFactory factoryFor(Path file) {
		String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
		if (name.endsWith(".yml") || name.endsWith(".yaml")) {
			return yaml();
		}
		if (name.endsWith(".json")) {
			return json();
		}
		throw new InvalidConfigurationException(PROPERTY,
				file + ": unknown format; name the file .yml or .yaml (YAML) or .json (JSON)");
	}

	static TokenStreamFactory yaml() {
		// SnakeYAML refuses documents over 3 MB by default, a guard for untrusted input; this is the operator's own
		// file, read as a stream, and a hundred thousand consumers take tens of megabytes.
		LoadSettings settings = LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build();
		return YAMLFactory.builder().loadSettings(settings).streamReadConstraints(unlimitedDocument()).build();
	}

	static TokenStreamFactory json() {
		return JsonFactory.builder().streamReadConstraints(unlimitedDocument()).build();
	}

	private static StreamReadConstraints unlimitedDocument() {
		return StreamReadConstraints.builder().maxDocumentLength(-1).build();
	}

	private int readAll(Sink sink) {
		JsonToken token = this.parser.nextToken();
		if (token == null) {
			return 0;
		}
		String list = "";
		if (token == JsonToken.START_OBJECT) {
			token = this.parser.nextToken();
			if (token != JsonToken.PROPERTY_NAME || !"consumers".equals(this.parser.currentName())) {
				throw invalid(null, null, null, "expected a list of consumers, or a single key 'consumers' holding one");
			}
			list = "consumers";
			token = this.parser.nextToken();
			if (token == JsonToken.VALUE_NULL) {
				expectEnd(JsonToken.END_OBJECT);
				return 0;
			}
		}
		if (token != JsonToken.START_ARRAY) {
			throw invalid(null, null, null, "expected a list of consumers, or a single key 'consumers' holding one");
		}
		int count = 0;
		while ((token = this.parser.nextToken()) != JsonToken.END_ARRAY) {
			String at = list + "[" + count + "]";
			int line = this.parser.currentLocation().getLineNr();
			if (token != JsonToken.START_OBJECT) {
				throw invalid(at, null, line, "expected a consumer (username, api-keys, ...)");
			}
			ConsumerDefinition definition = readConsumer(at, line);
			try {
				sink.add(definition, at);
			}
			catch (InvalidConfigurationException ex) {
				throw new InvalidConfigurationException(PROPERTY, this.file + ": " + ex.property() + " (consumer '"
						+ definition.username() + "', entry at line " + line + "): " + ex.reason());
			}
			count++;
		}
		if (!list.isEmpty()) {
			expectEnd(JsonToken.END_OBJECT);
		}
		if (this.parser.nextToken() != null) {
			throw invalid(null, null, null, "unexpected content after the list of consumers");
		}
		return count;
	}

	private void expectEnd(JsonToken end) {
		if (this.parser.nextToken() != end) {
			throw invalid(null, null, null, "expected a list of consumers, or a single key 'consumers' holding one");
		}
	}

	private ConsumerDefinition readConsumer(String at, int line) {
		String username = null;
		String id = null;
		String customId = null;
		String plan = null;
		List<String> groups = List.of();
		List<ApiKeyDefinition> apiKeys = List.of();
		List<JwtSecretDefinition> jwtSecrets = List.of();
		int seen = 0;
		while (this.parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = this.parser.currentName();
			String field = canonical(name);
			this.parser.nextToken();
			int bit;
			switch (field) {
				case "username" -> {
					bit = 1;
					username = scalar(at, name, username, line);
				}
				case "id" -> {
					bit = 2;
					id = scalar(at, name, username, line);
				}
				case "customid" -> {
					bit = 4;
					customId = scalar(at, name, username, line);
				}
				case "plan" -> {
					bit = 8;
					plan = scalar(at, name, username, line);
				}
				case "groups" -> {
					bit = 16;
					groups = groups(at + "." + name, username, line);
				}
				case "apikeys" -> {
					bit = 32;
					apiKeys = apiKeys(at + ".api-keys", username, line);
				}
				case "jwtsecrets" -> {
					bit = 64;
					jwtSecrets = jwtSecrets(at + ".jwt-secrets", username, line);
				}
				default -> throw invalid(at + "." + name, username, line, "unknown field; a consumer has username, id, "
						+ "custom-id, groups, plan, api-keys, jwt-secrets");
			}
			if ((seen & bit) != 0) {
				throw invalid(at + "." + name, username, line, "set twice");
			}
			seen |= bit;
		}
		return new ConsumerDefinition(username, id, customId, groups, plan, apiKeys, jwtSecrets);
	}

	private List<String> groups(String at, String username, int line) {
		JsonToken token = this.parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return List.of();
		}
		if (token.isScalarValue()) {
			// As Spring's binder reads a single string for a list: comma-separated names.
			List<String> groups = new ArrayList<>();
			for (String group : this.parser.getString().split(",", -1)) {
				groups.add(group.trim());
			}
			return groups;
		}
		if (token != JsonToken.START_ARRAY) {
			throw invalid(at, username, line, "expected a list of group names");
		}
		List<String> groups = new ArrayList<>();
		while ((token = this.parser.nextToken()) != JsonToken.END_ARRAY) {
			if (token != JsonToken.VALUE_NULL && !token.isScalarValue()) {
				throw invalid(at + "[" + groups.size() + "]", username, line, "expected a group name");
			}
			groups.add((token == JsonToken.VALUE_NULL) ? null : this.parser.getString());
		}
		return groups;
	}

	private List<ApiKeyDefinition> apiKeys(String at, String username, int line) {
		if (!startList(at, username, line)) {
			return List.of();
		}
		List<ApiKeyDefinition> keys = new ArrayList<>(1);
		JsonToken token;
		while ((token = this.parser.nextToken()) != JsonToken.END_ARRAY) {
			String keyAt = at + "[" + keys.size() + "]";
			if (token != JsonToken.START_OBJECT) {
				throw invalid(keyAt, username, line, "expected an API key (id, key or sha256, expires-at)");
			}
			String id = null;
			String key = null;
			String sha256 = null;
			String expiresAt = null;
			int seen = 0;
			while (this.parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = this.parser.currentName();
				this.parser.nextToken();
				int bit;
				switch (canonical(name)) {
					case "id" -> {
						bit = 1;
						id = scalar(keyAt, name, username, line);
					}
					case "key" -> {
						bit = 2;
						key = scalar(keyAt, name, username, line);
					}
					case "sha256" -> {
						bit = 4;
						sha256 = scalar(keyAt, name, username, line);
					}
					case "expiresat" -> {
						bit = 8;
						expiresAt = scalar(keyAt, name, username, line);
					}
					default -> throw invalid(keyAt + "." + name, username, line,
							"unknown field; an API key has id, key, sha256, expires-at");
				}
				if ((seen & bit) != 0) {
					throw invalid(keyAt + "." + name, username, line, "set twice");
				}
				seen |= bit;
			}
			keys.add(new ApiKeyDefinition(id, key, sha256, expiresAt));
		}
		return keys;
	}

	private List<JwtSecretDefinition> jwtSecrets(String at, String username, int line) {
		if (!startList(at, username, line)) {
			return List.of();
		}
		List<JwtSecretDefinition> secrets = new ArrayList<>(1);
		JsonToken token;
		while ((token = this.parser.nextToken()) != JsonToken.END_ARRAY) {
			String secretAt = at + "[" + secrets.size() + "]";
			if (token != JsonToken.START_OBJECT) {
				throw invalid(secretAt, username, line, "expected a JWT credential (key, algorithm, secret, public-key)");
			}
			String key = null;
			String algorithm = null;
			String secret = null;
			String publicKey = null;
			while (this.parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = this.parser.currentName();
				this.parser.nextToken();
				switch (canonical(name)) {
					case "key" -> key = scalar(secretAt, name, username, line);
					case "algorithm" -> algorithm = scalar(secretAt, name, username, line);
					case "secret" -> secret = scalar(secretAt, name, username, line);
					case "publickey" -> publicKey = scalar(secretAt, name, username, line);
					default -> throw invalid(secretAt + "." + name, username, line,
							"unknown field; a JWT credential has key, algorithm, secret, public-key");
				}
			}
			secrets.add(new JwtSecretDefinition(key, algorithm, secret, publicKey));
		}
		return secrets;
	}

	/** True at the start of a list, false for null (no entries). */
	private boolean startList(String at, String username, int line) {
		JsonToken token = this.parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return false;
		}
		if (token != JsonToken.START_ARRAY) {
			throw invalid(at, username, line, "expected a list");
		}
		return true;
	}

	/** The current value as text: a string, number or boolean; null for null. */
	private String scalar(String at, String name, String username, int line) {
		JsonToken token = this.parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (!token.isScalarValue()) {
			throw invalid(at + "." + name, username, line, "expected a single value, not a list or mapping");
		}
		return this.parser.getString();
	}

	/** A field name as Spring's relaxed binding compares it: case, dashes and underscores ignored. */
	private static String canonical(String name) {
		StringBuilder canonical = new StringBuilder(name.length());
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c != '-' && c != '_') {
				canonical.append(Character.toLowerCase(c));
			}
		}
		return canonical.toString();
	}

	private InvalidConfigurationException invalid(String at, String username, Integer line, String reason) {
		StringBuilder message = new StringBuilder().append(this.file).append(": ");
		if (at != null) {
			message.append(at).append(' ');
		}
		message.append('(');
		if (username != null) {
			message.append("consumer '").append(username).append("', ");
		}
		if (line != null) {
			message.append("entry at ");
		}
		message.append("line ").append((line != null) ? line : this.parser.currentLocation().getLineNr()).append("): ");
		return new InvalidConfigurationException(PROPERTY, message.append(reason).toString());
	}

	private static String where(JacksonException ex) {
		if (ex.getLocation() == null || ex.getLocation().getLineNr() < 0) {
			return "";
		}
		// Only the place: the parser's own message may quote the text it choked on, and that text may be a key.
		return " at line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr();
	}

}
