package io.tollgate.tracing;

import java.util.Set;

import org.springframework.http.HttpMethod;

/**
 * A request method as a meter tag or span name: one of the standard methods, or {@code OTHER}. The method is the
 * client's choice (any token up to the request-line limit); used verbatim, every new token would be a new
 * series kept for the life of the process.
 */
public final class MethodTag {

	static final String OTHER = "OTHER";

	private static final Set<HttpMethod> STANDARD = Set.of(HttpMethod.values());

	private MethodTag() {
	}

	public static String of(HttpMethod method) {
		return STANDARD.contains(method) ? method.name() : OTHER;
	}

}
