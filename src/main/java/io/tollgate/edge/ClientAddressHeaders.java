package io.tollgate.edge;

import java.util.List;

/**
 * Headers in which proxies and CDNs name the client's address or scheme. Only a trusted proxy may send them:
 * upstreams (and their log formats, rate limiters and allow-lists) believe them. From any other peer the gateway
 * removes them before routing; spelt with underscores they are removed from everyone, since no proxy writes them
 * that way and the servers that fold {@code _} into {@code -} would believe them. The gateway sets
 * {@code X-Real-IP} upstream itself, to the client address it resolved.
 */
public final class ClientAddressHeaders {

	/**
	 * Kept from a trusted proxy, removed from others (Spring Cloud Gateway handles X-Forwarded-For, -Host, -Port,
	 * -Proto, -Prefix and Forwarded): the names proxies, CDNs and frameworks use for the client's address or scheme.
	 */
	private static final List<String> FROM_TRUSTED_PROXIES_ONLY = List.of("x-real-ip", "true-client-ip",
			"x-client-ip", "client-ip", "cf-connecting-ip", "fastly-client-ip", "x-cluster-client-ip",
			"x-original-forwarded-for", "x-forwarded-ssl", "x-forwarded-scheme", "x-forwarded-server", "x-url-scheme",
			"front-end-https");

	/**
	 * Removed from everyone: they replace the request's URL on IIS URL Rewrite and older Symfony and Zend, past the
	 * path the firewall checked.
	 */
	private static final List<String> NEVER_ACCEPTED = List.of("x-original-url", "x-rewrite-url");

	/** Never accepted with underscores. */
	private static final List<String> UNDERSCORE_FORBIDDEN = List.of("x-forwarded-for", "x-forwarded-proto",
			"x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "forwarded");

	private ClientAddressHeaders() {
	}

	/** Removed whoever sent it: a URL override, or an address header spelt with underscores. */
	public static boolean isNeverAccepted(CharSequence name) {
		return matchesAny(name, NEVER_ACCEPTED) || (HeaderNames.hasUnderscore(name)
				&& (matchesAny(name, UNDERSCORE_FORBIDDEN) || matchesAny(name, FROM_TRUSTED_PROXIES_ONLY)));
	}

	/** Believed from a trusted proxy only. */
	public static boolean isTrustedProxyOnly(CharSequence name) {
		return matchesAny(name, FROM_TRUSTED_PROXIES_ONLY);
	}

	private static boolean matchesAny(CharSequence name, List<String> names) {
		for (int i = 0; i < names.size(); i++) {
			if (HeaderNames.matches(name, names.get(i))) {
				return true;
			}
		}
		return false;
	}

}
