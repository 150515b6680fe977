package io.tollgate.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties.ApiKeyDefinition;
import io.tollgate.consumer.ConsumerProperties.ConsumerDefinition;

import org.springframework.util.StringUtils;

/**
 * The consumers and their API keys, checked once at startup and immutable afterwards. Keys are held only as
 * SHA-256 digests in a hash index: a look-up is one digest and one constant-time comparison, whatever the
 * number of keys.
 */
public class ConsumerRegistry {

	private static final String PREFIX = "tollgate.consumers";

	private final Map<String, Consumer> byUsername = new LinkedHashMap<>();

	private final Map<String, Consumer> byId = new HashMap<>();

	private final Map<ApiKeyDigest, Credential> byKey = new HashMap<>();

	private final Map<String, Integer> credentialCount = new HashMap<>();

	private final Map<String, ConsumerProperties.Limits> plans = new HashMap<>();

	private final Map<String, JwtSecret> jwtSecrets = new HashMap<>();

	private final Map<String, Consumer> byCustomId = new HashMap<>();

	/** @throws InvalidConfigurationException naming the first property that is wrong */
	public ConsumerRegistry(ConsumerProperties properties) {
		properties.plans().forEach((name, plan) -> this.plans.put(name, checkPlan(name, plan)));
		Map<ApiKeyDigest, String> keyOwners = new HashMap<>();
		Map<String, String> credentialIds = new HashMap<>();
		Map<String, String> customIds = new HashMap<>();
		List<ConsumerDefinition> definitions = properties.consumers();
		for (int i = 0; i < definitions.size(); i++) {
			ConsumerDefinition definition = definitions.get(i);
			String at = PREFIX + "[" + i + "]";
			Consumer consumer = toConsumer(definition, at, properties);
			claim(this.byUsername, consumer.username(), consumer, at + ".username",
					"duplicate username '" + consumer.username() + "'");
			claim(this.byId, consumer.id(), consumer, at + ".id", "duplicate consumer id '" + consumer.id() + "'");
			if (consumer.customId() != null) {
				claim(customIds, consumer.customId(), at, at + ".custom-id", "duplicate custom-id");
				this.byCustomId.put(consumer.customId(), consumer);
			}
			List<ConsumerProperties.JwtSecretDefinition> jwt = definition.jwtSecrets();
			for (int j = 0; j < jwt.size(); j++) {
				JwtSecret secret = JwtSecrets.check(jwt.get(j), consumer, at + ".jwt-secrets[" + j + "]");
				if (this.jwtSecrets.putIfAbsent(secret.key(), secret) != null) {
					throw new InvalidConfigurationException(at + ".jwt-secrets[" + j + "].key",
							"duplicate JWT credential key '" + secret.key() + "'");
				}
			}
			List<ApiKeyDefinition> keys = definition.apiKeys();
			for (int k = 0; k < keys.size(); k++) {
				String keyAt = at + ".api-keys[" + k + "]";
				ApiKeyDefinition key = keys.get(k);
				String credentialId = StringUtils.hasText(key.id()) ? key.id() : consumer.username() + "-key-" + (k + 1);
				claim(credentialIds, credentialId, keyAt, keyAt + ".id", "duplicate credential id '" + credentialId + "'");
				ApiKeyDigest digest = digestOf(key, keyAt);
				String owner = keyOwners.putIfAbsent(digest, keyAt);
				if (owner != null) {
					throw new InvalidConfigurationException(keyAt,
							"duplicate API key: the same key is already configured at " + owner);
				}
				this.byKey.put(digest, new Credential(credentialId, consumer));
			}
			this.credentialCount.put(consumer.username(), keys.size());
		}
	}

	/** The credential whose key is {@code presentedKey}, or null. */
	public Credential findByKey(String presentedKey) {
		return this.byKey.get(ApiKeyDigest.ofKey(presentedKey));
	}

	/**
	 * True when {@code value} is a configured key or the hex digest of one: for masking values wherever they
	 * appear (an environment variable holding a key, say), not for authentication.
	 */
	public boolean isSecret(String value) {
		if (value.isEmpty()) {
			return false;
		}
		if (this.byKey.containsKey(ApiKeyDigest.ofKey(value))) {
			return true;
		}
		if (value.length() == 64) {
			try {
				return this.byKey.containsKey(ApiKeyDigest.ofHex(value.trim()));
			}
			catch (IllegalArgumentException ex) {
				return false;
			}
		}
		return false;
	}

	/** The JWT credential whose key claim value is {@code key}, or null. */
	public JwtSecret findJwtSecret(String key) {
		return this.jwtSecrets.get(key);
	}

	/** The consumer with this username or custom id (how a JWT's subject names a consumer), or null. */
	public Consumer findByUsernameOrCustomId(String value) {
		Consumer consumer = this.byUsername.get(value);
		return (consumer != null) ? consumer : this.byCustomId.get(value);
	}

	/** The consumer with this username or id (Kong accepts either for {@code anonymous}), or null. */
	public Consumer find(String usernameOrId) {
		Consumer consumer = this.byUsername.get(usernameOrId);
		return (consumer != null) ? consumer : this.byId.get(usernameOrId);
	}

	public List<Consumer> consumers() {
		return Collections.unmodifiableList(new ArrayList<>(this.byUsername.values()));
	}

	/** The limits of a plan named by a consumer (every consumer's plan exists: checked at startup). */
	public ConsumerProperties.Limits planLimits(String plan) {
		return this.plans.get(plan);
	}

	/** How many API keys a consumer has (never the keys themselves). */
	public int apiKeyCount(String username) {
		return this.credentialCount.getOrDefault(username, 0);
	}

	private static Consumer toConsumer(ConsumerDefinition definition, String at, ConsumerProperties properties) {
		if (!StringUtils.hasText(definition.username())) {
			throw new InvalidConfigurationException(at + ".username", "must not be empty");
		}
		String username = definition.username();
		String id = StringUtils.hasText(definition.id()) ? definition.id()
				: UUID.nameUUIDFromBytes(("tollgate:consumer:" + username).getBytes(StandardCharsets.UTF_8)).toString();
		String plan = StringUtils.hasText(definition.plan()) ? definition.plan() : null;
		if (plan != null && !properties.plans().containsKey(plan)) {
			throw new InvalidConfigurationException(at + ".plan",
					"unknown plan '" + plan + "'; tollgate.plans defines " + properties.plans().keySet());
		}
		for (int g = 0; g < definition.groups().size(); g++) {
			if (!StringUtils.hasText(definition.groups().get(g))) {
				throw new InvalidConfigurationException(at + ".groups[" + g + "]", "must not be empty");
			}
		}
		String customId = StringUtils.hasText(definition.customId()) ? definition.customId() : null;
		return new Consumer(id, username, customId, definition.groups(), plan);
	}

	private static ConsumerProperties.Limits checkPlan(String name, ConsumerProperties.PlanDefinition plan) {
		String at = "tollgate.plans." + name + ".limits";
		ConsumerProperties.Limits limits = plan.limits();
		Long[] values = { limits.second(), limits.minute(), limits.hour(), limits.day(), limits.month() };
		String[] names = { "second", "minute", "hour", "day", "month" };
		boolean any = false;
		for (int i = 0; i < values.length; i++) {
			if (values[i] != null) {
				if (values[i] <= 0) {
					throw new InvalidConfigurationException(at + "." + names[i], "must be a positive number of requests");
				}
				any = true;
			}
		}
		if (!any) {
			throw new InvalidConfigurationException(at, "a plan must limit at least one of second, minute, hour, day, month");
		}
		return limits;
	}

	private static ApiKeyDigest digestOf(ApiKeyDefinition key, String at) {
		boolean hasKey = key.key() != null;
		boolean hasDigest = key.sha256() != null;
		if (hasKey && hasDigest) {
			throw new InvalidConfigurationException(at, "set either key or sha256, not both");
		}
		if (hasDigest) {
			try {
				return ApiKeyDigest.ofHex(key.sha256().trim());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationException(at + ".sha256",
						"malformed SHA-256 digest: expected 64 hexadecimal characters");
			}
		}
		if (!hasKey || key.key().isBlank()) {
			throw new InvalidConfigurationException(at + ".key",
					"empty API key: set key (from an environment variable or secret) or sha256");
		}
		if (key.key().startsWith("${")) {
			// An unresolved placeholder would otherwise become a key anyone can read in the source.
			throw new InvalidConfigurationException(at + ".key",
					"unresolved placeholder: the environment variable or property it names is not set");
		}
		return ApiKeyDigest.ofKey(key.key());
	}

	private static <V> void claim(Map<String, V> seen, String name, V value, String property, String reason) {
		if (seen.putIfAbsent(name, value) != null) {
			throw new InvalidConfigurationException(property, reason);
		}
	}

}
