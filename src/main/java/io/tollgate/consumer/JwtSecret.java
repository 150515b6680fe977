package io.tollgate.consumer;

import java.security.PublicKey;

/**
 * A consumer's JWT credential, checked at startup: the algorithm tokens must use, and the HMAC secret or public
 * key that verifies them.
 *
 * @param key the key claim value (usually {@code iss}) that selects this credential
 * @param algorithm the only algorithm accepted (so a token cannot pick another: no {@code none}, no algorithm
 * confusion)
 * @param secret the HMAC secret for HS*, or null
 * @param publicKey the RSA or EC public key for RS256/ES256, or null
 * @param consumer the owner
 */
public record JwtSecret(String key, String algorithm, byte[] secret, PublicKey publicKey, Consumer consumer) {

	@Override
	public String toString() {
		return "JwtSecret[key=" + this.key + ", algorithm=" + this.algorithm + ", consumer=" + this.consumer.username()
				+ "]";
	}

}
