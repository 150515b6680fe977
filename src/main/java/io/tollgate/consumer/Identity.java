package io.tollgate.consumer;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who an exchange was authenticated as, kept as an exchange attribute by the auth filters and read by the
 * policies after them (Acl, RateLimit, ResponseCache) and by {@link ConsumerHeadersFilter}.
 *
 * @param consumer the consumer
 * @param credentialId the credential that authenticated it; null for the anonymous consumer
 * @param anonymous true when the route's {@code anonymous} consumer stands in for a failed authentication
 */
public record Identity(Consumer consumer, String credentialId, boolean anonymous) {

	private static final String ATTRIBUTE = Identity.class.getName();

	private static final String UNMAPPED_SUBJECT = Identity.class.getName() + ".unmappedSubject";

	public static Identity authenticated(Credential credential) {
		return new Identity(credential.consumer(), credential.id(), false);
	}

	public static Identity anonymous(Consumer consumer) {
		return new Identity(consumer, null, true);
	}

	/** The exchange's identity, or null when no auth filter has accepted it. */
	public static Identity of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	public void storeIn(ServerWebExchange exchange) {
		exchange.getAttributes().put(ATTRIBUTE, this);
	}

	/**
	 * Marks an exchange authenticated (a valid token) for a subject that names no known consumer: such a request
	 * has no consumer to key caches or quotas by, so shared caches pass it through.
	 */
	public static void storeUnmappedSubject(ServerWebExchange exchange, String subject) {
		exchange.getAttributes().put(UNMAPPED_SUBJECT, (subject != null) ? subject : "unknown");
	}

	/** The subject of an authenticated exchange that has no consumer; null otherwise. */
	public static String unmappedSubject(ServerWebExchange exchange) {
		return exchange.getAttribute(UNMAPPED_SUBJECT);
	}

}
