package io.tollgate.firewall;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.tracing.RequestId;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * The first filter on the proxy port. It refuses, with 400 problem+json, a request whose path an upstream could
 * read as another path ({@link CanonicalPath}), and a method the gateway does not accept (405, or 501 for an
 * unknown token), before any route is matched; and it hands every later filter, route predicate and the upstream
 * the path's one canonical form. So {@code /open/../secure}, {@code /open/%2e%2e/secure} and
 * {@code /sec%75re} can neither match an unprotected route nor dodge a per-path counter.
 * <p>
 * A clean request costs one scan of its path and no allocation. Refusals are counted by reason
 * ({@code tollgate.firewall.rejected}), not logged: an attacker chooses how many there are.
 */
@Component
class RequestFirewall implements WebFilter, Ordered {

	/** RFC 9110's methods (Spring's {@link HttpMethod#values()} lacks CONNECT). */
	private static final Set<HttpMethod> STANDARD = Stream
		.concat(Stream.of(HttpMethod.values()), Stream.of(HttpMethod.valueOf("CONNECT")))
		.collect(Collectors.toUnmodifiableSet());

	private final Set<HttpMethod> allowed;

	private final String allowHeader;

	private final CanonicalPath.Rules rules;

	private final Map<CanonicalPath.Violation, Counter> rejectedPaths = new EnumMap<>(CanonicalPath.Violation.class);

	private final Counter rejectedMethods;

	RequestFirewall(FirewallProperties properties, MeterRegistry meters) {
		this.allowed = new HashSet<>();
		for (int i = 0; i < properties.allowedMethods().size(); i++) {
			String method = properties.allowedMethods().get(i).trim();
			if (method.isEmpty() || !method.chars().allMatch(RequestFirewall::isTokenChar)) {
				throw new InvalidConfigurationException("tollgate.firewall.allowed-methods[" + i + "]",
						"not an HTTP method token");
			}
			this.allowed.add(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)));
		}
		this.allowHeader = String.join(", ", this.allowed.stream().map(HttpMethod::name).sorted().toList());
		this.rules = new CanonicalPath.Rules(properties.allowSemicolon(), properties.allowEncodedPercent(),
				encodedSlashAllowed(properties.encodedSlashPaths()));
		for (CanonicalPath.Violation violation : CanonicalPath.Violation.values()) {
			this.rejectedPaths.put(violation, counter(meters, violation.tag()));
		}
		this.rejectedMethods = counter(meters, "method");
	}

	private static Counter counter(MeterRegistry meters, String reason) {
		return Counter.builder("tollgate.firewall.rejected")
			.description("Requests refused by the request firewall before any route was matched")
			.tag("reason", reason)
			.register(meters);
	}

	private static Predicate<String> encodedSlashAllowed(List<String> patterns) {
		if (patterns.isEmpty()) {
			return (path) -> false;
		}
		List<PathPattern> parsed = new ArrayList<>();
		for (int i = 0; i < patterns.size(); i++) {
			try {
				parsed.add(PathPatternParser.defaultInstance.parse(patterns.get(i)));
			}
			catch (PatternParseException ex) {
				throw new InvalidConfigurationException("tollgate.firewall.encoded-slash-paths[" + i + "]",
						"not a path pattern: " + ex.getMessage());
			}
		}
		return (rawPath) -> {
			PathContainer path = PathContainer.parsePath(rawPath);
			return parsed.stream().anyMatch((pattern) -> pattern.matches(path));
		};
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpMethod method = exchange.getRequest().getMethod();
		if (!this.allowed.contains(method)) {
			this.rejectedMethods.increment();
			if (!STANDARD.contains(method)) {
				return reject(exchange, HttpStatus.NOT_IMPLEMENTED, "The request method is not supported");
			}
			exchange.getResponse().getHeaders().set(HttpHeaders.ALLOW, this.allowHeader);
			return reject(exchange, HttpStatus.METHOD_NOT_ALLOWED, "The request method is not allowed");
		}
		String raw = exchange.getRequest().getURI().getRawPath();
		String canonical;
		try {
			canonical = CanonicalPath.of((raw != null) ? raw : "", this.rules);
		}
		catch (CanonicalPath.Rejected rejected) {
			this.rejectedPaths.get(rejected.violation).increment();
			return reject(exchange, HttpStatus.BAD_REQUEST, "Request rejected: " + rejected.violation.detail);
		}
		if (canonical == raw) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().request((request) -> request.path(canonical)).build());
	}

	private static Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String detail) {
		// The request id filter comes after this one; every response still carries an id.
		exchange.getResponse().getHeaders().set(RequestId.HEADER, RequestId.of(exchange));
		return ProblemWriter.write(exchange, status, detail);
	}

	/** RFC 9110 tchar. */
	private static boolean isTokenChar(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

	@Override
	public int getOrder() {
		return PolicyOrder.FIREWALL;
	}

}
