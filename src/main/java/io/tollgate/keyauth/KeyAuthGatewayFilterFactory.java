package io.tollgate.keyauth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.AnonymousConsumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.Credential;
import io.tollgate.consumer.Identity;
import io.tollgate.consumer.KeyUsage;
import io.tollgate.error.ProblemWriter;
import io.tollgate.observability.SensitiveQueryParameters;
import io.tollgate.pipeline.PolicyOrder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code KeyAuth}: API-key authentication with Kong key-auth semantics.
 * <p>
 * For each of {@code key-names} in order, the key is looked for in the header of that name (case-insensitive,
 * {@code _} and {@code -} equivalent), then in the query parameter of that name (case-sensitive); the first place
 * that holds a value decides. A missing or empty key, a key sent twice and an unknown key are 401s with
 * {@code WWW-Authenticate: Key realm="..."}, unless {@code anonymous} names a consumer to stand in.
 * <pre>
 * filters:
 *   - KeyAuth                                  # key-names [apikey]
 *   - KeyAuth=x-api-key                        # one key name
 *   - name: KeyAuth
 *     args: { key-names: [x-api-key], hide-credentials: true, anonymous: guest, realm: orders }
 * </pre>
 */
@Component
public class KeyAuthGatewayFilterFactory extends AbstractGatewayFilterFactory<KeyAuthGatewayFilterFactory.Config> {

	private static final Log logger = LogFactory.getLog(KeyAuthGatewayFilterFactory.class);

	static final String NO_KEY = "No API key found in request";

	static final String DUPLICATE_KEY = "Duplicate API key found";

	static final String INVALID_KEY = "Unauthorized";

	private final ConsumerRegistry registry;

	private final MeterRegistry meters;

	private final KeyUsage usage;

	public KeyAuthGatewayFilterFactory(ConsumerRegistry registry, MeterRegistry meters, KeyUsage usage) {
		super(Config.class);
		this.registry = registry;
		this.meters = meters;
		this.usage = usage;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("keyNames");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		AnonymousConsumer anonymous = AnonymousConsumer.resolve(this.registry, config.anonymous);
		// Key names never reach the access log with their values.
		Map<String, Counter> failures = new HashMap<>();
		for (String reason : List.of(NO_KEY, DUPLICATE_KEY, INVALID_KEY)) {
			failures.put(reason, Counter.builder("tollgate.auth.failures")
				.description("Failed authentications")
				.tag("route", (config.routeId != null) ? config.routeId : "unknown")
				.tag("filter", "KeyAuth")
				.tag("reason", reasonTag(reason))
				.register(this.meters));
		}
		return new OrderedGatewayFilter(new KeyAuthFilter(config, this.registry, this.usage, anonymous, failures), PolicyOrder.KEY_AUTH);
	}

	private static String reasonTag(String reason) {
		return switch (reason) {
			case NO_KEY -> "no_key";
			case DUPLICATE_KEY -> "duplicate_key";
			default -> "invalid_key";
		};
	}

	/** Where a key was found, and what. */
	private record PresentedKey(String value, boolean duplicate, List<String> headerNames, String queryName) {

		static final PresentedKey NONE = new PresentedKey(null, false, List.of(), null);

	}

	private static final class KeyAuthFilter implements GatewayFilter, SensitiveQueryParameters {

		private final Config config;

		private final ConsumerRegistry registry;

		private final KeyUsage usage;

		private final AnonymousConsumer anonymous;

		private final List<List<String>> headerSpellings;

		private final String wwwAuthenticate;

		private final Map<String, Counter> failures;

		KeyAuthFilter(Config config, ConsumerRegistry registry, KeyUsage usage, AnonymousConsumer anonymous,
				Map<String, Counter> failures) {
			this.config = config;
			this.registry = registry;
			this.usage = usage;
			this.anonymous = anonymous;
			this.failures = failures;
			this.headerSpellings = config.keyNames.stream().map(KeyAuthFilter::spellings).toList();
			this.wwwAuthenticate = (config.realm != null) ? "Key realm=\"" + config.realm + "\"" : "Key";
		}

		@Override
		public Collection<String> sensitiveQueryParameters() {
			return this.config.keyNames;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			if (this.anonymous.alreadyAuthenticated(exchange)) {
				return chain.filter(exchange);
			}
			PresentedKey presented = locate(exchange.getRequest());
			if (presented.value() == null) {
				return reject(exchange, chain, presented.duplicate() ? DUPLICATE_KEY : NO_KEY);
			}
			Credential credential = this.registry.findByKey(presented.value());
			if (credential == null) {
				return reject(exchange, chain, INVALID_KEY);
			}
			long now = System.currentTimeMillis();
			if (credential.expiredAt(now)) {
				// Answered as an unknown key: the client learns nothing about keys it should not hold.
				if (logger.isDebugEnabled()) {
					logger.debug("API key expired: credential '" + credential.id() + "' of consumer '"
							+ credential.consumer().username() + "'");
				}
				return reject(exchange, chain, INVALID_KEY);
			}
			this.usage.used(credential, now);
			Identity.authenticated(credential).storeIn(exchange);
			if (this.config.hideCredentials) {
				exchange = hide(exchange, presented);
			}
			return chain.filter(exchange);
		}

		private PresentedKey locate(ServerHttpRequest request) {
			HttpHeaders headers = request.getHeaders();
			for (int i = 0; i < this.config.keyNames.size(); i++) {
				List<String> spellings = this.headerSpellings.get(i);
				List<String> values = null;
				for (String spelling : spellings) {
					List<String> found = headers.get(spelling);
					if (found != null) {
						values = (values == null) ? found : concat(values, found);
					}
				}
				if (values != null) {
					return fromValues(values, spellings, null);
				}
				String name = this.config.keyNames.get(i);
				List<String> query = request.getQueryParams().get(name);
				if (query != null) {
					// A valueless "?apikey" carries nothing (Kong reads it as a boolean); "?apikey=" is an empty key.
					List<String> present = query.stream().filter(Objects::nonNull).toList();
					if (!present.isEmpty()) {
						return fromValues(present, List.of(), name);
					}
				}
			}
			return PresentedKey.NONE;
		}

		private static PresentedKey fromValues(List<String> values, List<String> headerNames, String queryName) {
			if (values.size() > 1) {
				return new PresentedKey(null, true, headerNames, queryName);
			}
			String value = values.get(0);
			return StringUtils.hasLength(value) ? new PresentedKey(value, false, headerNames, queryName)
					: PresentedKey.NONE;
		}

		private Mono<Void> reject(ServerWebExchange exchange, GatewayFilterChain chain, String reason) {
			this.failures.get(reason).increment();
			if (this.anonymous.standIn(exchange)) {
				return chain.filter(exchange);
			}
			exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, this.wwwAuthenticate);
			return ProblemWriter.write(exchange, HttpStatus.UNAUTHORIZED, reason);
		}

		private static ServerWebExchange hide(ServerWebExchange exchange, PresentedKey presented) {
			ServerHttpRequest request = exchange.getRequest();
			ServerHttpRequest.Builder builder = request.mutate();
			if (!presented.headerNames().isEmpty()) {
				builder.headers(headers -> presented.headerNames().forEach(headers::remove));
			}
			if (presented.queryName() != null) {
				builder.uri(withoutQueryParameter(request.getURI(), presented.queryName()));
			}
			return exchange.mutate().request(builder.build()).build();
		}

		/** Removes every occurrence of a parameter, keeping the others in order and exactly as they were encoded. */
		static URI withoutQueryParameter(URI uri, String name) {
			String raw = uri.getRawQuery();
			StringJoiner kept = new StringJoiner("&");
			for (String pair : raw.split("&")) {
				int eq = pair.indexOf('=');
				String rawName = (eq >= 0) ? pair.substring(0, eq) : pair;
				if (!name.equals(URLDecoder.decode(rawName, StandardCharsets.UTF_8))) {
					kept.add(pair);
				}
			}
			return withRawQuery(uri, (kept.length() == 0) ? null : kept.toString());
		}

		/**
		 * The same URI with another raw query, built from the raw text and never re-encoded or validated: clients
		 * send queries that are not strict RFC 3986 ({@code a[]=1}), which Netty and {@link URI} accept and the
		 * upstream must receive as sent; a strict builder would answer them 500.
		 */
		static URI withRawQuery(URI uri, String rawQuery) {
			String whole = uri.toString();
			int hash = whole.indexOf('#');
			String fragment = (hash >= 0) ? whole.substring(hash) : "";
			String beforeFragment = (hash >= 0) ? whole.substring(0, hash) : whole;
			int question = beforeFragment.indexOf('?');
			String base = (question >= 0) ? beforeFragment.substring(0, question) : beforeFragment;
			return URI.create((rawQuery != null) ? base + "?" + rawQuery + fragment : base + fragment);
		}

		/** The configured name and its {@code -}/{@code _} twins (Kong and nginx treat them as one header). */
		private static List<String> spellings(String name) {
			Set<String> names = new LinkedHashSet<>();
			names.add(name);
			names.add(name.replace('_', '-'));
			names.add(name.replace('-', '_'));
			return List.copyOf(names);
		}

		private static List<String> concat(List<String> a, List<String> b) {
			List<String> all = new ArrayList<>(a);
			all.addAll(b);
			return all;
		}

		@Override
		public String toString() {
			return "KeyAuth" + this.config;
		}

	}

	/** Arguments of {@code KeyAuth}. */
	public static class Config implements HasRouteId {

		private String routeId;

		@Override
		public String getRouteId() {
			return this.routeId;
		}

		@Override
		public void setRouteId(String routeId) {
			this.routeId = routeId;
		}

		private static final List<String> DEFAULT_KEY_NAMES = List.of("apikey");

		/** Names of the header or query parameter that carries the key, tried in order. */
		private List<String> keyNames = DEFAULT_KEY_NAMES;

		/** Remove the key from the request before proxying it. */
		private boolean hideCredentials = false;

		/** Username or id of the consumer that stands in when authentication fails; off when empty. */
		private String anonymous;

		/** Realm for the {@code WWW-Authenticate} challenge. */
		private String realm;

		void validate() {
			if (this.keyNames == null || this.keyNames.isEmpty()) {
				this.keyNames = DEFAULT_KEY_NAMES;
			}
			for (int i = 0; i < this.keyNames.size(); i++) {
				String name = this.keyNames.get(i);
				if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
					throw new InvalidConfigurationException("key-names[" + i + "]",
							"may contain only letters, digits, '_' and '-'");
				}
			}
			if (this.realm != null && this.realm.contains("\"")) {
				throw new InvalidConfigurationException("realm", "must not contain '\"'");
			}
		}

		public List<String> getKeyNames() {
			return this.keyNames;
		}

		public Config setKeyNames(List<String> keyNames) {
			this.keyNames = keyNames;
			return this;
		}

		public boolean isHideCredentials() {
			return this.hideCredentials;
		}

		public Config setHideCredentials(boolean hideCredentials) {
			this.hideCredentials = hideCredentials;
			return this;
		}

		public String getAnonymous() {
			return this.anonymous;
		}

		public Config setAnonymous(String anonymous) {
			this.anonymous = anonymous;
			return this;
		}

		public String getRealm() {
			return this.realm;
		}

		public Config setRealm(String realm) {
			this.realm = realm;
			return this;
		}

		@Override
		public String toString() {
			return "[keyNames=" + this.keyNames + ", hideCredentials=" + this.hideCredentials + ", anonymous="
					+ this.anonymous + ", realm=" + this.realm + "]";
		}

	}

}
