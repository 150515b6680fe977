package io.tollgate.consumer;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the gateway ({@code tollgate.consumers}) and the plans they can be on ({@code tollgate.plans}).
 * Checked as a whole by {@link ConsumerRegistry} at startup; plaintext keys are turned into digests there and
 * are never kept in the registry.
 *
 * @param consumers the consumers, each with a unique username
 * @param consumersFile a YAML ({@code .yml}, {@code .yaml}) or JSON ({@code .json}) file of more consumers, in the
 * same shape as {@code consumers} (a list, or a {@code consumers:} key holding one), read one consumer at a time
 * outside Spring's binder: for large consumer sets (a hundred thousand API keys start in seconds). A relative path
 * resolves against the working directory. Its consumers join those of {@code consumers}; usernames and keys must be
 * unique across both. Placeholders ({@code ${...}}) are not resolved in it; keys may be given in plaintext (kept
 * only as digests) or, so that the file holds no secret, as {@code sha256} digests
 * @param plans named sets of rate limits; a consumer's {@code plan} names one of them
 */
@ConfigurationProperties("tollgate")
public record ConsumerProperties(@DefaultValue List<ConsumerDefinition> consumers, String consumersFile,
		@DefaultValue Map<String, PlanDefinition> plans) {

	/**
	 * One consumer.
	 *
	 * @param username unique name; sent upstream as {@code X-Consumer-Username}
	 * @param id stable id sent as {@code X-Consumer-ID}; defaults to a UUID derived from the username, so
	 * every replica agrees on it
	 * @param customId optional id from another system (CRM, billing); sent as {@code X-Consumer-Custom-ID}
	 * @param groups group names, used by {@code Acl} and sent as {@code X-Consumer-Groups}
	 * @param plan optional name of an entry of {@code tollgate.plans}
	 * @param apiKeys the consumer's API keys
	 * @param jwtSecrets the consumer's JWT signing secrets or public keys (Kong jwt credentials)
	 */
	public record ConsumerDefinition(String username, String id, String customId, @DefaultValue List<String> groups,
			String plan, @DefaultValue List<ApiKeyDefinition> apiKeys, @DefaultValue List<JwtSecretDefinition> jwtSecrets) {
	}

	/**
	 * One JWT credential: tokens whose {@code iss} (or the JwtAuth route's {@code key-claim-name}) equals
	 * {@code key} must be signed with this algorithm and secret or key.
	 *
	 * @param key the value of the key claim; sent upstream as {@code X-Credential-Identifier}
	 * @param algorithm {@code HS256}, {@code HS384}, {@code HS512}, {@code RS256} or {@code ES256}
	 * @param secret the HMAC secret (HS*), at least as many bytes as the hash (32 for HS256); from a secret store
	 * @param publicKey the PEM public key (RS256, ES256)
	 */
	public record JwtSecretDefinition(String key, String algorithm, String secret, String publicKey) {
	}

	/**
	 * One API key: exactly one of {@code key} and {@code sha256}.
	 *
	 * @param id credential id, sent upstream as {@code X-Credential-Identifier}; defaults to
	 * {@code <username>-key-<n>}
	 * @param key the key in plaintext; take it from the environment or a secret ({@code ${MOBILE_APP_KEY}}),
	 * never commit it
	 * @param sha256 the hex SHA-256 digest of the key, for configuration that must not hold the key at all
	 * @param expiresAt optional ISO-8601 instant ({@code 2027-01-31T00:00:00Z}) from which the key is refused: to
	 * rotate, configure the new key beside the old one and let the old one expire
	 */
	public record ApiKeyDefinition(String id, String key, String sha256, String expiresAt) {
	}

	/**
	 * A plan: the limits a consumer on it gets, replacing a route's own.
	 *
	 * @param limits requests allowed per window
	 */
	public record PlanDefinition(@DefaultValue Limits limits) {
	}

	/**
	 * Requests allowed per window; an absent window is not limited.
	 *
	 * @param second per sliding second
	 * @param minute per sliding minute
	 * @param hour per sliding hour
	 * @param day per calendar day
	 * @param month per calendar month
	 */
	public record Limits(Long second, Long minute, Long hour, Long day, Long month) {
	}

}
