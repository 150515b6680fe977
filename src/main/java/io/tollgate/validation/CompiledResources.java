package io.tollgate.validation;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.springframework.core.io.Resource;

/**
 * Compiled documents (schemas, OpenAPI validators) by location, compiled again when the document's content changes:
 * a configuration reload that edits a schema file gets the new schema, checked like at startup, and one that does
 * not reuses the compiled one. Only routes being built call this; requests run what their route holds.
 *
 * @param <T> what a document compiles to
 */
final class CompiledResources<T> {

	private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();

	/**
	 * @param compile turns the document's bytes into {@code T}; its exceptions pass through
	 * @throws IOException when the resource cannot be read
	 */
	T get(String location, Resource resource, Function<byte[], T> compile) throws IOException {
		byte[] content;
		try (InputStream in = resource.getInputStream()) {
			content = in.readAllBytes();
		}
		byte[] digest = sha256(content);
		Entry<T> entry = this.entries.get(location);
		if (entry != null && Arrays.equals(entry.digest(), digest)) {
			return entry.value();
		}
		T value = compile.apply(content);
		this.entries.put(location, new Entry<>(digest, value)); // one entry per location: an edit replaces it
		return value;
	}

	private static byte[] sha256(byte[] content) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(content);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Entry<T>(byte[] digest, T value) {
	}

}
