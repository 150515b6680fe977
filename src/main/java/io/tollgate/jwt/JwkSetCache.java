package io.tollgate.jwt;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An identity provider's JWK set, fetched without blocking (Reactor Netty) and trusted for a TTL, so that a key
 * the identity provider removed stops being accepted after at most that long. A token whose {@code kid} is not in
 * the set refetches it only when the last fetch is older than the cooldown, and at most one fetch runs at a time
 * (every token waiting for keys shares it): tokens with made-up {@code kid}s cannot turn the gateway into an
 * amplifier against the identity provider. A failed fetch keeps the last good set and is retried after the
 * cooldown; with no good set yet, tokens fail with {@link JwkSetUnavailableException}.
 * <p>
 * Nothing is fetched before the first token. It does not verify tokens (Nimbus does, with the keys it hands out).
 */
final class JwkSetCache {

	private static final Log logger = LogFactory.getLog(JwkSetCache.class);

	/** A fetch (discovery included) that takes longer fails: tokens waiting for keys are not held longer. */
	static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

	private final WebClient web;

	private final String name;

	private final Mono<URI> location;

	private final long ttl;

	private final long cooldown;

	private final LongSupplier nanoTime;

	private final AtomicReference<Snapshot> state = new AtomicReference<>(Snapshot.NONE);

	private final AtomicReference<Mono<Snapshot>> inFlight = new AtomicReference<>();

	private JwkSetCache(WebClient web, String name, Mono<URI> location, Duration ttl, Duration cooldown,
			LongSupplier nanoTime) {
		this.web = web;
		this.name = name;
		this.location = location;
		this.ttl = ttl.toNanos();
		this.cooldown = cooldown.toNanos();
		this.nanoTime = nanoTime;
	}

	/** The JWK set at {@code jwkSetUri}. */
	static JwkSetCache forJwkSetUri(WebClient web, String jwkSetUri, Duration ttl, Duration cooldown) {
		return new JwkSetCache(web, jwkSetUri, Mono.fromSupplier(() -> URI.create(jwkSetUri)), ttl, cooldown,
				System::nanoTime);
	}

	/**
	 * The JWK set named by {@code jwks_uri} in the issuer's OpenID Provider metadata ({@code
	 * {issuer}/.well-known/openid-configuration}), looked up on the first fetch and kept once found; the metadata's
	 * {@code issuer} must be {@code issuerUri} (OpenID Connect Discovery 1.0, section 4.3).
	 */
	static JwkSetCache forIssuer(WebClient web, String issuerUri, Duration ttl, Duration cooldown) {
		String base = issuerUri.endsWith("/") ? issuerUri.substring(0, issuerUri.length() - 1) : issuerUri;
		Mono<URI> discovered = web.get()
			.uri(URI.create(base + "/.well-known/openid-configuration"))
			.accept(MediaType.APPLICATION_JSON)
			.retrieve()
			.bodyToMono(String.class)
			.map((body) -> jwksUri(body, issuerUri))
			// Before the cache: a discovery request that is never answered must fail, not be the one every later
			// fetch waits on (a cached Mono never cancels its source).
			.timeout(FETCH_TIMEOUT)
			.cache((uri) -> Duration.ofMillis(Long.MAX_VALUE), (ex) -> Duration.ZERO, () -> Duration.ZERO);
		return new JwkSetCache(web, issuerUri, discovered, ttl, cooldown, System::nanoTime);
	}

	private static URI jwksUri(String metadata, String issuerUri) {
		try {
			Map<String, Object> json = JSONObjectUtils.parse(metadata);
			if (!issuerUri.equals(JSONObjectUtils.getString(json, "issuer"))) {
				throw new IllegalStateException("the discovery document names another issuer");
			}
			URI uri = JSONObjectUtils.getURI(json, "jwks_uri");
			if (uri == null || !uri.isAbsolute()) {
				throw new IllegalStateException("the discovery document has no absolute jwks_uri");
			}
			return uri;
		}
		catch (ParseException ex) {
			throw new IllegalStateException("the discovery document is not valid JSON", ex);
		}
	}

	/**
	 * The keys that match {@code header} (type, {@code kid}, use), from the cached set, or from a fresh one when
	 * the set is older than the TTL, or when none matches and the last fetch is older than the cooldown.
	 */
	Flux<JWK> keys(JWSHeader header) {
		JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
		if (matcher == null) {
			return Flux.empty();
		}
		JWKSelector selector = new JWKSelector(matcher);
		long now = this.nanoTime.getAsLong();
		Snapshot current = this.state.get();
		boolean mayFetch = current.mayFetch(now, this.cooldown);
		if (current.fresh(now, this.ttl)) {
			List<JWK> keys = selector.select(current.set());
			if (!keys.isEmpty() || !mayFetch) {
				return Flux.fromIterable(keys);
			}
		}
		else if (!mayFetch) {
			// The last fetch failed a moment ago: the last good keys, if any, until the cooldown has passed.
			return current.select(selector);
		}
		return refresh(current).flatMapMany((snapshot) -> snapshot.select(selector));
	}

	/** The one fetch in flight, started here if none is and nobody has updated the set since {@code seen}. */
	private Mono<Snapshot> refresh(Snapshot seen) {
		while (true) {
			Mono<Snapshot> running = this.inFlight.get();
			if (running != null) {
				return running;
			}
			Snapshot current = this.state.get();
			if (current != seen) {
				return Mono.just(current);
			}
			Sinks.One<Snapshot> result = Sinks.one();
			Mono<Snapshot> shared = result.asMono();
			if (!this.inFlight.compareAndSet(null, shared)) {
				continue;
			}
			if (this.state.get() != seen) {
				// A fetch finished between the two reads above: use it.
				this.inFlight.set(null);
				return Mono.just(this.state.get());
			}
			// Subscribed here, not by the token that asked: a client that goes away does not cancel the fetch.
			fetch().subscribe((set) -> complete(result, seen, set, null), (ex) -> complete(result, seen, null, ex));
			return shared;
		}
	}

	private void complete(Sinks.One<Snapshot> result, Snapshot previous, JWKSet set, Throwable failure) {
		long now = this.nanoTime.getAsLong();
		Snapshot next;
		if (set != null) {
			next = new Snapshot(set, now, now, true, null);
			if (logger.isDebugEnabled()) {
				logger.debug("JWK set of " + this.name + " fetched: " + set.getKeys().size() + " keys");
			}
		}
		else {
			next = new Snapshot(previous.set(), previous.fetchedAt(), now, true, failure);
			logger.warn("JWK set of " + this.name + " could not be fetched (" + failure + "); "
					+ ((previous.set() != null) ? "keeping the last good keys" : "tokens are refused with 503 until it can")
					+ ", next try in no less than " + Duration.ofNanos(this.cooldown));
		}
		this.state.set(next);
		this.inFlight.set(null);
		result.tryEmitValue(next);
	}

	private Mono<JWKSet> fetch() {
		return this.location
			.flatMap((uri) -> this.web.get()
				.uri(uri)
				.accept(MediaType.APPLICATION_JSON, MediaType.parseMediaType("application/jwk-set+json"))
				.retrieve()
				.bodyToMono(String.class))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("empty JWK set response")))
			.map(JwkSetCache::parse)
			.timeout(FETCH_TIMEOUT);
	}

	private static JWKSet parse(String body) {
		try {
			return JWKSet.parse(body);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("not a JWK set: " + ex.getMessage(), ex);
		}
	}

	@Override
	public String toString() {
		return "JwkSetCache[" + this.name + ", ttl=" + Duration.ofNanos(this.ttl) + ", cooldown="
				+ Duration.ofNanos(this.cooldown) + "]";
	}

	/**
	 * What is known: the last good set ({@code null} before the first), when it was fetched, when a fetch was last
	 * tried, and why that try failed ({@code null} if it did not). Replaced whole, never changed.
	 */
	private record Snapshot(JWKSet set, long fetchedAt, long triedAt, boolean tried, Throwable failure) {

		static final Snapshot NONE = new Snapshot(null, 0, 0, false, null);

		boolean fresh(long now, long ttl) {
			return this.set != null && now - this.fetchedAt < ttl;
		}

		boolean mayFetch(long now, long cooldown) {
			return !this.tried || now - this.triedAt >= cooldown;
		}

		Flux<JWK> select(JWKSelector selector) {
			if (this.set == null) {
				return Flux.error(new JwkSetUnavailableException(this.failure));
			}
			return Flux.fromIterable(selector.select(this.set));
		}

	}

	/** No key set could be fetched yet: the identity provider (or the way to it) is down, not the token bad. */
	static final class JwkSetUnavailableException extends RuntimeException {

		JwkSetUnavailableException(Throwable cause) {
			super("The identity provider's keys cannot be fetched", cause, false, false);
		}

	}

}
