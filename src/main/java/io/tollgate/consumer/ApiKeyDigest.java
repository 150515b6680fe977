package io.tollgate.consumer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of an API key: what the registry stores and indexes instead of the key. Equality is
 * checked in constant time; the hash code reads only the first four bytes, which says nothing useful about
 * a key because the digest is one-way.
 */
final class ApiKeyDigest {

	private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	});

	private final byte[] bytes;

	private final int hash;

	private ApiKeyDigest(byte[] bytes) {
		this.bytes = bytes;
		this.hash = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
	}

	static ApiKeyDigest ofKey(String key) {
		return new ApiKeyDigest(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
	}

	/** @throws IllegalArgumentException unless {@code hex} is 64 hexadecimal characters */
	static ApiKeyDigest ofHex(String hex) {
		if (hex.length() != 64) {
			throw new IllegalArgumentException("expected 64 hexadecimal characters");
		}
		return new ApiKeyDigest(HexFormat.of().parseHex(hex));
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ApiKeyDigest that && MessageDigest.isEqual(this.bytes, that.bytes);
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	@Override
	public String toString() {
		return "ApiKeyDigest[hidden]";
	}

}
