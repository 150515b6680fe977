package io.tollgate.admin;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.RuntimeConsumers;
import io.tollgate.consumer.Sha256;
import io.tollgate.consumer.StoredConsumer;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import static io.tollgate.admin.ConsumersApi.audit;
import static io.tollgate.admin.ConsumersApi.now;
import static io.tollgate.admin.ConsumersApi.printable;

/**
 * A runtime consumer's credentials, as Kong's key-auth, acl and jwt plugins expose them:
 * {@code /consumers/{c}/key-auth}, {@code /acls} and {@code /jwt}. An API key is shown once, in the answer that
 * creates it (Tollgate keeps only its digest); a JWT secret likewise.
 */
final class CredentialsApi {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** Far enough for any real key; keeps {@code now + ttl} a valid instant. */
	private static final long MAX_TTL = 100L * 366 * 24 * 3600;

	private static final int MAX_FIELD = 4096;

	private final RuntimeConsumerWrites writes;

	private final ConsumerRegistry registry;

	CredentialsApi(RuntimeConsumerWrites writes) {
		this.writes = writes;
		this.registry = writes.registry();
	}

	// key-auth

	Mono<ServerResponse> listKeys(ServerRequest request) {
		return this.writes.find(request.pathVariable("consumer")).flatMap((consumer) -> {
			long now = now();
			List<StoredConsumer.Key> keys = consumer.keys().stream().filter((key) -> !expired(key, now)).toList();
			return this.writes.store()
				.flatMap((store) -> store.lastUsed(keys.stream().map(StoredConsumer.Key::id).toList()))
				.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
				.map((lastUsed) -> page(keys, (key) -> KongViews.key(consumer, key, null, lastUsed.get(key.id()), now)));
		}).flatMap((page) -> ServerResponse.ok().bodyValue(page));
	}

	Mono<ServerResponse> getKey(ServerRequest request) {
		String id = request.pathVariable("id");
		return this.writes.find(request.pathVariable("consumer")).flatMap((consumer) -> {
			long now = now();
			StoredConsumer.Key key = consumer.keys()
				.stream()
				.filter((candidate) -> candidate.id().equals(id) && !expired(candidate, now))
				.findFirst()
				.orElseThrow(AdminApiException::notFound);
			return this.writes.store()
				.flatMap((store) -> store.lastUsed(List.of(id)))
				.map((lastUsed) -> KongViews.key(consumer, key, null, lastUsed.get(id), now));
		}).flatMap((view) -> ServerResponse.ok().bodyValue(view));
	}

	/**
	 * Issues a key: the given {@code key}, or a random one. {@code ttl} (seconds) makes it expire. Issuing a new key
	 * and deleting the old one later is rotation: both work in between.
	 */
	Mono<ServerResponse> createKey(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return AdminFields.read(request).flatMap((fields) -> {
			String key = fields.has("key") ? fields.text("key") : generatedKey();
			if (key == null || key.isBlank()) {
				throw AdminApiException.schemaViolation("key", "must not be empty");
			}
			if (key.length() > MAX_FIELD) {
				throw AdminApiException.schemaViolation("key", "length must be at most " + MAX_FIELD);
			}
			if (this.registry.findConfiguredKey(key) != null) {
				throw AdminApiException.uniqueViolation("key", "<hidden>");
			}
			Long ttl = fields.number("ttl");
			if (ttl != null && (ttl < 0 || ttl > MAX_TTL)) {
				throw AdminApiException.schemaViolation("ttl", "must be between 0 and " + MAX_TTL + " seconds");
			}
			long now = now();
			Long expiresAt = (ttl != null && ttl > 0) ? now + ttl : null;
			StoredConsumer.Key credential = new StoredConsumer.Key(UUID.randomUUID().toString(), Sha256.hex(key), now,
					expiresAt, fields.list("tags"));
			// Expired keys are dropped whenever the consumer is written (Kong's database drops them on its own).
			return this.writes.modify(wanted, (current) -> {
				if (current.keys().stream().anyMatch((old) -> old.sha256().equals(credential.sha256()))) {
					throw AdminApiException.uniqueViolation("key", "<hidden>");
				}
				return current.withoutKeys((old) -> expired(old, now)).withKey(credential);
			})
				.flatMap((consumer) -> audit(request, "key-auth.create", consumer.username(),
						"credential " + credential.id() + ((ttl != null) ? ", ttl " + ttl + " s" : ""))
					.then(ServerResponse.status(HttpStatus.CREATED)
						.bodyValue(KongViews.key(consumer, credential, key, null, now))));
		});
	}

	/** Like Kong: 204 whether or not the credential existed (the consumer must). */
	Mono<ServerResponse> deleteKey(ServerRequest request) {
		String id = request.pathVariable("id");
		return this.writes
			.modify(request.pathVariable("consumer"), (current) -> current.withoutKeys((key) -> key.id().equals(id)))
			.flatMap((consumer) -> audit(request, "key-auth.delete", consumer.username(), "credential " + id)
				.then(this.writes.forgetLastUsed(List.of(id))))
			.then(ServerResponse.noContent().build());
	}

	// acls

	Mono<ServerResponse> listAcls(ServerRequest request) {
		return this.writes.find(request.pathVariable("consumer"))
			.flatMap((consumer) -> ServerResponse.ok()
				.bodyValue(page(consumer.acls(), (acl) -> KongViews.acl(consumer, acl))));
	}

	Mono<ServerResponse> getAcl(ServerRequest request) {
		String idOrGroup = request.pathVariable("id");
		return this.writes.find(request.pathVariable("consumer"))
			.flatMap((consumer) -> ServerResponse.ok()
				.bodyValue(KongViews.acl(consumer, consumer.acls()
					.stream()
					.filter((acl) -> acl.id().equals(idOrGroup) || acl.group().equals(idOrGroup))
					.findFirst()
					.orElseThrow(AdminApiException::notFound))));
	}

	Mono<ServerResponse> createAcl(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return AdminFields.read(request).flatMap((fields) -> {
			String group = ConsumersApi.name(fields, "group");
			if (group == null) {
				throw AdminApiException.schemaViolation("group", "required field missing");
			}
			StoredConsumer.Acl acl = new StoredConsumer.Acl(UUID.randomUUID().toString(), group, now(),
					fields.list("tags"));
			return this.writes.modify(wanted, (current) -> {
				if (current.groups().contains(group)) {
					throw AdminApiException.uniqueViolation("group", printable(group));
				}
				return current.withAcl(acl);
			})
				.flatMap((consumer) -> audit(request, "acls.create", consumer.username(), "group " + group)
					.then(ServerResponse.status(HttpStatus.CREATED).bodyValue(KongViews.acl(consumer, acl))));
		});
	}

	/** {@code DELETE /consumers/{c}/acls/{id or group}}. */
	Mono<ServerResponse> deleteAcl(ServerRequest request) {
		String idOrGroup = request.pathVariable("id");
		return this.writes
			.modify(request.pathVariable("consumer"),
					(current) -> current
						.withoutAcls((acl) -> acl.id().equals(idOrGroup) || acl.group().equals(idOrGroup)))
			.flatMap((consumer) -> audit(request, "acls.delete", consumer.username(), "acl " + printable(idOrGroup)))
			.then(ServerResponse.noContent().build());
	}

	// jwt

	Mono<ServerResponse> listJwts(ServerRequest request) {
		return this.writes.find(request.pathVariable("consumer"))
			.flatMap((consumer) -> ServerResponse.ok()
				.bodyValue(page(consumer.jwts(), (jwt) -> KongViews.jwt(consumer, jwt, false))));
	}

	Mono<ServerResponse> getJwt(ServerRequest request) {
		String idOrKey = request.pathVariable("id");
		return this.writes.find(request.pathVariable("consumer"))
			.flatMap((consumer) -> ServerResponse.ok()
				.bodyValue(KongViews.jwt(consumer, consumer.jwts()
					.stream()
					.filter((jwt) -> jwt.id().equals(idOrKey) || jwt.key().equals(idOrKey))
					.findFirst()
					.orElseThrow(AdminApiException::notFound), false)));
	}

	/**
	 * Kong's jwt credential: {@code key} (the {@code iss} value; random when absent), {@code algorithm} (HS256 when
	 * absent), {@code secret} (random for HS* when absent) or {@code rsa_public_key} (RS256, ES256).
	 */
	Mono<ServerResponse> createJwt(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return AdminFields.read(request).flatMap((fields) -> {
			String key = fields.has("key") ? fields.text("key") : HexFormat.of().formatHex(random(16));
			String algorithm = (fields.text("algorithm") != null) ? fields.text("algorithm") : "HS256";
			String publicKey = fields.text("rsa_public_key");
			String secret = fields.text("secret");
			if (secret == null && algorithm.startsWith("HS")) {
				secret = HexFormat.of().formatHex(random(32)); // 64 bytes: long enough for HS512
			}
			if (key != null && key.length() > MAX_FIELD) {
				throw AdminApiException.schemaViolation("key", "length must be at most " + MAX_FIELD);
			}
			StoredConsumer.Jwt jwt = new StoredConsumer.Jwt(UUID.randomUUID().toString(), key, algorithm,
					algorithm.startsWith("HS") ? secret : null, algorithm.startsWith("HS") ? null : publicKey, now(),
					fields.list("tags"));
			check(jwt);
			if (this.registry.isConfiguredJwtKey(key)) {
				throw AdminApiException.uniqueViolation("key", printable(key));
			}
			return this.writes.modify(wanted, (current) -> current.withJwt(jwt))
				.flatMap((consumer) -> audit(request, "jwt.create", consumer.username(),
						"credential " + jwt.id() + ", algorithm " + jwt.algorithm())
					.then(ServerResponse.status(HttpStatus.CREATED).bodyValue(KongViews.jwt(consumer, jwt, true))));
		});
	}

	Mono<ServerResponse> deleteJwt(ServerRequest request) {
		String idOrKey = request.pathVariable("id");
		return this.writes
			.modify(request.pathVariable("consumer"),
					(current) -> current.withoutJwts((jwt) -> jwt.id().equals(idOrKey) || jwt.key().equals(idOrKey)))
			.flatMap((consumer) -> audit(request, "jwt.delete", consumer.username(), "credential " + printable(idOrKey)))
			.then(ServerResponse.noContent().build());
	}

	/** The same checks as a configured JWT credential, answered with Kong's field names. */
	private static void check(StoredConsumer.Jwt jwt) {
		try {
			RuntimeConsumers.toSecret(jwt, new Consumer("check", "check", null, List.of(), null));
		}
		catch (InvalidConfigurationException ex) {
			String property = ex.property();
			String field = property.substring(property.lastIndexOf('.') + 1);
			throw AdminApiException.schemaViolation(field.equals("public-key") ? "rsa_public_key" : field,
					ex.reason());
		}
	}

	private static boolean expired(StoredConsumer.Key key, long nowSeconds) {
		return key.expiresAt() != null && nowSeconds >= key.expiresAt();
	}

	/** 24 random bytes, URL-safe: 32 characters, 192 bits. */
	private static String generatedKey() {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(random(24));
	}

	private static byte[] random(int bytes) {
		byte[] value = new byte[bytes];
		RANDOM.nextBytes(value);
		return value;
	}

	private static <T> Map<String, Object> page(List<T> items, Function<T, Map<String, Object>> view) {
		List<Object> data = new ArrayList<>(items.size());
		for (T item : items) {
			data.add(view.apply(item));
		}
		return KongViews.page(data, null, null);
	}

}
