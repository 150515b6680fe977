package io.tollgate.ratelimit;

import java.util.Locale;

import org.springframework.web.server.ServerWebExchange;

/**
 * What the rate limiter decided for an exchange, kept on it for the access log: allowed or rejected, and which
 * store decided (redis, or local when Redis failed or is not used).
 *
 * @param allowed whether the request was admitted
 * @param store the store that decided, in lower case
 */
public record RateLimitOutcome(boolean allowed, String store) {

	private static final String ATTRIBUTE = RateLimitOutcome.class.getName();

	/** The exchange's outcome; null when no RateLimit filter decided on it. */
	public static RateLimitOutcome of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	static void store(ServerWebExchange exchange, Decision decision, RateLimiter.Source source) {
		exchange.getAttributes().put(ATTRIBUTE,
				new RateLimitOutcome(decision.allowed(), source.name().toLowerCase(Locale.ROOT)));
	}

	/** {@code allowed} or {@code rejected}, as the access log writes it. */
	public String decision() {
		return this.allowed ? "allowed" : "rejected";
	}

}
