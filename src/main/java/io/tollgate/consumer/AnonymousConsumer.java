package io.tollgate.consumer;

import io.tollgate.config.InvalidConfigurationException;

import org.springframework.web.server.ServerWebExchange;

/**
 * An auth filter's {@code anonymous} setting, with Kong's semantics shared by KeyAuth and JwtAuth: when set, a
 * failed authentication becomes that consumer (upstream sees {@code X-Anonymous-Consumer: true}), and an exchange
 * an earlier auth filter already authenticated passes ("any of"); when not set, every auth filter must succeed
 * ("all of").
 */
public final class AnonymousConsumer {

	private static final AnonymousConsumer NONE = new AnonymousConsumer(null);

	private final Consumer consumer;

	private AnonymousConsumer(Consumer consumer) {
		this.consumer = consumer;
	}

	/**
	 * @param usernameOrId the filter's {@code anonymous} argument, or null
	 * @throws InvalidConfigurationException naming {@code anonymous} when no such consumer exists
	 */
	public static AnonymousConsumer resolve(ConsumerRegistry registry, String usernameOrId) {
		if (usernameOrId == null || usernameOrId.isBlank()) {
			return NONE;
		}
		Consumer consumer = registry.findConfigured(usernameOrId);
		if (consumer == null) {
			throw new InvalidConfigurationException("anonymous",
					"consumer '" + usernameOrId + "' does not exist in tollgate.consumers");
		}
		return new AnonymousConsumer(consumer);
	}

	/** True when another auth filter on the route already authenticated the exchange and anonymous is set. */
	public boolean alreadyAuthenticated(ServerWebExchange exchange) {
		Identity identity = Identity.of(exchange);
		return this.consumer != null && identity != null && !identity.anonymous();
	}

	/** Lets the anonymous consumer stand in for a failed authentication; false when anonymous is not set. */
	public boolean standIn(ServerWebExchange exchange) {
		if (this.consumer == null) {
			return false;
		}
		Identity.anonymous(this.consumer).storeIn(exchange);
		return true;
	}

}
