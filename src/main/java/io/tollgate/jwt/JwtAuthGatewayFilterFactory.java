package io.tollgate.jwt;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.AnonymousConsumer;
import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.Credential;
import io.tollgate.consumer.Identity;
import io.tollgate.consumer.JwtSecret;
import io.tollgate.error.ProblemWriter;
import io.tollgate.observability.SensitiveQueryParameters;
import io.tollgate.pipeline.PolicyOrder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code JwtAuth}: bearer-token authentication, in one of two modes.
 * <ul>
 * <li>Identity provider: {@code jwk-set-uri} or {@code issuer-uri} (RS256/ES256, keys cached for
 * {@code jwks-cache-ttl}, refetched for an unknown {@code kid} at most once per {@code jwks-refresh-cooldown}),
 * {@code audiences}; the consumer is the one whose username or custom-id equals {@code consumer-claim} (default
 * {@code sub}); without such a consumer the request is authenticated but has no consumer.</li>
 * <li>Per-consumer secrets (Kong jwt): the token's {@code key-claim-name} (default {@code iss}) selects a
 * {@code tollgate.consumers[].jwt-secrets[]} entry, whose single algorithm and secret or key must verify it.</li>
 * </ul>
 * {@code exp}/{@code nbf} with {@code clock-skew}; {@code required-scopes}; token from {@code Authorization:
 * Bearer}, optionally a query parameter or cookie. 401 with RFC 6750 {@code WWW-Authenticate}; 403 for a missing
 * scope. {@code anonymous} works as in KeyAuth.
 */
@Component
public class JwtAuthGatewayFilterFactory extends AbstractGatewayFilterFactory<JwtAuthGatewayFilterFactory.Config> {

	private static final Log logger = LogFactory.getLog(JwtAuthGatewayFilterFactory.class);

	private final ConsumerRegistry registry;

	private final MeterRegistry meters;

	private final Map<List<Object>, JwkSetCache> jwkSets = new ConcurrentHashMap<>();

	private final Set<String> warnedWithoutAudiences = ConcurrentHashMap.newKeySet();

	/** Fetches identity providers' keys, on the server's own Reactor Netty resources (closed with the context). */
	private final WebClient keyClient;

	public JwtAuthGatewayFilterFactory(ConsumerRegistry registry, MeterRegistry meters,
			ObjectProvider<ReactorResourceFactory> resources) {
		super(Config.class);
		this.registry = registry;
		this.meters = meters;
		ReactorResourceFactory factory = resources.getIfAvailable();
		this.keyClient = (factory != null)
				? WebClient.builder()
					.clientConnector(new ReactorClientHttpConnector(factory,
							(client) -> client.responseTimeout(JwkSetCache.FETCH_TIMEOUT)))
					.build()
				: WebClient.create();
	}

	/** {@code JwtAuth=https://idp.example/jwks.json,https://idp.example}: the identity provider's keys and issuer. */
	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("jwkSetUri", "issuer");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		AnonymousConsumer anonymous = AnonymousConsumer.resolve(this.registry, config.anonymous);
		ReactiveJwtDecoder provider = null;
		if (config.usesIdentityProvider()) {
			if (config.audiences.isEmpty() && this.warnedWithoutAudiences.add(String.valueOf(config.routeId))) {
				logger.warn("Route '" + config.routeId + "': JwtAuth has no audiences, so it accepts a token the identity"
						+ " provider issued for any of its applications; set audiences to this API's identifier");
			}
			provider = JwtDecoders.forIdentityProvider(keys(config),
					(config.issuer != null) ? config.issuer : config.issuerUri, config.audiences, config.clockSkew);
		}
		return new OrderedGatewayFilter(new JwtAuthFilter(config, provider, anonymous), PolicyOrder.JWT_AUTH);
	}

	/**
	 * One cache per identity provider and timing, shared by the routes that name it and kept when routes are
	 * rebuilt (a reload, the startup check), so neither refetches the keys. Keyed by configuration, not by requests.
	 */
	private JwkSetCache keys(Config config) {
		List<Object> key = List.of(String.valueOf(config.jwkSetUri), String.valueOf(config.issuerUri),
				config.jwksCacheTtl, config.jwksRefreshCooldown);
		return this.jwkSets.computeIfAbsent(key, (k) -> (config.jwkSetUri != null)
				? JwkSetCache.forJwkSetUri(this.keyClient, config.jwkSetUri, config.jwksCacheTtl, config.jwksRefreshCooldown)
				: JwkSetCache.forIssuer(this.keyClient, config.issuerUri, config.jwksCacheTtl, config.jwksRefreshCooldown));
	}

	/** Why a request was not authenticated: status, the problem detail and the challenge. */
	private record Failure(HttpStatus status, String detail, String error, String reason) {

		static Failure missing() {
			return new Failure(HttpStatus.UNAUTHORIZED, "Unauthorized", null, "no_token");
		}

		static Failure invalid(String detail) {
			return new Failure(HttpStatus.UNAUTHORIZED, detail, "invalid_token", "invalid_token");
		}

	}

	private final class JwtAuthFilter implements GatewayFilter, SensitiveQueryParameters {

		private final Config config;

		private final ReactiveJwtDecoder provider;

		private final AnonymousConsumer anonymous;

		private final Map<String, ReactiveJwtDecoder> secretDecoders = new ConcurrentHashMap<>();

		private final Map<String, io.micrometer.core.instrument.Counter> failures = new ConcurrentHashMap<>();

		@Override
		public Collection<String> sensitiveQueryParameters() {
			return (this.config.queryParam != null) ? List.of(this.config.queryParam) : List.of();
		}

		JwtAuthFilter(Config config, ReactiveJwtDecoder provider, AnonymousConsumer anonymous) {
			this.config = config;
			this.provider = provider;
			this.anonymous = anonymous;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			if (this.anonymous.alreadyAuthenticated(exchange)) {
				return chain.filter(exchange);
			}
			Set<String> tokens = tokens(exchange.getRequest());
			if (tokens.isEmpty()) {
				return reject(exchange, chain, Failure.missing());
			}
			if (tokens.size() > 1) {
				return reject(exchange, chain, Failure.invalid("Multiple tokens provided"));
			}
			String token = tokens.iterator().next();
			Mono<Authenticated> authenticated = (this.provider != null) ? viaProvider(token) : viaSecret(token);
			return authenticated.flatMap((auth) -> {
				Failure scope = checkScopes(auth.jwt());
				if (scope != null) {
					return reject(exchange, chain, scope);
				}
				if (auth.identity() != null) {
					auth.identity().storeIn(exchange);
				}
				else {
					Identity.storeUnmappedSubject(exchange, auth.jwt().getSubject());
				}
				return chain.filter(exchange);
			}).onErrorResume(FailureException.class, (ex) -> reject(exchange, chain, ex.failure));
		}

		private Mono<Authenticated> viaProvider(String token) {
			return decode(this.provider, token).map((jwt) -> {
				Object claim = jwt.getClaims().get(this.config.consumerClaim);
				Consumer consumer = (claim != null) ? JwtAuthGatewayFilterFactory.this.registry
					.findByUsernameOrCustomId(claim.toString()) : null;
				Identity identity = (consumer != null)
						? Identity.authenticated(new Credential((jwt.getSubject() != null) ? jwt.getSubject() : claim.toString(),
								consumer))
						: null;
				return new Authenticated(jwt, identity);
			});
		}

		private Mono<Authenticated> viaSecret(String token) {
			JWT parsed;
			try {
				parsed = JWTParser.parse(token);
			}
			catch (ParseException ex) {
				return Mono.error(new FailureException(Failure.invalid("Bad token: not a JWT")));
			}
			if (!(parsed instanceof SignedJWT signed)) {
				return Mono.error(new FailureException(Failure.invalid("Bad token: unsigned tokens are not accepted")));
			}
			String name = this.config.keyClaimName;
			Object keyValue;
			try {
				keyValue = signed.getJWTClaimsSet().getClaim(name);
			}
			catch (ParseException ex) {
				return Mono.error(new FailureException(Failure.invalid("Bad token: invalid claims")));
			}
			if (keyValue == null && "kid".equals(name)) {
				keyValue = signed.getHeader().getKeyID();
			}
			if (keyValue == null || keyValue.toString().isEmpty()) {
				return Mono.error(new FailureException(Failure.invalid("No mandatory '" + name + "' in claims")));
			}
			JwtSecret secret = JwtAuthGatewayFilterFactory.this.registry.findJwtSecret(keyValue.toString());
			if (secret == null) {
				return Mono.error(new FailureException(Failure.invalid("No credentials found for given '" + name + "'")));
			}
			if (!signed.getHeader().getAlgorithm().getName().equals(secret.algorithm())) {
				// Never let the token choose: an HS256 token for an RS256 credential is algorithm confusion.
				return Mono.error(new FailureException(Failure.invalid("Invalid algorithm")));
			}
			ReactiveJwtDecoder decoder = this.secretDecoders.computeIfAbsent(secret.key(),
					(key) -> JwtDecoders.forSecret(secret, this.config.clockSkew, this.config.issuer, this.config.audiences));
			return decode(decoder, token).map((jwt) -> new Authenticated(jwt,
					Identity.authenticated(new Credential(secret.key(), secret.consumer()))));
		}

		private Mono<Jwt> decode(ReactiveJwtDecoder decoder, String token) {
			// Keys that cannot be fetched fail as IllegalStateException (Spring's wrapper), not JwtException.
			return decoder.decode(token).onErrorMap((ex) -> ex instanceof JwtException || identityProviderDown(ex),
					(ex) -> new FailureException(
					identityProviderDown(ex) ? new Failure(HttpStatus.SERVICE_UNAVAILABLE,
							"The identity provider's keys cannot be fetched", null, "idp_unavailable")
							: Failure.invalid(describe((JwtException) ex))));
		}

		private Failure checkScopes(Jwt jwt) {
			if (this.config.requiredScopes.isEmpty()) {
				return null;
			}
			Set<String> granted = new LinkedHashSet<>();
			Object scope = jwt.getClaims().get("scope");
			Object scp = jwt.getClaims().get("scp");
			for (Object value : new Object[] { scope, scp }) {
				if (value instanceof String text) {
					granted.addAll(List.of(text.trim().split("\\s+")));
				}
				else if (value instanceof Collection<?> list) {
					list.forEach((item) -> granted.add(String.valueOf(item)));
				}
			}
			if (granted.containsAll(this.config.requiredScopes)) {
				return null;
			}
			return new Failure(HttpStatus.FORBIDDEN, "The token lacks a required scope: " + this.config.requiredScopes,
					"insufficient_scope", "insufficient_scope");
		}

		private Set<String> tokens(ServerHttpRequest request) {
			Set<String> tokens = new LinkedHashSet<>();
			List<String> authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
			if (authorization != null) {
				for (String value : authorization) {
					if (value.regionMatches(true, 0, "Bearer ", 0, 7) && value.length() > 7) {
						tokens.add(value.substring(7).trim());
					}
				}
			}
			if (this.config.queryParam != null) {
				List<String> values = request.getQueryParams().get(this.config.queryParam);
				if (values != null) {
					values.stream().filter((value) -> value != null && !value.isEmpty()).forEach(tokens::add);
				}
			}
			if (this.config.cookie != null) {
				List<HttpCookie> cookies = request.getCookies().get(this.config.cookie);
				if (cookies != null) {
					cookies.forEach((cookie) -> tokens.add(cookie.getValue()));
				}
			}
			return tokens;
		}

		private Mono<Void> reject(ServerWebExchange exchange, GatewayFilterChain chain, Failure failure) {
			this.failures.computeIfAbsent(failure.reason(), (reason) -> JwtAuthGatewayFilterFactory.this.meters
				.counter("tollgate.auth.failures", "route", (this.config.routeId != null) ? this.config.routeId : "unknown",
						"filter", "JwtAuth", "reason", reason))
				.increment();
			if (failure.status() == HttpStatus.UNAUTHORIZED && this.anonymous.standIn(exchange)) {
				return chain.filter(exchange);
			}
			exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge(failure));
			return ProblemWriter.write(exchange, failure.status(), failure.detail());
		}

		/** RFC 6750 section 3. */
		private String challenge(Failure failure) {
			List<String> parts = new ArrayList<>();
			if (this.config.realm != null) {
				parts.add("realm=\"" + this.config.realm + "\"");
			}
			if (failure.error() != null) {
				parts.add("error=\"" + failure.error() + "\"");
				parts.add("error_description=\"" + failure.detail().replace('"', '\'').replace('\\', '/') + "\"");
			}
			if ("insufficient_scope".equals(failure.error())) {
				parts.add("scope=\"" + String.join(" ", this.config.requiredScopes) + "\"");
			}
			return parts.isEmpty() ? "Bearer" : "Bearer " + String.join(", ", parts);
		}

		@Override
		public String toString() {
			return "JwtAuth" + this.config;
		}

	}

	/** What a client may be told: the failed check, never internal detail (hosts, stack). */
	private static String describe(JwtException ex) {
		if (ex instanceof JwtValidationException validation && !validation.getErrors().isEmpty()) {
			return validation.getErrors().iterator().next().getDescription();
		}
		String message = String.valueOf(ex.getMessage());
		if (message.contains("Invalid signature") || message.contains("signature")) {
			return "Invalid signature";
		}
		if (message.contains("Malformed") || message.contains("parse")) {
			return "Bad token: malformed";
		}
		return "Invalid token";
	}

	/** The decoder failed for want of the identity provider's keys, not because of the token. */
	private static boolean identityProviderDown(Throwable ex) {
		for (Throwable t = ex; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (t instanceof JwkSetCache.JwkSetUnavailableException) {
				return true;
			}
		}
		return false;
	}

	private record Authenticated(Jwt jwt, Identity identity) {
	}

	private static final class FailureException extends RuntimeException {

		private final Failure failure;

		FailureException(Failure failure) {
			super(failure.detail(), null, false, false);
			this.failure = failure;
		}

	}

	/** Arguments of {@code JwtAuth}. */
	public static class Config implements HasRouteId {

		/** The identity provider's JWK Set (RS256/ES256 keys), e.g. https://idp/.well-known/jwks.json. */
		private String jwkSetUri;

		/** The identity provider's issuer; its keys are found through OpenID discovery. */
		private String issuerUri;

		/** The {@code iss} tokens must carry (default: issuer-uri, if set). */
		private String issuer;

		/** Accepted {@code aud} values; one must be present. */
		private List<String> audiences = List.of();

		/** The claim naming the consumer (its username or custom-id), identity-provider mode. */
		private String consumerClaim = "sub";

		/** The claim selecting the consumer's JWT credential, per-consumer-secret mode. */
		private String keyClaimName = "iss";

		/** Scopes ({@code scope} or {@code scp}) every token must grant. */
		private List<String> requiredScopes = List.of();

		/** Also accept the token from this query parameter. */
		private String queryParam;

		/** Also accept the token from this cookie. */
		private String cookie;

		/** Allowed clock difference when checking {@code exp} and {@code nbf}. */
		private Duration clockSkew = Duration.ofSeconds(60);

		/**
		 * How long the identity provider's JWK set is trusted before the next token refetches it, so a key removed
		 * at the identity provider stops being accepted after at most this long.
		 */
		private Duration jwksCacheTtl = Duration.ofMinutes(5);

		/**
		 * The least time between two fetches of the JWK set: a token with an unknown {@code kid} refetches only
		 * when the last fetch is older than this, and a failed fetch is retried only after this long.
		 */
		private Duration jwksRefreshCooldown = Duration.ofSeconds(30);

		/** Username or id of the consumer that stands in when authentication fails. */
		private String anonymous;

		/** Realm of the {@code WWW-Authenticate} challenge. */
		private String realm;

		private String routeId;

		boolean usesIdentityProvider() {
			return this.jwkSetUri != null || this.issuerUri != null;
		}

		void validate() {
			if (this.jwkSetUri != null && this.issuerUri != null) {
				throw new InvalidConfigurationException("jwk-set-uri", "set jwk-set-uri or issuer-uri, not both");
			}
			if (this.clockSkew == null || this.clockSkew.isNegative()) {
				throw new InvalidConfigurationException("clock-skew", "must not be negative");
			}
			if (this.jwksCacheTtl == null || this.jwksCacheTtl.isNegative() || this.jwksCacheTtl.isZero()) {
				throw new InvalidConfigurationException("jwks-cache-ttl", "must be positive");
			}
			if (this.jwksRefreshCooldown == null || this.jwksRefreshCooldown.isNegative()
					|| this.jwksRefreshCooldown.isZero()) {
				throw new InvalidConfigurationException("jwks-refresh-cooldown",
						"must be positive (it bounds how often tokens can make the gateway fetch the keys)");
			}
			if (this.jwksRefreshCooldown.compareTo(this.jwksCacheTtl) > 0) {
				throw new InvalidConfigurationException("jwks-refresh-cooldown", "must not be longer than jwks-cache-ttl");
			}
			if (this.realm != null && this.realm.contains("\"")) {
				throw new InvalidConfigurationException("realm", "must not contain '\"'");
			}
		}

		public String getJwkSetUri() {
			return this.jwkSetUri;
		}

		public Config setJwkSetUri(String jwkSetUri) {
			this.jwkSetUri = jwkSetUri;
			return this;
		}

		public String getIssuerUri() {
			return this.issuerUri;
		}

		public Config setIssuerUri(String issuerUri) {
			this.issuerUri = issuerUri;
			return this;
		}

		public String getIssuer() {
			return this.issuer;
		}

		public Config setIssuer(String issuer) {
			this.issuer = issuer;
			return this;
		}

		public List<String> getAudiences() {
			return this.audiences;
		}

		public Config setAudiences(List<String> audiences) {
			this.audiences = List.copyOf(audiences);
			return this;
		}

		public String getConsumerClaim() {
			return this.consumerClaim;
		}

		public Config setConsumerClaim(String consumerClaim) {
			this.consumerClaim = consumerClaim;
			return this;
		}

		public String getKeyClaimName() {
			return this.keyClaimName;
		}

		public Config setKeyClaimName(String keyClaimName) {
			this.keyClaimName = keyClaimName;
			return this;
		}

		public List<String> getRequiredScopes() {
			return this.requiredScopes;
		}

		public Config setRequiredScopes(List<String> requiredScopes) {
			this.requiredScopes = List.copyOf(requiredScopes);
			return this;
		}

		public String getQueryParam() {
			return this.queryParam;
		}

		public Config setQueryParam(String queryParam) {
			this.queryParam = queryParam;
			return this;
		}

		public String getCookie() {
			return this.cookie;
		}

		public Config setCookie(String cookie) {
			this.cookie = cookie;
			return this;
		}

		public Duration getClockSkew() {
			return this.clockSkew;
		}

		public Config setClockSkew(Duration clockSkew) {
			this.clockSkew = clockSkew;
			return this;
		}

		public Duration getJwksCacheTtl() {
			return this.jwksCacheTtl;
		}

		public Config setJwksCacheTtl(Duration jwksCacheTtl) {
			this.jwksCacheTtl = jwksCacheTtl;
			return this;
		}

		public Duration getJwksRefreshCooldown() {
			return this.jwksRefreshCooldown;
		}

		public Config setJwksRefreshCooldown(Duration jwksRefreshCooldown) {
			this.jwksRefreshCooldown = jwksRefreshCooldown;
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
		public String getRouteId() {
			return this.routeId;
		}

		@Override
		public void setRouteId(String routeId) {
			this.routeId = routeId;
		}

		@Override
		public String toString() {
			return "[" + (usesIdentityProvider() ? "jwkSetUri=" + this.jwkSetUri + ", issuerUri=" + this.issuerUri
					+ ", audiences=" + this.audiences + ", consumerClaim=" + this.consumerClaim + ", jwksCacheTtl="
					+ this.jwksCacheTtl + ", jwksRefreshCooldown=" + this.jwksRefreshCooldown
					: "keyClaimName=" + this.keyClaimName) + ", requiredScopes=" + this.requiredScopes + ", anonymous="
					+ this.anonymous + "]";
		}

	}

}
