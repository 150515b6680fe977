package io.tollgate.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.core.io.ClassPathResource;
import org.springframework.util.StreamUtils;

/**
 * The text of {@code rate_limit.lua} and its SHA-1, the name Redis caches it under; and how the rate limiter's
 * Lua scripts are read from the classpath.
 */
final class LimitScriptSource {

	static final String TEXT = load("io/tollgate/ratelimit/rate_limit.lua");

	static final String SHA1 = sha1(TEXT);

	private LimitScriptSource() {
	}

	// Loaded once as text: a script built on a Resource checks the resource's modification time on every call,
	// which inside a jar means a FileNotFoundException per request.
	static String load(String path) {
		try (InputStream in = new ClassPathResource(path).getInputStream()) {
			return StreamUtils.copyToString(in, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + path, ex);
		}
	}

	private static String sha1(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
