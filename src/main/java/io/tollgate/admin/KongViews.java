package io.tollgate.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.StoredConsumer;

/**
 * Entities as Kong's Admin API shows them (snake_case, times in epoch seconds, absent values as {@code null}),
 * plus Tollgate's {@code plan} and {@code managed_by}. Never an API key, a digest or a JWT secret: those are shown
 * once, by the request that creates them.
 */
final class KongViews {

	private KongViews() {
	}

	static Map<String, Object> consumer(StoredConsumer consumer) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", consumer.id());
		view.put("username", consumer.username());
		view.put("custom_id", consumer.customId());
		view.put("tags", consumer.tags());
		view.put("created_at", consumer.createdAt());
		view.put("plan", consumer.plan());
		view.put("managed_by", "admin-api");
		return view;
	}

	/** A consumer from configuration: read-only here. */
	static Map<String, Object> configured(Consumer consumer) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", consumer.id());
		view.put("username", consumer.username());
		view.put("custom_id", consumer.customId());
		view.put("tags", null);
		view.put("created_at", null);
		view.put("plan", consumer.plan());
		view.put("managed_by", "configuration");
		return view;
	}

	/**
	 * @param key the key in clear, only in the answer to the request that created it; else null (not shown)
	 * @param lastUsedAt epoch seconds, or null
	 */
	static Map<String, Object> key(StoredConsumer consumer, StoredConsumer.Key credential, String key,
			Long lastUsedAt, long nowSeconds) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", credential.id());
		view.put("consumer", Map.of("id", consumer.id()));
		if (key != null) {
			view.put("key", key);
		}
		view.put("created_at", credential.createdAt());
		view.put("expires_at", credential.expiresAt());
		// Kong shows the seconds left, as its database's TTL does.
		view.put("ttl", (credential.expiresAt() != null) ? Math.max(0, credential.expiresAt() - nowSeconds) : null);
		view.put("last_used_at", lastUsedAt);
		view.put("tags", credential.tags());
		return view;
	}

	static Map<String, Object> acl(StoredConsumer consumer, StoredConsumer.Acl acl) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", acl.id());
		view.put("consumer", Map.of("id", consumer.id()));
		view.put("group", acl.group());
		view.put("created_at", acl.createdAt());
		view.put("tags", acl.tags());
		return view;
	}

	/** @param withSecret true only in the answer to the request that created it */
	static Map<String, Object> jwt(StoredConsumer consumer, StoredConsumer.Jwt jwt, boolean withSecret) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", jwt.id());
		view.put("consumer", Map.of("id", consumer.id()));
		view.put("key", jwt.key());
		view.put("algorithm", jwt.algorithm());
		if (withSecret) {
			view.put("secret", jwt.secret());
		}
		view.put("rsa_public_key", jwt.rsaPublicKey());
		view.put("created_at", jwt.createdAt());
		view.put("tags", jwt.tags());
		return view;
	}

	/** Kong's list shape. */
	static Map<String, Object> page(List<?> data, String next, String offset) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("data", data);
		view.put("next", next);
		if (offset != null) {
			view.put("offset", offset);
		}
		return view;
	}

}
