package io.tollgate.consumer;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

import io.tollgate.config.InvalidConfigurationException;

import org.springframework.util.StringUtils;

/** Checks a configured JWT credential and turns it into a {@link JwtSecret}. */
final class JwtSecrets {

	/** Algorithm to minimum HMAC secret length (bytes) or key type. */
	private static final Map<String, String> ALGORITHMS = Map.of("HS256", "32", "HS384", "48", "HS512", "64", "RS256",
			"RSA", "ES256", "EC");

	private JwtSecrets() {
	}

	static JwtSecret check(ConsumerProperties.JwtSecretDefinition definition, Consumer consumer, String at) {
		if (!StringUtils.hasText(definition.key())) {
			throw new InvalidConfigurationException(at + ".key", "must not be empty (it is matched against the token's iss)");
		}
		String algorithm = StringUtils.hasText(definition.algorithm()) ? definition.algorithm() : "HS256";
		String kind = ALGORITHMS.get(algorithm);
		if (kind == null) {
			throw new InvalidConfigurationException(at + ".algorithm",
					"unsupported algorithm '" + algorithm + "'; use one of " + ALGORITHMS.keySet());
		}
		if (algorithm.startsWith("HS")) {
			if (!StringUtils.hasText(definition.secret()) || definition.secret().startsWith("${")) {
				throw new InvalidConfigurationException(at + ".secret", "an HMAC secret is required for " + algorithm);
			}
			byte[] secret = definition.secret().getBytes(StandardCharsets.UTF_8);
			if (secret.length < Integer.parseInt(kind)) {
				throw new InvalidConfigurationException(at + ".secret",
						"too short for " + algorithm + ": at least " + kind + " bytes");
			}
			return new JwtSecret(definition.key(), algorithm, secret, null, consumer);
		}
		if (!StringUtils.hasText(definition.publicKey())) {
			throw new InvalidConfigurationException(at + ".public-key", "a PEM public key is required for " + algorithm);
		}
		return new JwtSecret(definition.key(), algorithm, null, publicKey(definition.publicKey(), kind, at), consumer);
	}

	private static PublicKey publicKey(String pem, String type, String at) {
		try {
			String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
			return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
		}
		catch (Exception ex) {
			throw new InvalidConfigurationException(at + ".public-key", "not a PEM " + type + " public key");
		}
	}

}
