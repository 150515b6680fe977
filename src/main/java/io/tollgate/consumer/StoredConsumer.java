package io.tollgate.consumer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * A consumer created through the Admin API, as Redis holds it: one JSON value per consumer, with its ACL groups,
 * its API keys as SHA-256 digests (never a key in clear) and its JWT credentials. Immutable; a change writes a
 * whole new value ({@code with...}).
 *
 * @param id the consumer id (a random UUID), sent as {@code X-Consumer-ID}
 * @param username unique name, sent as {@code X-Consumer-Username}
 * @param customId id in another system, or null
 * @param tags Kong tags, or null
 * @param createdAt epoch seconds
 * @param plan the name of an entry of {@code tollgate.plans}, or null
 * @param acls ACL groups
 * @param keys API keys (digests)
 * @param jwts JWT credentials
 */
public record StoredConsumer(String id, String username, String customId, List<String> tags, long createdAt,
		String plan, List<Acl> acls, List<Key> keys, List<Jwt> jwts) {

	/** Unknown fields are ignored: a newer version may write some that an older replica does not know. */
	private static final JsonMapper JSON = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.changeDefaultPropertyInclusion((inclusion) -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
		.build();

	public StoredConsumer {
		acls = (acls != null) ? List.copyOf(acls) : List.of();
		keys = (keys != null) ? List.copyOf(keys) : List.of();
		jwts = (jwts != null) ? List.copyOf(jwts) : List.of();
	}

	/**
	 * An API key.
	 *
	 * @param id credential id (a random UUID), sent as {@code X-Credential-Identifier}
	 * @param sha256 hex SHA-256 digest of the key
	 * @param createdAt epoch seconds
	 * @param expiresAt epoch seconds from which the key is refused, or null
	 * @param tags Kong tags, or null
	 */
	public record Key(String id, String sha256, long createdAt, Long expiresAt, List<String> tags) {
	}

	/**
	 * An ACL group membership.
	 *
	 * @param id the membership id
	 * @param group the group
	 * @param createdAt epoch seconds
	 * @param tags Kong tags, or null
	 */
	public record Acl(String id, String group, long createdAt, List<String> tags) {
	}

	/**
	 * A JWT credential: the secret has to be kept to verify HMAC signatures (as in Kong).
	 *
	 * @param id credential id
	 * @param key the value of the token's key claim ({@code iss})
	 * @param algorithm HS256, HS384, HS512, RS256 or ES256
	 * @param secret the HMAC secret, or null
	 * @param rsaPublicKey the PEM public key (RS256, ES256), or null
	 * @param createdAt epoch seconds
	 * @param tags Kong tags, or null
	 */
	public record Jwt(String id, String key, String algorithm, String secret, String rsaPublicKey, long createdAt,
			List<String> tags) {
	}

	/** Reads a value written by {@link #toJson}. */
	public static StoredConsumer fromJson(String json) {
		StoredConsumer consumer;
		try {
			consumer = JSON.readValue(json, StoredConsumer.class);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not a stored consumer: " + ex.getOriginalMessage());
		}
		if (consumer == null || consumer.id() == null || consumer.username() == null) {
			throw new IllegalArgumentException("not a stored consumer: no id or username");
		}
		return consumer;
	}

	public String toJson() {
		return JSON.writeValueAsString(this);
	}

	public StoredConsumer withIdentity(String username, String customId, List<String> tags) {
		return new StoredConsumer(this.id, username, customId, tags, this.createdAt, this.plan, this.acls, this.keys,
				this.jwts);
	}

	public StoredConsumer withPlan(String plan) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, plan, this.acls,
				this.keys, this.jwts);
	}

	public StoredConsumer withAcl(Acl acl) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				plus(this.acls, acl), this.keys, this.jwts);
	}

	public StoredConsumer withoutAcls(Predicate<Acl> which) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				minus(this.acls, which), this.keys, this.jwts);
	}

	public StoredConsumer withKey(Key key) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				this.acls, plus(this.keys, key), this.jwts);
	}

	public StoredConsumer withoutKeys(Predicate<Key> which) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				this.acls, minus(this.keys, which), this.jwts);
	}

	public StoredConsumer withJwt(Jwt jwt) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				this.acls, this.keys, plus(this.jwts, jwt));
	}

	public StoredConsumer withoutJwts(Predicate<Jwt> which) {
		return new StoredConsumer(this.id, this.username, this.customId, this.tags, this.createdAt, this.plan,
				this.acls, this.keys, minus(this.jwts, which));
	}

	/** The distinct ACL groups, in the order they were added. */
	public List<String> groups() {
		Set<String> groups = new LinkedHashSet<>();
		for (Acl acl : this.acls) {
			groups.add(acl.group());
		}
		return List.copyOf(groups);
	}

	/**
	 * What this consumer holds that no other may: its id, custom id, key digests and JWT keys. Redis keeps an owner
	 * per claim, so two replicas cannot give the same key to two consumers.
	 */
	public List<String> claims() {
		List<String> claims = new ArrayList<>();
		claims.add("id:" + this.id);
		if (this.customId != null) {
			claims.add("custom_id:" + this.customId);
		}
		for (Key key : this.keys) {
			claims.add("key:" + key.sha256());
		}
		for (Jwt jwt : this.jwts) {
			claims.add("jwt:" + jwt.key());
		}
		return claims;
	}

	private static <T> List<T> plus(List<T> list, T element) {
		List<T> copy = new ArrayList<>(list);
		copy.add(element);
		return copy;
	}

	private static <T> List<T> minus(List<T> list, Predicate<T> which) {
		List<T> copy = new ArrayList<>(list);
		copy.removeIf(which);
		return copy;
	}

}
