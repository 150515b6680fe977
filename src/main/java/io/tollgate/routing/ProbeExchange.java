package io.tollgate.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * A bare exchange used at startup and while indexing to ask a route predicate how it answers (never on the request
 * path): it has a method, a path, a {@code Host} header and its own attributes, and nothing else; a predicate that
 * reads anything more gets an {@link UnsupportedOperationException}, which its caller takes as "cannot tell".
 */
final class ProbeExchange {

	private ProbeExchange() {
	}

	static ServerWebExchange of(HttpMethod method, String path, @Nullable String host) {
		HttpHeaders headers = new HttpHeaders();
		if (host != null) {
			headers.set(HttpHeaders.HOST, host);
		}
		ServerHttpRequest request = proxy(ServerHttpRequest.class, Map.of("getURI", URI.create("http://probe" + path),
				"getMethod", method, "getHeaders", headers));
		return proxy(ServerWebExchange.class, Map.of("getRequest", request, "getAttributes", new HashMap<>()));
	}

	private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
		InvocationHandler handler = (self, method, args) -> {
			Object answer = answers.get(method.getName());
			if (answer != null && (args == null || args.length == 0)) {
				return answer;
			}
			if (method.isDefault()) {
				return InvocationHandler.invokeDefault(self, method, args);
			}
			if (method.getName().equals("toString")) {
				return type.getSimpleName() + " probe";
			}
			throw new UnsupportedOperationException(method.getName());
		};
		return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler));
	}

}
