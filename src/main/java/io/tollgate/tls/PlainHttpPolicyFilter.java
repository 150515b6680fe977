package io.tollgate.tls;

import java.net.URI;

import io.tollgate.edge.ClientIp;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/** Applies {@code tollgate.tls.plain-http} (only registered when it is not {@code allow}). */
class PlainHttpPolicyFilter implements WebFilter, Ordered {

	private final TlsProperties.PlainHttp policy;

	private final ClientIp clientIp;

	PlainHttpPolicyFilter(TlsProperties.PlainHttp policy, ClientIp clientIp) {
		this.policy = policy;
		this.clientIp = clientIp;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!isPlainHttp(exchange)) {
			return chain.filter(exchange);
		}
		if (this.policy == TlsProperties.PlainHttp.REFUSE) {
			return ProblemWriter.write(exchange, HttpStatus.FORBIDDEN, "HTTPS is required");
		}
		exchange.getResponse().setStatusCode(HttpStatus.PERMANENT_REDIRECT);
		exchange.getResponse().getHeaders().setLocation(https(exchange.getRequest().getURI()));
		return exchange.getResponse().setComplete();
	}

	/**
	 * The https URI on the default port, from the request's raw path and query as sent: never re-encoded or
	 * validated, since clients send queries that are not strict RFC 3986 ({@code a[]=1}) and a strict builder would
	 * answer them 500.
	 */
	static URI https(URI request) {
		StringBuilder https = new StringBuilder("https://").append(request.getHost());
		String path = request.getRawPath();
		https.append((path == null || path.isEmpty()) ? "/" : path);
		if (request.getRawQuery() != null) {
			https.append('?').append(request.getRawQuery());
		}
		return URI.create(https.toString());
	}

	private boolean isPlainHttp(ServerWebExchange exchange) {
		String forwarded = this.clientIp.forwardedProto(exchange);
		if (forwarded != null) {
			return "http".equalsIgnoreCase(forwarded);
		}
		return exchange.getRequest().getSslInfo() == null;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.PLAIN_HTTP;
	}

}
