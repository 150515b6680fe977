package io.tollgate.consumer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The SHA-256 digest of an API key: what the registry stores and indexes instead of the key. Held as four longs
 * (one small object per key, no array beside it: the registry keeps one per configured key). Equality is checked
 * in constant time; the hash code reads only the first four bytes, which says nothing useful about a key because
 * the digest is one-way.
 */
final class ApiKeyDigest {

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

	private final long d0;

	private final long d1;

	private final long d2;

	private final long d3;

	private ApiKeyDigest(long d0, long d1, long d2, long d3) {
		this.d0 = d0;
		this.d1 = d1;
		this.d2 = d2;
		this.d3 = d3;
	}

	static ApiKeyDigest ofKey(String key) {
		byte[] bytes = Sha256.of(key);
		return new ApiKeyDigest((long) LONGS.get(bytes, 0), (long) LONGS.get(bytes, 8), (long) LONGS.get(bytes, 16),
				(long) LONGS.get(bytes, 24));
	}

	/** @throws IllegalArgumentException unless {@code hex} is 64 hexadecimal characters */
	static ApiKeyDigest ofHex(String hex) {
		if (hex.length() != 64) {
			throw new IllegalArgumentException("expected 64 hexadecimal characters");
		}
		for (int i = 0; i < 64; i++) {
			if (!HexFormat.isHexDigit(hex.charAt(i))) {
				throw new IllegalArgumentException("expected 64 hexadecimal characters");
			}
		}
		return new ApiKeyDigest(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32),
				HexFormat.fromHexDigitsToLong(hex, 32, 48), HexFormat.fromHexDigitsToLong(hex, 48, 64));
	}

	@Override
	public boolean equals(Object other) {
		// Every word is compared whatever the first difference: no early exit to time.
		return other instanceof ApiKeyDigest that
				&& ((this.d0 ^ that.d0) | (this.d1 ^ that.d1) | (this.d2 ^ that.d2) | (this.d3 ^ that.d3)) == 0;
	}

	@Override
	public int hashCode() {
		return (int) (this.d0 >>> 32);
	}

	@Override
	public String toString() {
		return "ApiKeyDigest[hidden]";
	}

}
