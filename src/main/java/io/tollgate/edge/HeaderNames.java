package io.tollgate.edge;


/**
 * Header names compared the way the servers behind a gateway compare them: case-insensitively, and with
 * {@code _} read as {@code -}, since CGI, WSGI, Rack and PHP all map {@code X_Real_IP} and {@code X-Real-IP} onto
 * the same {@code HTTP_X_REAL_IP}. Allocates nothing.
 */
public final class HeaderNames {

	private HeaderNames() {
	}

	/** {@code name} equals {@code lowerDashed} (lower case, dashes). */
	public static boolean matches(CharSequence name, String lowerDashed) {
		return name.length() == lowerDashed.length() && regionMatches(name, lowerDashed);
	}

	/** {@code name} starts with {@code lowerDashed} (lower case, dashes). */
	public static boolean startsWith(CharSequence name, String lowerDashed) {
		return name.length() >= lowerDashed.length() && regionMatches(name, lowerDashed);
	}

	public static boolean hasUnderscore(CharSequence name) {
		for (int i = 0; i < name.length(); i++) {
			if (name.charAt(i) == '_') {
				return true;
			}
		}
		return false;
	}

	private static boolean regionMatches(CharSequence name, String lowerDashed) {
		for (int i = 0; i < lowerDashed.length(); i++) {
			char c = name.charAt(i);
			if (c == '_') {
				c = '-';
			}
			else if (c >= 'A' && c <= 'Z') {
				c = (char) (c + ('a' - 'A'));
			}
			if (c != lowerDashed.charAt(i)) {
				return false;
			}
		}
		return true;
	}

}
