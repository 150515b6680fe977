package io.tollgate.testsupport;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Key pairs made for a test run: RSA 2048 and EC P-256, for tokens and the identity providers that publish them. */
public final class TestKeys {

	private TestKeys() {
	}

	public static KeyPair rsa() {
		return generate("RSA", null);
	}

	public static KeyPair ec() {
		return generate("EC", "secp256r1");
	}

	private static KeyPair generate(String algorithm, String curve) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
			if (curve != null) {
				generator.initialize(new ECGenParameterSpec(curve));
			}
			else {
				generator.initialize(2048);
			}
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
