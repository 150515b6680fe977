package io.tollgate.consumer;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 digest of an API key: what the registry stores and indexes instead of the key. Equality is
 * checked in constant time; the hash code reads only the first four bytes, which says nothing useful about
 * a key because the digest is one-way.
 */
final class ApiKeyDigest {

	private final byte[] bytes;

	private final int hash;

	private ApiKeyDigest(byte[] bytes) {
		this.bytes = bytes;
		this.hash = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
	}

	static ApiKeyDigest ofKey(String key) {
		return new ApiKeyDigest(Sha256.of(key));
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
