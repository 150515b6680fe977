package io.tollgate.consumer;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties.ApiKeyDefinition;
import io.tollgate.consumer.ConsumerProperties.ConsumerDefinition;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.StringUtils;

/**
 * The consumers and their API keys, from {@code tollgate.consumers} and {@code tollgate.consumers-file}, checked
 * as a whole at startup and at each configuration reload, and never changed in place: a reload swaps in a new set. Keys are held only as SHA-256 digests in a hash index: a look-up is
 * one digest and one constant-time comparison, whatever the number of keys.
 * <p>
 * Sized for large consumer sets: per consumer it keeps the consumer, one index entry by username (and by id or
 * custom id only where one was configured), and per key a digest and a credential. Ids derived from usernames are
 * computed when first used; group lists and plan names are shared between the consumers that name the same ones.
 */
public class ConsumerRegistry {

	/** The latest expiry a credential holds in epoch milliseconds. */
	private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE - 1);

	private static final Log logger = LogFactory.getLog(ConsumerRegistry.class);

	private static final String PREFIX = "tollgate.consumers";

	/**
	 * The consumers in force. A reload builds a whole new set beside it and swaps it in with one write
	 * ({@link #replaceWith}), so a look-up sees the old set or the new one, never a mix: one volatile read per
	 * look-up, no lock.
	 */
	private volatile Snapshot current;

	/** A candidate's consumers, for {@link #find} on the thread checking that candidate's routes. */
	private final ThreadLocal<Snapshot> checking = new ThreadLocal<>();

	/**
	 * The consumers created through the Admin API (kept in Redis), looked up after the configured ones; null when
	 * there are none (no Redis). Configured consumers win: the Admin API refuses a username or key they hold.
	 */
	private volatile RuntimeConsumers runtime;

	/** @throws InvalidConfigurationException naming the first property that is wrong */
	public ConsumerRegistry(ConsumerProperties properties) {
		Snapshot snapshot = new Snapshot();
		properties.plans().forEach((name, plan) -> snapshot.plans.put(name, checkPlan(name, plan)));
		Loader loader = new Loader(snapshot);
		List<ConsumerDefinition> definitions = properties.consumers();
		for (int i = 0; i < definitions.size(); i++) {
			loader.add(definitions.get(i), PREFIX + "[" + i + "]");
		}
		if (StringUtils.hasText(properties.consumersFile())) {
			long start = System.nanoTime();
			Path file = Path.of(properties.consumersFile().trim());
			int count = ConsumersFile.read(file, loader::add);
			logger.info(count + " consumers from " + file.toAbsolutePath().normalize() + " ("
					+ ConsumersFile.PROPERTY + ") in " + (System.nanoTime() - start) / 1_000_000 + " ms");
		}
		loader.checkDerivedIds();
		this.current = snapshot;
	}

	/**
	 * Puts another registry's consumers in force here, at once (a configuration reload: {@code candidate} was built,
	 * and so checked, from the new configuration). Look-ups already under way finish on the set they started with.
	 */
	public void replaceWith(ConsumerRegistry candidate) {
		this.current = candidate.current;
	}

	/**
	 * Runs a check of a candidate configuration's routes with {@link #find} answering from the candidate's consumers,
	 * on this thread only: a route's {@code anonymous} may name a consumer that the same change adds. Requests and
	 * other threads keep the consumers in force.
	 */
	public void checkWith(ConsumerRegistry candidate, Runnable check) {
		this.checking.set(candidate.current);
		try {
			check.run();
		}
		finally {
			this.checking.remove();
		}
	}

	/** Looks up the consumers created at run time too, after the configured ones. */
	public void attach(RuntimeConsumers runtime) {
		this.runtime = runtime;
	}

	/** How many consumers are in force (from configuration). */
	public int size() {
		return this.current.consumers.size();
	}

	/** The credential whose key is {@code presentedKey}, or null. */
	public Credential findByKey(String presentedKey) {
		ApiKeyDigest digest = ApiKeyDigest.ofKey(presentedKey);
		Snapshot snapshot = this.current;
		Credential credential = snapshot.byKey.get(digest);
		if (credential == null) {
			RuntimeConsumers runtime = this.runtime;
			if (runtime != null) {
				credential = runtime.findByKey(digest);
				if (credential != null && shadowed(snapshot, credential.consumer())) {
					return null;
				}
			}
		}
		return credential;
	}

	/**
	 * True when configuration now defines a runtime consumer's username or custom id (added after the runtime one
	 * was created): its credentials must not authenticate, or the upstream would be told it is the configured one.
	 */
	private static boolean shadowed(Snapshot snapshot, Consumer runtimeConsumer) {
		return snapshot.byUsername.containsKey(runtimeConsumer.username())
				|| (runtimeConsumer.customId() != null && snapshot.byCustomId.containsKey(runtimeConsumer.customId()));
	}

	/** The configured (not runtime) credential with this key, or null. */
	public Credential findConfiguredKey(String key) {
		return this.current.byKey.get(ApiKeyDigest.ofKey(key));
	}

	/** True when configuration defines a consumer with this username or id (the Admin API may not change it). */
	public boolean isConfigured(String usernameOrId) {
		return findConfigured(this.current, usernameOrId) != null;
	}

	/** True when configuration defines a consumer with this custom id. */
	public boolean isConfiguredCustomId(String customId) {
		return this.current.byCustomId.containsKey(customId);
	}

	/** The configured consumer with this custom id, or null. */
	public Consumer findConfiguredByCustomId(String customId) {
		return this.current.byCustomId.get(customId);
	}

	/**
	 * The configured consumer with this username or id, or null; never a runtime one. For what is fixed when routes
	 * are built (a route's {@code anonymous} consumer): it must not depend on what a replica has loaded from Redis.
	 */
	public Consumer findConfigured(String usernameOrId) {
		Snapshot checked = this.checking.get();
		return findConfigured((checked != null) ? checked : this.current, usernameOrId);
	}

	/** True when configuration defines a JWT credential with this key. */
	public boolean isConfiguredJwtKey(String key) {
		return this.current.jwtSecrets.containsKey(key);
	}

	/** The limits of the plan with this name in the configuration in force, or null when there is none. */
	public ConsumerProperties.Limits planLimits(String plan) {
		return this.current.plans.get(plan);
	}

	/** True when {@code other} defines the same plans, with the same limits. */
	public boolean hasSamePlans(ConsumerRegistry other) {
		return this.current.plans.equals(other.current.plans);
	}

	/** The names of the plans in force. */
	public Set<String> planNames() {
		return Collections.unmodifiableSet(this.current.plans.keySet());
	}

	/**
	 * True when {@code value} is a configured key or the hex digest of one: for masking values wherever they
	 * appear (an environment variable holding a key, say), not for authentication.
	 */
	public boolean isSecret(String value) {
		if (value.isEmpty()) {
			return false;
		}
		Map<ApiKeyDigest, Credential> byKey = this.current.byKey;
		if (byKey.containsKey(ApiKeyDigest.ofKey(value))) {
			return true;
		}
		if (value.length() == 64) {
			try {
				return byKey.containsKey(ApiKeyDigest.ofHex(value.trim()));
			}
			catch (IllegalArgumentException ex) {
				return false;
			}
		}
		return false;
	}

	/** The JWT credential whose key claim value is {@code key}, or null. */
	public JwtSecret findJwtSecret(String key) {
		Snapshot snapshot = this.current;
		JwtSecret secret = snapshot.jwtSecrets.get(key);
		if (secret == null) {
			RuntimeConsumers runtime = this.runtime;
			if (runtime != null) {
				secret = runtime.findJwtSecret(key);
				if (secret != null && shadowed(snapshot, secret.consumer())) {
					return null;
				}
			}
		}
		return secret;
	}

	/** The consumer with this username or custom id (how a JWT's subject names a consumer), or null. */
	public Consumer findByUsernameOrCustomId(String value) {
		Snapshot snapshot = this.current;
		Consumer consumer = snapshot.byUsername.get(value);
		if (consumer == null) {
			consumer = snapshot.byCustomId.get(value);
		}
		if (consumer == null) {
			RuntimeConsumers runtime = this.runtime;
			if (runtime != null) {
				consumer = runtime.findByUsernameOrCustomId(value);
			}
		}
		return consumer;
	}

	/**
	 * The consumer with this username or id (Kong accepts either for {@code anonymous}), or null. Configuration and
	 * admin look-ups only: an id derived from a username is found by a scan, not an index kept for every consumer.
	 */
	public Consumer find(String usernameOrId) {
		Snapshot checked = this.checking.get();
		Consumer consumer = findConfigured((checked != null) ? checked : this.current, usernameOrId);
		if (consumer == null) {
			RuntimeConsumers runtime = this.runtime;
			if (runtime != null) {
				consumer = runtime.find(usernameOrId);
			}
		}
		return consumer;
	}

	private static Consumer findConfigured(Snapshot snapshot, String usernameOrId) {
		Consumer consumer = snapshot.byUsername.get(usernameOrId);
		if (consumer == null) {
			consumer = snapshot.byId.get(usernameOrId);
		}
		if (consumer == null && usernameOrId.length() == 36) {
			for (Consumer candidate : snapshot.consumers) {
				if (candidate.hasDerivedId() && Consumer.derivedId(candidate.username()).equals(usernameOrId)) {
					return candidate;
				}
			}
		}
		return consumer;
	}

	public List<Consumer> consumers() {
		return Collections.unmodifiableList(this.current.consumers);
	}

	/** How many API keys a consumer has (never the keys themselves). */
	public int apiKeyCount(String username) {
		Snapshot snapshot = this.current;
		Map<String, Integer> counts = snapshot.keyCounts;
		if (counts == null) {
			counts = new HashMap<>();
			for (Credential credential : snapshot.byKey.values()) {
				counts.merge(credential.consumer().username(), 1, Integer::sum);
			}
			snapshot.keyCounts = counts;
		}
		return counts.getOrDefault(username, 0);
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

	/** A key's {@code expires-at} as epoch ms ({@link Credential#NEVER} when not set). */
	private static long expiresAt(ApiKeyDefinition key, String at) {
		if (key.expiresAt() == null) {
			return Credential.NEVER;
		}
		Instant instant;
		try {
			instant = OffsetDateTime.parse(key.expiresAt().trim()).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw new InvalidConfigurationException(at,
					"not an ISO-8601 date and time with its offset, such as 2027-01-31T00:00:00Z");
		}
		// Past what epoch milliseconds hold (+999999999-12-31T23:59:59Z parses): as good as never.
		return instant.isAfter(LATEST) ? Credential.NEVER : instant.toEpochMilli();
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

	/**
	 * Adds consumers one at a time, checking each against those before it. What it needs only for the checks
	 * (credential ids seen, shared group lists) is dropped with it once the registry is built.
	 */
	private static final class Loader {

		private final Snapshot snapshot;

		private final Set<String> credentialIds = new HashSet<>();

		private final Map<List<String>, List<String>> sharedGroups = new HashMap<>();

		Loader(Snapshot snapshot) {
			this.snapshot = snapshot;
		}

		void add(ConsumerDefinition definition, String at) {
			Consumer consumer = toConsumer(definition, at);
			if (this.snapshot.byUsername.putIfAbsent(consumer.username(), consumer) != null) {
				throw new InvalidConfigurationException(at + ".username",
						"duplicate username '" + consumer.username() + "'");
			}
			if (!consumer.hasDerivedId() && this.snapshot.byId.putIfAbsent(consumer.id(), consumer) != null) {
				throw new InvalidConfigurationException(at + ".id", "duplicate consumer id '" + consumer.id() + "'");
			}
			if (consumer.customId() != null
					&& this.snapshot.byCustomId.putIfAbsent(consumer.customId(), consumer) != null) {
				throw new InvalidConfigurationException(at + ".custom-id", "duplicate custom-id");
			}
			this.snapshot.consumers.add(consumer);
			List<ConsumerProperties.JwtSecretDefinition> jwt = definition.jwtSecrets();
			for (int j = 0; j < jwt.size(); j++) {
				JwtSecret secret = JwtSecrets.check(jwt.get(j), consumer, at + ".jwt-secrets[" + j + "]");
				if (this.snapshot.jwtSecrets.putIfAbsent(secret.key(), secret) != null) {
					throw new InvalidConfigurationException(at + ".jwt-secrets[" + j + "].key",
							"duplicate JWT credential key '" + secret.key() + "'");
				}
			}
			List<ApiKeyDefinition> keys = definition.apiKeys();
			for (int k = 0; k < keys.size(); k++) {
				ApiKeyDefinition key = keys.get(k);
				boolean named = StringUtils.hasText(key.id());
				String credentialId = named ? key.id() : Credential.defaultId(consumer.username(), k + 1);
				if (!this.credentialIds.add(credentialId)) {
					throw new InvalidConfigurationException(at + ".api-keys[" + k + "].id",
							"duplicate credential id '" + credentialId + "'");
				}
				ApiKeyDigest digest = digestOf(key, at + ".api-keys[" + k + "]");
				long expiresAt = expiresAt(key, at + ".api-keys[" + k + "].expires-at");
				Credential credential = named ? new Credential(credentialId, consumer, expiresAt)
						: Credential.withDefaultId(consumer, k + 1, expiresAt);
				Credential owner = this.snapshot.byKey.putIfAbsent(digest, credential);
				if (owner != null) {
					throw new InvalidConfigurationException(at + ".api-keys[" + k + "]",
							"duplicate API key: the same key is already configured for consumer '"
									+ owner.consumer().username() + "' (credential '" + owner.id() + "')");
				}
			}
		}

		/** A configured id must not be another consumer's derived id (both would be sent as X-Consumer-ID). */
		void checkDerivedIds() {
			if (this.snapshot.byId.isEmpty()) {
				return;
			}
			for (Consumer consumer : this.snapshot.consumers) {
				if (consumer.hasDerivedId()) {
					Consumer other = this.snapshot.byId.get(consumer.id());
					if (other != null) {
						throw new InvalidConfigurationException(PREFIX,
								"consumer '" + other.username() + "' is configured with the id derived from username '"
										+ consumer.username() + "'");
					}
				}
			}
		}

		private Consumer toConsumer(ConsumerDefinition definition, String at) {
			if (!StringUtils.hasText(definition.username())) {
				throw new InvalidConfigurationException(at + ".username", "must not be empty");
			}
			String username = definition.username();
			String plan = null;
			if (StringUtils.hasText(definition.plan())) {
				plan = planName(definition.plan(), at);
			}
			List<String> groups = definition.groups();
			for (int g = 0; g < groups.size(); g++) {
				if (!StringUtils.hasText(groups.get(g))) {
					throw new InvalidConfigurationException(at + ".groups[" + g + "]", "must not be empty");
				}
			}
			groups = this.sharedGroups.computeIfAbsent(List.copyOf(groups), (list) -> list);
			String customId = StringUtils.hasText(definition.customId()) ? definition.customId() : null;
			ConsumerProperties.Limits limits = (plan != null) ? this.snapshot.plans.get(plan) : null;
			return StringUtils.hasText(definition.id())
					? new Consumer(definition.id(), username, customId, groups, plan, limits, false)
					: Consumer.withDerivedId(username, customId, groups, plan, limits);
		}

		/** The plan's own name (one string shared by all its consumers). */
		private String planName(String plan, String at) {
			for (String name : this.snapshot.plans.keySet()) {
				if (name.equals(plan)) {
					return name;
				}
			}
			throw new InvalidConfigurationException(at + ".plan",
					"unknown plan '" + plan + "'; tollgate.plans defines " + this.snapshot.plans.keySet());
		}

	}

	/** One complete, checked set of consumers, keys and plans; never changed once in force (but for a lazy count). */
	private static final class Snapshot {

		/** Every consumer, in configuration order (tollgate.consumers, then the file). */
		final List<Consumer> consumers = new ArrayList<>();

		final Map<String, Consumer> byUsername = new HashMap<>();

		/** Consumers with a configured id; derived ids are not indexed (see {@link ConsumerRegistry#find}). */
		final Map<String, Consumer> byId = new HashMap<>();

		final Map<ApiKeyDigest, Credential> byKey = new HashMap<>();

		final Map<String, ConsumerProperties.Limits> plans = new HashMap<>();

		final Map<String, JwtSecret> jwtSecrets = new HashMap<>();

		final Map<String, Consumer> byCustomId = new HashMap<>();

		/** API keys per username, counted on first use (the admin endpoints), not kept for every consumer. */
		volatile Map<String, Integer> keyCounts;

	}

}
