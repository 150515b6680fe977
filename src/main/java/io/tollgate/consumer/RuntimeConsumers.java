package io.tollgate.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.tollgate.config.InvalidConfigurationException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * This replica's copy of the consumers created through the Admin API, indexed for the request path like the
 * configured ones: a key look-up is one hash look-up, never a Redis call. Redis is the source of truth; the copy
 * is filled at startup, kept current by pub/sub ({@link #put}, {@link #remove}) and replaced whole by the periodic
 * resync ({@link #replaceAll}).
 * <p>
 * Reads take no lock. Writes are serialised; a request may see a consumer's old or new credentials for the
 * moment a change is being applied, never another consumer's.
 */
public final class RuntimeConsumers {

	private static final Log logger = LogFactory.getLog(RuntimeConsumers.class);

	/** A plan name to its limits, from the configuration in force (null for an unknown plan). */
	private final Function<String, ConsumerProperties.Limits> plans;

	private volatile Index index = new Index();

	public RuntimeConsumers(Function<String, ConsumerProperties.Limits> plans) {
		this.plans = plans;
	}

	Credential findByKey(ApiKeyDigest digest) {
		return this.index.byKey.get(digest);
	}

	JwtSecret findJwtSecret(String key) {
		return this.index.jwt.get(key);
	}

	Consumer findByUsernameOrCustomId(String value) {
		Index index = this.index;
		Entry entry = index.byUsername.get(value);
		return (entry != null) ? entry.consumer : index.byCustomId.get(value);
	}

	/** The consumer with this username or id, or null. */
	public Consumer find(String usernameOrId) {
		Index index = this.index;
		Entry entry = index.byUsername.get(usernameOrId);
		return (entry != null) ? entry.consumer : index.byId.get(usernameOrId);
	}

	/** How many runtime consumers this replica holds. */
	public int size() {
		return this.index.byUsername.size();
	}

	/**
	 * Applies one consumer's new state (created or changed): the new credentials are in place before the old ones
	 * go, so a key the change keeps is never missing, not even for a moment.
	 */
	public synchronized void put(StoredConsumer stored) {
		Index index = this.index;
		Entry old = index.byUsername.get(stored.username());
		add(index, stored);
		if (old != null) {
			forget(index, old);
		}
	}

	/** Forgets a deleted consumer. */
	public synchronized void remove(String username) {
		Index index = this.index;
		Entry old = index.byUsername.remove(username);
		if (old != null) {
			forget(index, old);
		}
	}

	/**
	 * Replaces every runtime consumer at once (startup and resync). The new set is built outside the lock: a change
	 * applied to the old one meanwhile is lost with it, and applied again after this, since its notification comes
	 * after the read.
	 */
	public void replaceAll(Iterable<StoredConsumer> all) {
		Index fresh = new Index();
		for (StoredConsumer stored : all) {
			add(fresh, stored);
		}
		synchronized (this) {
			this.index = fresh;
		}
	}

	/** Removes what {@code old} put in the indexes and a newer entry has not taken over. */
	private static void forget(Index index, Entry old) {
		// By identity: Consumer.equals would match the new entry when only a credential changed.
		if (index.byId.get(old.consumer.id()) == old.consumer) {
			index.byId.remove(old.consumer.id());
		}
		if (old.consumer.customId() != null && index.byCustomId.get(old.consumer.customId()) == old.consumer) {
			index.byCustomId.remove(old.consumer.customId());
		}
		for (ApiKeyDigest digest : old.digests) {
			Credential credential = index.byKey.get(digest);
			if (credential != null && credential.consumer() == old.consumer) {
				index.byKey.remove(digest);
			}
		}
		for (String key : old.jwtKeys) {
			JwtSecret secret = index.jwt.get(key);
			if (secret != null && secret.consumer() == old.consumer) {
				index.jwt.remove(key);
			}
		}
	}

	private void add(Index index, StoredConsumer stored) {
		String plan = stored.plan();
		Consumer consumer = new Consumer(stored.id(), stored.username(), stored.customId(), stored.groups(), plan,
				(plan != null) ? this.plans.apply(plan) : null, false);
		List<ApiKeyDigest> digests = new ArrayList<>(stored.keys().size());
		for (StoredConsumer.Key key : stored.keys()) {
			ApiKeyDigest digest;
			try {
				digest = ApiKeyDigest.ofHex(key.sha256());
			}
			catch (RuntimeException ex) {
				logger.warn("API key '" + key.id() + "' of runtime consumer '" + stored.username()
						+ "' ignored: its sha256 is not 64 hexadecimal characters");
				continue;
			}
			digests.add(digest);
			long expiresAt = (key.expiresAt() != null && key.expiresAt() < Long.MAX_VALUE / 1000)
					? key.expiresAt() * 1000 : Credential.NEVER;
			index.byKey.put(digest, new Credential(key.id(), consumer, expiresAt));
		}
		List<StoredConsumer.Jwt> jwts = stored.jwts();
		String[] jwtKeys = new String[jwts.size()];
		for (int i = 0; i < jwtKeys.length; i++) {
			StoredConsumer.Jwt jwt = jwts.get(i);
			jwtKeys[i] = jwt.key();
			try {
				index.jwt.put(jwt.key(), toSecret(jwt, consumer));
			}
			catch (InvalidConfigurationException ex) {
				// Written by the Admin API, which checks the same; only a hand-edited value gets here.
				logger.warn("JWT credential '" + jwt.id() + "' of runtime consumer '" + stored.username()
						+ "' ignored: " + ex.getMessage());
			}
		}
		index.byUsername.put(stored.username(), new Entry(consumer, digests.toArray(new ApiKeyDigest[0]), jwtKeys));
		index.byId.put(consumer.id(), consumer);
		if (consumer.customId() != null) {
			index.byCustomId.put(consumer.customId(), consumer);
		}
	}

	/**
	 * Checks a JWT credential as configuration is checked, and makes the secret the request path uses.
	 *
	 * @throws InvalidConfigurationException saying what is wrong (the field names are Kong's)
	 */
	public static JwtSecret toSecret(StoredConsumer.Jwt jwt, Consumer consumer) {
		return JwtSecrets.check(
				new ConsumerProperties.JwtSecretDefinition(jwt.key(), jwt.algorithm(), jwt.secret(), jwt.rsaPublicKey()),
				consumer, "jwt");
	}

	/** What a consumer added to the indexes, so a change removes exactly that. */
	private record Entry(Consumer consumer, ApiKeyDigest[] digests, String[] jwtKeys) {
	}

	private static final class Index {

		final Map<String, Entry> byUsername = new ConcurrentHashMap<>();

		final Map<String, Consumer> byId = new ConcurrentHashMap<>();

		final Map<String, Consumer> byCustomId = new ConcurrentHashMap<>();

		final Map<ApiKeyDigest, Credential> byKey = new ConcurrentHashMap<>();

		final Map<String, JwtSecret> jwt = new ConcurrentHashMap<>();

	}

}
