package io.tollgate.admin;

import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import io.lettuce.core.RedisException;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.RedisConsumerStore;
import io.tollgate.consumer.RuntimeConsumers;
import io.tollgate.consumer.StoredConsumer;
import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;

/**
 * Reads and changes runtime consumers in Redis for the Admin API: each change is read, applied and written with
 * a check that nobody changed the consumer meanwhile (retried if someone did), then applied to this replica's copy
 * at once (the others get it by pub/sub). Maps what Redis says to Kong's answers: a claim held by another consumer
 * is a 409, a consumer from configuration is a 409 too, an unreachable Redis a 503.
 */
final class RuntimeConsumerWrites {

	private static final int ATTEMPTS = 5;

	private final ObjectProvider<RedisConsumerStore> store;

	private final ObjectProvider<RuntimeConsumers> runtime;

	private final ObjectProvider<RedisReadiness> readiness;

	private final ConsumerRegistry registry;

	RuntimeConsumerWrites(ObjectProvider<RedisConsumerStore> store, ObjectProvider<RuntimeConsumers> runtime,
			ObjectProvider<RedisReadiness> readiness, ConsumerRegistry registry) {
		this.store = store;
		this.runtime = runtime;
		this.readiness = readiness;
		this.registry = registry;
	}

	ConsumerRegistry registry() {
		return this.registry;
	}

	/** The store, if Redis is configured and connected; else a 503 saying which. */
	Mono<RedisConsumerStore> store() {
		RedisConsumerStore store = this.store.getIfAvailable();
		if (store == null) {
			return Mono.error(AdminApiException.unavailable("Runtime consumers are kept in Redis, and no Redis is "
					+ "configured (spring.data.redis.host, url, sentinel or cluster). Consumers from configuration "
					+ "keep working; /actuator/consumers lists them."));
		}
		RedisReadiness readiness = this.readiness.getIfAvailable();
		if (readiness != null && !readiness.isConnected()) {
			return Mono.error(unreachable(null));
		}
		return Mono.just(store);
	}

	/** The runtime consumer with this username or id; 404, or 409 when it is a configured one. */
	Mono<StoredConsumer> find(String usernameOrId) {
		return findJson(usernameOrId).map(StoredConsumer::fromJson);
	}

	/** The consumer as stored, for a change to compare with. */
	private Mono<String> findJson(String usernameOrId) {
		if (this.registry.isConfigured(usernameOrId)) {
			// Configured consumers win over runtime ones of the same name (their lookups come first).
			return Mono.error(AdminApiException.managedInConfiguration(ConsumersApi.printable(usernameOrId)));
		}
		return store().flatMap((store) -> store.findJson(usernameOrId))
			.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
			.switchIfEmpty(Mono.error(AdminApiException::notFound));
	}

	/** Creates a consumer; 409 when the username, id or custom id is taken. */
	Mono<StoredConsumer> create(StoredConsumer consumer) {
		if (this.registry.isConfigured(consumer.username())) {
			return Mono.error(AdminApiException.uniqueViolation("username", consumer.username()));
		}
		if (isConfiguredCustomId(consumer.customId())) {
			return Mono.error(AdminApiException.uniqueViolation("custom_id", consumer.customId()));
		}
		return store().flatMap((store) -> store.write(consumer.username(), null, null, consumer))
			.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
			.flatMap((outcome) -> {
				if (outcome.equals("changed")) {
					return Mono.error(AdminApiException.uniqueViolation("username", consumer.username()));
				}
				return written(outcome, null, consumer);
			});
	}

	/** Forgets when deleted keys were last used; best effort (the change itself is done). */
	Mono<Void> forgetLastUsed(List<String> credentialIds) {
		return store().flatMap((store) -> store.forgetLastUsed(credentialIds)).onErrorResume((ex) -> Mono.empty()).then();
	}

	/** True when a configured consumer has this custom id (runtime ones are checked by Redis's claims). */
	boolean isConfiguredCustomId(String customId) {
		return customId != null && this.registry.isConfiguredCustomId(customId);
	}

	/**
	 * Applies {@code change} to the consumer and writes the result, retrying when another admin wrote first.
	 * {@code change} may throw an {@link AdminApiException} (a bad field, a missing credential).
	 */
	Mono<StoredConsumer> modify(String usernameOrId, UnaryOperator<StoredConsumer> change) {
		return attempt(usernameOrId, change, 1);
	}

	/** Deletes the consumer and its credentials. */
	Mono<StoredConsumer> delete(String usernameOrId) {
		return attempt(usernameOrId, (current) -> null, 1);
	}

	private Mono<StoredConsumer> attempt(String usernameOrId, UnaryOperator<StoredConsumer> change, int attempt) {
		return findJson(usernameOrId).flatMap((json) -> {
			StoredConsumer current = StoredConsumer.fromJson(json);
			StoredConsumer next = change.apply(current);
			if (current.equals(next)) {
				return Mono.just(current); // nothing to write (deleting a credential already gone, say)
			}
			return store().flatMap((store) -> store.write(current.username(), json, current, next))
				.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
				.flatMap((outcome) -> {
					if (outcome.equals("changed")) {
						if (attempt >= ATTEMPTS) {
							return Mono.error(AdminApiException.conflict(
									"consumer '" + current.username() + "' is being changed by others: try again"));
						}
						return attempt(usernameOrId, change, attempt + 1);
					}
					return written(outcome, current, next);
				});
		});
	}

	private Mono<StoredConsumer> written(String outcome, StoredConsumer before, StoredConsumer after) {
		if (outcome.startsWith("taken:")) {
			return Mono.error(taken(outcome.substring("taken:".length())));
		}
		RuntimeConsumers runtime = this.runtime.getObject();
		if (after != null) {
			runtime.put(after);
			return Mono.just(after);
		}
		runtime.remove(before.username());
		return Mono.just(before);
	}

	/** The 409 for a claim ({@link StoredConsumer#claims()}) another consumer holds; never shows a key digest. */
	private static AdminApiException taken(String claim) {
		int colon = claim.indexOf(':');
		String kind = claim.substring(0, colon);
		String value = claim.substring(colon + 1);
		return switch (kind) {
			case "key" -> AdminApiException.uniqueViolation("key", "<hidden>");
			case "jwt" -> AdminApiException.uniqueViolation("key", value);
			default -> AdminApiException.uniqueViolation(kind, value);
		};
	}

	static boolean isRedisFailure(Throwable ex) {
		return ex instanceof DataAccessException || ex instanceof TimeoutException
				|| ex instanceof RedisException;
	}

	static AdminApiException unreachable(Throwable cause) {
		return AdminApiException.unavailable("Redis, which holds the runtime consumers, is not reachable"
				+ ((cause != null) ? " (" + cause.getClass().getSimpleName() + ")" : "")
				+ ": nothing was changed. Consumers and keys already known keep working; try again.");
	}

}
