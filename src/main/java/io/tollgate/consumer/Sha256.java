package io.tollgate.consumer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest Tollgate uses: of API keys (stored and indexed instead of the keys), and of
 * client-chosen values that become keys of counters and cache entries (short, brace-free, revealing nothing).
 * One {@link MessageDigest} per thread, so the hot path allocates no digest and takes no lock.
 */
public final class Sha256 {

	private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	});

	private Sha256() {
	}

	/** The 32-byte digest of {@code value}'s UTF-8 bytes. */
	public static byte[] of(String value) {
		return DIGEST.get().digest(value.getBytes(StandardCharsets.UTF_8));
	}

	/** The whole digest, 64 hexadecimal characters. */
	public static String hex(String value) {
		return HexFormat.of().formatHex(of(value));
	}

	/** The first 16 bytes of the digest, 32 hexadecimal characters: enough to tell keys apart. */
	public static String shortHex(String value) {
		return HexFormat.of().formatHex(of(value), 0, 16);
	}

}
