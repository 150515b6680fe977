package io.tollgate.responsecache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;

/**
 * A stored response: status, the upstream's headers, body, and its timeline.
 *
 * @param status the status code
 * @param headers the upstream's headers, as name/value pairs
 * @param body the body
 * @param storedAt when it was stored (epoch ms)
 * @param freshUntil until when it may be served (epoch ms)
 * @param staleUntil until when it may still be served if the upstream fails (epoch ms; = freshUntil without
 * {@code stale-if-error})
 * @param vary the request header values it was stored for (for a response {@code Vary} on headers outside the
 * key): name (lower case) to value
 * @param staleWhileRevalidateUntil until when it may be served stale while it is refreshed in the background (epoch
 * ms; = freshUntil without {@code stale-while-revalidate})
 * @param keepUntil until when it is kept: past its stale times, an entry with a validator ({@code ETag},
 * {@code Last-Modified}) is kept to be revalidated rather than fetched again
 */
public record CachedResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, long storedAt,
		long freshUntil, long staleUntil, Map<String, String> vary, long staleWhileRevalidateUntil, long keepUntil) {

	private static final int FORMAT = 2;

	/** An entry kept no longer than it may be served stale on errors, without stale-while-revalidate. */
	public CachedResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, long storedAt,
			long freshUntil, long staleUntil, Map<String, String> vary) {
		this(status, headers, body, storedAt, freshUntil, staleUntil, vary, freshUntil, staleUntil);
	}

	boolean mayServeWhileRevalidating(long now) {
		return now < this.staleWhileRevalidateUntil;
	}

	/** Whether it has a validator to revalidate with (RFC 9110 section 8.8). */
	boolean hasValidator() {
		return header(HttpHeaders.ETAG) != null || header(HttpHeaders.LAST_MODIFIED) != null;
	}

	/** The first stored value of a header, or null. */
	String header(String name) {
		for (Map.Entry<String, String> header : this.headers) {
			if (header.getKey().equalsIgnoreCase(name)) {
				return header.getValue();
			}
		}
		return null;
	}

	boolean isFresh(long now) {
		return now < this.freshUntil;
	}

	boolean isUsableStale(long now) {
		return now < this.staleUntil;
	}

	long ageSeconds(long now) {
		return Math.max(0, (now - this.storedAt) / 1000);
	}

	/** Bytes this entry holds, for the memory store's weight. */
	int weight() {
		int weight = this.body.length + 64;
		for (Map.Entry<String, String> header : this.headers) {
			weight += header.getKey().length() + header.getValue().length() + 16;
		}
		return weight;
	}

	void copyHeadersTo(HttpHeaders target) {
		for (Map.Entry<String, String> header : this.headers) {
			target.add(header.getKey(), header.getValue());
		}
	}

	/** A compact binary form, for Redis. */
	byte[] toBytes() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(this.body.length + 256);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT);
			out.writeShort(this.status);
			out.writeLong(this.storedAt);
			out.writeLong(this.freshUntil);
			out.writeLong(this.staleUntil);
			out.writeLong(this.staleWhileRevalidateUntil);
			out.writeLong(this.keepUntil);
			out.writeShort(this.headers.size());
			for (Map.Entry<String, String> header : this.headers) {
				out.writeUTF(header.getKey());
				out.writeUTF(header.getValue());
			}
			out.writeShort(this.vary.size());
			for (Map.Entry<String, String> entry : this.vary.entrySet()) {
				out.writeUTF(entry.getKey());
				out.writeUTF(entry.getValue());
			}
			out.writeInt(this.body.length);
			out.write(this.body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/** Reads {@link #toBytes()}; null for anything it does not recognise (an older format, garbage). */
	static CachedResponse fromBytes(byte[] bytes) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			if (in.readByte() != FORMAT) {
				return null;
			}
			int status = in.readShort();
			long storedAt = in.readLong();
			long freshUntil = in.readLong();
			long staleUntil = in.readLong();
			long staleWhileRevalidateUntil = in.readLong();
			long keepUntil = in.readLong();
			int headerCount = in.readShort();
			List<Map.Entry<String, String>> headers = new ArrayList<>(headerCount);
			for (int i = 0; i < headerCount; i++) {
				headers.add(Map.entry(in.readUTF(), in.readUTF()));
			}
			int varyCount = in.readShort();
			Map<String, String> vary = new java.util.LinkedHashMap<>();
			for (int i = 0; i < varyCount; i++) {
				vary.put(in.readUTF(), in.readUTF());
			}
			byte[] body = new byte[in.readInt()];
			in.readFully(body);
			return new CachedResponse(status, List.copyOf(headers), body, storedAt, freshUntil, staleUntil, Map.copyOf(vary),
					staleWhileRevalidateUntil, keepUntil);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}
