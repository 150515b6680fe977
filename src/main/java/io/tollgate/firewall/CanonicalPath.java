package io.tollgate.firewall;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * The one canonical form of a request path that every route and policy sees, or the reason there is none.
 * <p>
 * Canonical means: starts with {@code /}; only printable ASCII; percent-encodings of unreserved characters
 * (RFC 3986 section 2.3: letters, digits, {@code - . _ ~}) decoded, all other encodings in upper-case hex and of
 * valid UTF-8; no {@code .} or {@code ..} segment and no empty segment ({@code //}), judged after decoding (so
 * {@code %2e%2e} is a {@code ..}); no backslash, and by default no {@code ;} (path parameters, which Tomcat
 * strips), no encoded slash and no encoded percent (a second decoding by the upstream). A path that an upstream
 * could read as a different path is refused, never repaired: Tomcat, Jetty and nginx each resolve such paths
 * their own way, and guessing theirs is how gateways get walked around.
 * <p>
 * A path that is canonical already (nearly all) is returned as the same instance, allocating nothing.
 */
final class CanonicalPath {

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private CanonicalPath() {
	}

	/** What may appear in a path besides the canonical defaults. */
	record Rules(boolean allowSemicolon, boolean allowEncodedPercent, Predicate<String> encodedSlashAllowed) {

		static final Rules STRICT = new Rules(false, false, (path) -> false);

	}

	/** Why a path has no canonical form; {@link #detail} is safe to show the client. */
	enum Violation {

		NOT_ABSOLUTE("the path must start with /"),
		CONTROL_CHARACTER("the path contains a control character"),
		NON_ASCII("the path contains a character that is not percent-encoded"),
		MALFORMED_ENCODING("the path contains a malformed percent-encoding"),
		INVALID_UTF8("the path contains percent-encoded bytes that are not UTF-8"),
		DOT_SEGMENT("the path contains a . or .. segment"),
		EMPTY_SEGMENT("the path contains an empty segment (//)"),
		BACKSLASH("the path contains a backslash"),
		SEMICOLON("the path contains a semicolon (path parameters are not accepted)"),
		ENCODED_SLASH("the path contains an encoded slash (%2F)"),
		ENCODED_PERCENT("the path contains an encoded percent sign (%25)");

		final String detail;

		Violation(String detail) {
			this.detail = detail;
		}

		/** The meter tag: bounded, lower case. */
		String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/** A path refused; stackless, since an attacker decides how often it is thrown. */
	static final class Rejected extends RuntimeException {

		final Violation violation;

		Rejected(Violation violation) {
			super(violation.detail, null, false, false);
			this.violation = violation;
		}

	}

	/**
	 * The canonical form of {@code rawPath} (the path as sent, still percent-encoded).
	 * @return {@code rawPath} itself when it is canonical already, else the canonical form
	 * @throws Rejected when the path has none
	 */
	static String of(String rawPath, Rules rules) {
		int length = rawPath.length();
		if (length == 0 || rawPath.charAt(0) != '/') {
			throw new Rejected(Violation.NOT_ABSOLUTE);
		}
		boolean encoded = false;
		for (int i = 0; i < length; i++) {
			char c = rawPath.charAt(i);
			if (c <= 0x20 || c == 0x7F) {
				throw new Rejected(Violation.CONTROL_CHARACTER);
			}
			if (c > 0x7E) {
				throw new Rejected(Violation.NON_ASCII);
			}
			if (c == '\\') {
				throw new Rejected(Violation.BACKSLASH);
			}
			if (c == ';' && !rules.allowSemicolon()) {
				throw new Rejected(Violation.SEMICOLON);
			}
			encoded |= (c == '%');
		}
		String path = encoded ? decodeUnreserved(rawPath, rules) : rawPath;
		checkSegments(path);
		// Escapes that were canonical already (%20, %C3%A9) give an equal string: hand back the original, so the
		// request is not copied for nothing.
		return path.equals(rawPath) ? rawPath : path;
	}

	/**
	 * Refuses {@code //}, and {@code .} or {@code ..} segments (also before a {@code ;}, as Tomcat reads them). An
	 * encoded slash, where it is allowed, bounds segments too: an upstream that decodes it before resolving dot
	 * segments would otherwise read {@code /blobs/..%2F..%2Fsecure} as {@code /secure}.
	 */
	private static void checkSegments(String path) {
		int length = path.length();
		int start = 1;
		int end = -1;
		for (int i = 1; i <= length; i++) {
			int boundary = (i == length || path.charAt(i) == '/') ? 1 : isEncodedSlash(path, i) ? 3 : 0;
			if (boundary == 0) {
				if (path.charAt(i) == ';' && end < 0) {
					end = i;
				}
				continue;
			}
			int valueEnd = (end >= 0) ? end : i;
			int size = valueEnd - start;
			if (size == 0 && i < length) {
				throw new Rejected(Violation.EMPTY_SEGMENT);
			}
			if ((size == 1 || size == 2) && path.charAt(start) == '.' && path.charAt(valueEnd - 1) == '.') {
				throw new Rejected(Violation.DOT_SEGMENT);
			}
			start = i + boundary;
			i += boundary - 1;
			end = -1;
		}
	}

	/** {@code %2F} at {@code i}: canonical paths write escapes in upper case. */
	private static boolean isEncodedSlash(String path, int i) {
		return path.charAt(i) == '%' && i + 2 < path.length() && path.charAt(i + 1) == '2' && path.charAt(i + 2) == 'F';
	}

	private static String decodeUnreserved(String raw, Rules rules) {
		int length = raw.length();
		StringBuilder out = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			char c = raw.charAt(i);
			if (c != '%') {
				out.append(c);
				continue;
			}
			int b = octet(raw, i);
			i += 2;
			if (isUnreserved(b)) {
				out.append((char) b);
				continue;
			}
			if (b < 0x20 || b == 0x7F) {
				throw new Rejected(Violation.CONTROL_CHARACTER);
			}
			if (b == '\\') {
				throw new Rejected(Violation.BACKSLASH);
			}
			if (b == ';' && !rules.allowSemicolon()) {
				throw new Rejected(Violation.SEMICOLON);
			}
			if (b == '%' && !rules.allowEncodedPercent()) {
				throw new Rejected(Violation.ENCODED_PERCENT);
			}
			if (b == '/' && !rules.encodedSlashAllowed().test(raw)) {
				throw new Rejected(Violation.ENCODED_SLASH);
			}
			appendEncoded(out, b);
			if (b >= 0x80) {
				i = appendContinuation(raw, i + 1, b, out) - 1;
			}
		}
		return out.toString();
	}

	/**
	 * Checks and copies the continuation bytes of the UTF-8 sequence that {@code lead} starts (RFC 3629: no
	 * overlong forms, no surrogates, nothing above U+10FFFF), so that {@code %C0%AE} is never anybody's dot.
	 * @return the index after the sequence
	 */
	private static int appendContinuation(String raw, int from, int lead, StringBuilder out) {
		int count;
		int min = 0x80;
		int max = 0xBF;
		if (lead >= 0xC2 && lead <= 0xDF) {
			count = 1;
		}
		else if (lead >= 0xE0 && lead <= 0xEF) {
			count = 2;
			min = (lead == 0xE0) ? 0xA0 : 0x80;
			max = (lead == 0xED) ? 0x9F : 0xBF;
		}
		else if (lead >= 0xF0 && lead <= 0xF4) {
			count = 3;
			min = (lead == 0xF0) ? 0x90 : 0x80;
			max = (lead == 0xF4) ? 0x8F : 0xBF;
		}
		else {
			throw new Rejected(Violation.INVALID_UTF8);
		}
		int i = from;
		for (int n = 0; n < count; n++) {
			if (i >= raw.length() || raw.charAt(i) != '%') {
				throw new Rejected(Violation.INVALID_UTF8);
			}
			int b = octet(raw, i);
			if (b < min || b > max) {
				throw new Rejected(Violation.INVALID_UTF8);
			}
			appendEncoded(out, b);
			min = 0x80;
			max = 0xBF;
			i += 3;
		}
		return i;
	}

	/** The octet of the {@code %XX} at {@code percent}. */
	private static int octet(String raw, int percent) {
		if (percent + 2 >= raw.length()) {
			throw new Rejected(Violation.MALFORMED_ENCODING);
		}
		int high = hex(raw.charAt(percent + 1));
		int low = hex(raw.charAt(percent + 2));
		if (high < 0 || low < 0) {
			throw new Rejected(Violation.MALFORMED_ENCODING);
		}
		return (high << 4) | low;
	}

	private static int hex(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		return -1;
	}

	private static boolean isUnreserved(int b) {
		return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '.'
				|| b == '_' || b == '~';
	}

	private static void appendEncoded(StringBuilder out, int b) {
		out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
	}

}
