package io.tollgate.observability;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Query parameters whose values never reach a log: the configured ones plus the key names of every KeyAuth route
 * (KeyAuth adds them when a route is built).
 */
public class SensitiveParameters {

	private final Set<String> names = ConcurrentHashMap.newKeySet();

	SensitiveParameters(ObservabilityProperties properties) {
		properties.accessLog().maskedQueryParameters().forEach(this::add);
	}

	public void add(String name) {
		this.names.add(name);
	}

	boolean contains(String name) {
		return this.names.contains(name);
	}

	/** The raw query with the values of sensitive parameters replaced by {@code ***}. */
	String mask(String rawQuery) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return rawQuery;
		}
		StringBuilder masked = new StringBuilder(rawQuery.length());
		for (String pair : rawQuery.split("&")) {
			if (masked.length() > 0) {
				masked.append('&');
			}
			int eq = pair.indexOf('=');
			String name = (eq >= 0) ? pair.substring(0, eq) : pair;
			String decoded = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
			if (eq >= 0 && contains(decoded)) {
				masked.append(name).append("=***");
			}
			else {
				masked.append(pair);
			}
		}
		return masked.toString();
	}

}
