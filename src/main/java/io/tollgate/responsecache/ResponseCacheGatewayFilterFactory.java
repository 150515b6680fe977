package io.tollgate.responsecache;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.Identity;
import io.tollgate.consumer.Sha256;
import io.tollgate.pipeline.EventLoops;
import io.tollgate.pipeline.PolicyOrder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code ResponseCache}: serves repeated requests from a cache (memory or Redis) with RFC 9111 semantics for a
 * shared cache. One consumer's response is never served to another; concurrent misses on one key make one
 * upstream request (per replica); with {@code stale-if-error} an expired entry stands in when the upstream fails.
 * <pre>
 * filters:
 *   - ResponseCache=60s                         # ttl
 *   - name: ResponseCache
 *     args: { ttl: 5m, vary-headers: [Accept-Language], stale-if-error: 10m }
 * </pre>
 * It runs (order -150) after auth, rate limits and validation and before Spring Cloud Gateway's
 * NettyWriteResponseFilter (-1), so on a miss it can put a {@link CapturingResponse} around the response that
 * records the body as it streams to the client.
 */
@Component
public class ResponseCacheGatewayFilterFactory
		extends AbstractGatewayFilterFactory<ResponseCacheGatewayFilterFactory.Config> {

	static final String STATUS_HEADER = "X-Cache-Status";

	static final String KEY_HEADER = "X-Cache-Key";

	/** The IANA HTTP content codings (less identity, which every client accepts), and the wildcard. */
	private static final Set<String> KNOWN_CODINGS = Set.of("gzip", "x-gzip", "deflate", "br", "zstd", "compress",
			"x-compress", "dcb", "dcz", "exi", "pack200-gzip", "aes128gcm", "*");

	/** RFC 9110 section 9.2.1: every other method, known or not, may change the resource (RFC 9111 section 4.4). */
	private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.TRACE);

	private static final Log logger = LogFactory.getLog(ResponseCacheGatewayFilterFactory.class);

	private final ResponseCacheStore store;

	/** Startup's store settings, with the timeouts a reload may change ({@link #reconfigure}). */
	private volatile ResponseCacheProperties properties;

	private final Clock clock;

	private final MeterRegistry meters;

	private final InFlight inFlight = new InFlight();

	ResponseCacheGatewayFilterFactory(ResponseCacheStore store, ResponseCacheProperties properties, Clock clock,
			MeterRegistry meters) {
		super(Config.class);
		this.store = store;
		this.properties = properties;
		this.clock = clock;
		this.meters = meters;
	}

	/**
	 * Puts a reloaded configuration's {@code redis-timeout} and {@code lock-timeout} in force. The store and its
	 * bounds stay startup's: the store is built once.
	 */
	public void reconfigure(ResponseCacheProperties next) {
		ResponseCacheProperties startup = this.properties;
		this.properties = new ResponseCacheProperties(startup.store(), startup.memory(), next.redisTimeout(),
				next.lockTimeout(), startup.redis(), startup.targetedField());
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("ttl");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		return new OrderedGatewayFilter(new ResponseCacheFilter(config), PolicyOrder.RESPONSE_CACHE);
	}

	/** The route filter. */
	final class ResponseCacheFilter implements GatewayFilter {

		private final Config config;

		private final ResponsePolicy policy;

		private final Set<String> varyHeaders;

		private final Map<CacheStatus, Counter> lookups = new EnumMap<>(CacheStatus.class);

		private final Counter storedBytes;

		ResponseCacheFilter(Config config) {
			this.config = config;
			Set<String> keyed = new LinkedHashSet<>();
			keyed.add("accept-encoding");
			config.varyHeaders.forEach((name) -> keyed.add(name.toLowerCase(Locale.ROOT)));
			this.varyHeaders = new TreeSet<>(keyed);
			this.policy = new ResponsePolicy(Set.copyOf(config.statuses), List.copyOf(config.contentTypes),
					config.cacheControl, config.ttl.toMillis(),
					Math.min(config.maxEntrySize.toBytes(), ResponseCacheGatewayFilterFactory.this.store.maxEntrySize()),
					Set.copyOf(keyed),
					ResponseCacheGatewayFilterFactory.this.inFlight,
					ResponseCacheGatewayFilterFactory.this.properties.targetedField(), config.heuristicFreshness,
					(config.staleIfError != null) ? config.staleIfError.toMillis() : 0, config.keep.toMillis());
			String route = (config.routeId != null) ? config.routeId : "unknown";
			for (CacheStatus status : CacheStatus.values()) {
				this.lookups.put(status, Counter.builder("tollgate.cache.lookups")
					.description("Response cache lookups")
					.tag("route", route)
					.tag("result", status.name().toLowerCase(Locale.ROOT))
					.register(ResponseCacheGatewayFilterFactory.this.meters));
			}
			this.storedBytes = Counter.builder("tollgate.cache.stored.bytes")
				.description("Bytes of responses stored in the cache")
				.baseUnit("bytes")
				.tag("route", route)
				.register(ResponseCacheGatewayFilterFactory.this.meters);
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			ServerHttpRequest request = exchange.getRequest();
			// The gateway's own cache-control field is for the gateway only: it never reaches the client, whether
			// the response comes from the upstream or from the cache.
			ServerHttpResponse response = exchange.getResponse();
			String targeted = this.policy.targetedField();
			response.beforeCommit(() -> {
				response.getHeaders().remove(targeted);
				return Mono.empty();
			});
			if (!SAFE_METHODS.contains(request.getMethod())) {
				return write(exchange, chain);
			}
			if (!this.config.methods.contains(request.getMethod()) || hasBody(request.getHeaders())) {
				// A body is forwarded but not keyed: caching its response would let one client poison the entry.
				return bypass(exchange, chain);
			}
			if (request.getHeaders().containsHeader(HttpHeaders.RANGE)) {
				// Range requests go to the upstream as they are, and their 206s are not stored: a cache that answered
				// some of them would answer part of a representation it may not hold (RFC 9111 section 3.3).
				return bypass(exchange, chain);
			}
			CacheControl asked = this.config.cacheControl ? requestDirectives(request.getHeaders()) : CacheControl.NONE;
			if (asked.noStore()) {
				return bypass(exchange, chain);
			}
			Identity identity = Identity.of(exchange);
			boolean credentialed = ResponsePolicy.carriesCredentials(request.getHeaders());
			boolean unknownSubject = Identity.unmappedSubject(exchange) != null;
			if (unknownSubject || (credentialed && (identity == null || identity.anonymous() || !this.config.varyByConsumer))) {
				// A response to credentials the gateway does not know could be anyone's: never shared.
				return bypass(exchange, chain);
			}
			String key = key(request, identity, credentialed);
			boolean head = HttpMethod.HEAD.equals(request.getMethod());
			if (asked.noCache() && this.config.requestNoCache == RequestNoCache.REVALIDATE) {
				return head ? forwardUnstored(exchange, chain, key, CacheStatus.REFRESH)
						: coordinatedFetch(exchange, chain, key, CacheStatus.REFRESH, null);
			}
			long now = ResponseCacheGatewayFilterFactory.this.clock.millis();
			return lookup(exchange, key).flatMap((found) -> {
				if (!found.available()) {
					return bypass(exchange, chain);
				}
				CachedResponse entry = found.entry();
				if (entry != null && ResponsePolicy.varyMatches(entry, request.getHeaders())) {
					boolean youngEnough = asked.maxAge() < 0 || entry.ageSeconds(now) <= asked.maxAge();
					if (entry.isFresh(now) && youngEnough) {
						return hit(exchange, entry, key, now);
					}
					CacheStatus status = youngEnough ? CacheStatus.MISS : CacheStatus.REFRESH;
					if (head) {
						// Only an expired entry is updated by a HEAD: a client's max-age never rewrites a fresh one.
						return entry.isFresh(now) ? forwardUnstored(exchange, chain, key, status)
								: forwardHead(exchange, chain, key, status, entry, now);
					}
					if (youngEnough && entry.mayServeWhileRevalidating(now)) {
						return staleWhileRevalidate(exchange, chain, key, entry, now);
					}
					// Expired: revalidated if it has a validator; else fetched, and it stands in if that fails.
					return coordinatedFetch(exchange, chain, key, status, entry);
				}
				return head ? forwardUnstored(exchange, chain, key, CacheStatus.MISS)
						: coordinatedFetch(exchange, chain, key, CacheStatus.MISS, null);
			});
		}

		/**
		 * A request that may change what is stored (RFC 9111 section 4.4): passed on, and once its response is a
		 * success (2xx, 3xx), the entries of its URI, and of the URIs on the same host in its {@code Location} and
		 * {@code Content-Location}, are removed before the response goes to the client, so the client's next read
		 * does not get what it just replaced.
		 */
		private Mono<Void> write(ServerWebExchange exchange, GatewayFilterChain chain) {
			ServerHttpRequest request = exchange.getRequest();
			ServerHttpResponse response = exchange.getResponse();
			response.beforeCommit(() -> {
				org.springframework.http.HttpStatusCode status = response.getStatusCode();
				if (status == null || !(status.is2xxSuccessful() || status.is3xxRedirection())) {
					return Mono.empty();
				}
				Set<String> tags = new LinkedHashSet<>();
				tags.add(CacheKeys.uriTag(request.getURI().getRawAuthority(), request.getPath().value(),
						request.getURI().getRawQuery()));
				for (String field : List.of(HttpHeaders.LOCATION, HttpHeaders.CONTENT_LOCATION)) {
					String tag = sameHostTag(request, response.getHeaders().getFirst(field));
					if (tag != null) {
						tags.add(tag);
					}
				}
				return invalidate(exchange, tags, ResponseCacheGatewayFilterFactory.this.clock.millis());
			});
			return bypass(exchange, chain);
		}

		private Mono<Void> invalidate(ServerWebExchange exchange, Set<String> tags, long at) {
			ResponseCacheStore store = ResponseCacheGatewayFilterFactory.this.store;
			Mono<Void> removed = Flux.fromIterable(tags).flatMap((tag) -> store.invalidate(tag, at)).then();
			ResponseCacheProperties properties = ResponseCacheGatewayFilterFactory.this.properties;
			if (properties.store() == ResponseCacheProperties.StoreType.REDIS) {
				// Bounded, and on the exchange's event loop: a slow Redis delays a write by redis-timeout at most.
				Scheduler loop = EventLoops.of(exchange);
				removed = removed.timeout(properties.redisTimeout(), loop).publishOn(loop);
			}
			return removed.onErrorResume((ex) -> {
				// Debug, not warn: with Redis down every write would log it. The entries expire on their own.
				logger.debug("Cached entries of a changed URI not removed: " + ex);
				return Mono.empty();
			});
		}

		/** The stored entry (or null), or "unavailable" when the store fails or is too slow. */
		private Mono<Found> lookup(ServerWebExchange exchange, String key) {
			Mono<CachedResponse> get = ResponseCacheGatewayFilterFactory.this.store.get(key);
			ResponseCacheProperties properties = ResponseCacheGatewayFilterFactory.this.properties;
			if (properties.store() == ResponseCacheProperties.StoreType.REDIS) {
				// Answer (or time out) on the exchange's event loop, not on Lettuce's thread (see EventLoops).
				Scheduler loop = EventLoops.of(exchange);
				get = get.timeout(properties.redisTimeout(), loop).publishOn(loop);
			}
			return get.map((entry) -> new Found(entry, true)).defaultIfEmpty(Found.NOTHING).onErrorResume((ex) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Response cache unavailable, passing through: " + ex);
				}
				return Mono.just(Found.UNAVAILABLE);
			});
		}

		/**
		 * A miss or a refresh (expired entry, client revalidation): the first one on a key fetches; the others wait
		 * (bounded) for its response.
		 */
		private Mono<Void> coordinatedFetch(ServerWebExchange exchange, GatewayFilterChain chain, String key,
				CacheStatus status, CachedResponse stale) {
			InFlight inFlight = ResponseCacheGatewayFilterFactory.this.inFlight;
			Sinks.One<CachedResponse> leading = inFlight.lead(key);
			if (leading != null) {
				return fetchAndRecord(exchange, chain, key, status, stale, leading);
			}
			Sinks.One<CachedResponse> current = inFlight.current(key);
			if (current == null) {
				return fetch(exchange, chain, key, status, stale);
			}
			// (Not switchIfEmpty: a hit completes empty too, and must not be followed by a fetch.)
			return current.asMono()
				.timeout(ResponseCacheGatewayFilterFactory.this.properties.lockTimeout(), Mono.empty())
				.map(java.util.Optional::of)
				.defaultIfEmpty(java.util.Optional.empty())
				.flatMap((entry) -> entry.isPresent() && ResponsePolicy.varyMatches(entry.get(), exchange.getRequest().getHeaders())
						? hit(exchange, entry.get(), key, ResponseCacheGatewayFilterFactory.this.clock.millis())
						: fetch(exchange, chain, key, status, stale));
		}

		/**
		 * A HEAD for an expired entry: forwarded, and its response updates the entry's headers and freshness when it
		 * agrees with the entry's validators and length, or removes the entry when it does not (RFC 9111 section
		 * 4.3.5).
		 */
		private Mono<Void> forwardHead(ServerWebExchange exchange, GatewayFilterChain chain, String key,
				CacheStatus status, CachedResponse entry, long startedAt) {
			ServerHttpResponse response = exchange.getResponse();
			HttpHeaders requestHeaders = exchange.getRequest().getHeaders();
			response.beforeCommit(() -> {
				HttpHeaders headers = response.getHeaders();
				// Section 4.3.5 speaks of 200s; a cookie is this client's, and says nothing about the entry.
				if (entry.status() != 200 || response.getStatusCode() == null || response.getStatusCode().value() != 200
						|| !Capture.fromUpstream(exchange) || headers.containsHeader(HttpHeaders.SET_COOKIE)) {
					return Mono.empty();
				}
				CachedResponse updated = Capture.validatorsAgree(entry, headers)
						? Capture.updated(entry, headers, Capture.storable(headers, exchange), this.policy, requestHeaders,
								ResponseCacheGatewayFilterFactory.this.clock.millis())
						: null;
				if (updated != null) {
					store(key, updated, startedAt);
				}
				else {
					evict(key);
				}
				return Mono.empty();
			});
			return forwardUnstored(exchange, chain, key, status);
		}

		/**
		 * An expired entry within its {@code stale-while-revalidate} (RFC 5861 section 3): served now, and refreshed
		 * in the background by the first such request (the others find the refresh in flight and just serve).
		 */
		private Mono<Void> staleWhileRevalidate(ServerWebExchange exchange, GatewayFilterChain chain, String key,
				CachedResponse entry, long now) {
			count(CacheStatus.STALE);
			Mono<Void> answer = CachedResponses.write(exchange, exchange.getResponse(), entry, key, now,
					CacheStatus.STALE, true);
			Sinks.One<CachedResponse> leading = ResponseCacheGatewayFilterFactory.this.inFlight.lead(key);
			if (leading == null) {
				return answer; // a refresh is already under way
			}
			Capture capture = capture(exchange, key, CacheStatus.STALE, entry, leading);
			capture.alreadyCounted(); // this request counted as stale
			// Started as the answer is written, not after: the refresh runs on its own (its upstream call is
			// asynchronous), and a slow client never holds the key's in-flight slot.
			return answer.doFirst(() -> BackgroundRefresh.start(exchange, chain, capture,
					ResponseCacheGatewayFilterFactory.this.clock,
					ResponseCacheGatewayFilterFactory.this.properties.lockTimeout()));
		}

		/**
		 * A HEAD the cache cannot answer: forwarded as it is and not stored. Entries are stored from GET responses
		 * only, so a body-less HEAD response is never replayed (with {@code Content-Length: 0}) to anyone.
		 */
		private Mono<Void> forwardUnstored(ServerWebExchange exchange, GatewayFilterChain chain, String key,
				CacheStatus status) {
			count(status);
			status.applyTo(exchange, exchange.getResponse().getHeaders());
			exchange.getResponse().getHeaders().set(KEY_HEADER, key);
			return chain.filter(exchange);
		}

		private Mono<Void> fetch(ServerWebExchange exchange, GatewayFilterChain chain, String key, CacheStatus status,
				CachedResponse stale) {
			return fetchAndRecord(exchange, chain, key, status, stale, null);
		}

		private Mono<Void> fetchAndRecord(ServerWebExchange exchange, GatewayFilterChain chain, String key,
				CacheStatus status, CachedResponse stale, Sinks.One<CachedResponse> waiters) {
			Capture capture = capture(exchange, key, status, stale, waiters);
			if (!capture.revalidating) {
				count(status); // a revalidation counts when it ends: revalidated, or what it started as
			}
			exchange.getAttributes().put(Capture.ATTRIBUTE, capture);
			status.applyTo(exchange, exchange.getResponse().getHeaders());
			ServerWebExchange recorded = exchange.mutate()
				.request(capture.revalidating ? conditional(exchange.getRequest(), stale) : exchange.getRequest())
				.response(new CapturingResponse(exchange.getResponse(), exchange, ResponseCacheGatewayFilterFactory.this.clock))
				.build();
			Mono<Void> proxied = Mono.defer(() -> chain.filter(recorded)); // a throw, too, ends in doFinally below
			if (stale != null) {
				// Connection refused, timeout, open circuit: a stale entry that may stand in answers instead.
				proxied = proxied.onErrorResume((ex) -> !exchange.getResponse().isCommitted()
						&& stale.isUsableStale(ResponseCacheGatewayFilterFactory.this.clock.millis()), (ex) -> {
					exchange.getAttributes().remove(Capture.ATTRIBUTE);
					capture.abandon();
					return CachedResponses.write(exchange, exchange.getResponse(), stale, key,
							ResponseCacheGatewayFilterFactory.this.clock.millis(), CacheStatus.HIT, true);
				});
			}
			// The body has been written (by NettyWriteResponseFilter, further down this chain) when the chain
			// completes: whatever ended it without recording, the waiters are let go (a no-op after complete()).
			return proxied.doFinally((signal) -> capture.abandon());
		}

		/** A recording of the exchange's response; it revalidates when the entry it replaces has a validator. */
		private Capture capture(ServerWebExchange exchange, String key, CacheStatus status, CachedResponse stale,
				Sinks.One<CachedResponse> waiters) {
			boolean revalidating = stale != null && stale.hasValidator()
					&& HttpMethod.GET.equals(exchange.getRequest().getMethod());
			long fetchedSince = ResponseCacheGatewayFilterFactory.this.clock.millis();
			return new Capture(key, status, stale, revalidating, this.policy, waiters, new Capture.Outcome() {
				@Override
				public void store(CachedResponse entry) {
					ResponseCacheFilter.this.store(key, entry, fetchedSince);
				}

				@Override
				public void forget() {
					evict(key);
				}

				@Override
				public void count(CacheStatus outcome) {
					ResponseCacheFilter.this.count(outcome);
				}
			}, exchange.getRequest().getHeaders());
		}

		private void evict(String key) {
			ResponseCacheGatewayFilterFactory.this.store.evict(key)
				.timeout(Duration.ofSeconds(1))
				.subscribe(null, (ex) -> logger.debug("Response not removed: " + ex));
		}

		/** Stores an entry, unless its URI was invalidated since {@code fetchedSince} (see ResponseCacheStore). */
		private void store(String key, CachedResponse entry, long fetchedSince) {
			long now = ResponseCacheGatewayFilterFactory.this.clock.millis();
			if (now - fetchedSince >= ResponseCacheStore.INVALIDATION_MEMORY.toMillis()) {
				return; // fetched for longer than a write's marker lasts: it may be what a write replaced
			}
			this.storedBytes.increment(entry.body().length);
			// From now: an entry that arrived with an age was stored as of when it was generated.
			Duration keepFor = Duration.ofMillis(Math.max(1, entry.keepUntil() - now));
			Mono.defer(() -> ResponseCacheGatewayFilterFactory.this.store.put(key, entry, keepFor, fetchedSince))
				.timeout(Duration.ofSeconds(1))
				.subscribe(null, (ex) -> logger.debug("Response not stored: " + ex));
		}

		private Mono<Void> hit(ServerWebExchange exchange, CachedResponse entry, String key, long now) {
			count(CacheStatus.HIT);
			return CachedResponses.write(exchange, exchange.getResponse(), entry, key, now, CacheStatus.HIT, false);
		}

		private Mono<Void> bypass(ServerWebExchange exchange, GatewayFilterChain chain) {
			count(CacheStatus.BYPASS);
			CacheStatus.BYPASS.applyTo(exchange, exchange.getResponse().getHeaders());
			return chain.filter(exchange);
		}

		private void count(CacheStatus status) {
			this.lookups.get(status).increment();
		}

		/**
		 * What identifies a response: route, method (HEAD reads GET's entries), path, query (parameters sorted),
		 * the encodings the client accepts, the configured vary headers, with vary-by-consumer the consumer and
		 * credential, and for requests with credentials (Authorization, Cookie) the SHA-256 of their values: two end
		 * users behind one consumer (one app key, each with their own token, in a header or a cookie) never share an
		 * entry. Hashed: it may hold values that must not be shown.
		 */
		private String key(ServerHttpRequest request, Identity identity, boolean credentialed) {
			StringBuilder key = new StringBuilder(128);
			HttpMethod method = HttpMethod.HEAD.equals(request.getMethod()) ? HttpMethod.GET : request.getMethod();
			key.append(this.config.routeId).append('\n').append(method.name()).append('\n')
				.append(request.getPath().value()).append('\n');
			String query = CacheKeys.sortedQuery(request.getURI().getRawQuery());
			key.append(query);
			key.append('\n').append(acceptedEncodings(request.getHeaders()));
			for (String header : this.varyHeaders) {
				if (!header.equals("accept-encoding")) {
					List<String> values = request.getHeaders().get(header);
					key.append('\n').append(header).append('=').append((values != null) ? String.join(",", values) : "");
				}
			}
			if (this.config.varyByConsumer && identity != null && !identity.anonymous()) {
				key.append("\nconsumer=").append(identity.consumer().id());
				if (credentialed) {
					key.append("\ncredential=").append(identity.credentialId());
				}
			}
			if (credentialed) {
				key.append("\ncredentials=").append(Sha256.hex(ResponsePolicy.credentials(request.getHeaders())));
			}
			// The host is in the URI tag, so in the key too: a route that serves several hosts keeps their entries apart.
			return CacheKeys.key(CacheKeys.sortedUriTag(request.getURI().getRawAuthority(), request.getPath().value(), query),
					key.toString());
		}

		@Override
		public String toString() {
			return "ResponseCache" + this.config;
		}

	}

	/**
	 * A lookup's result.
	 *
	 * @param entry the stored entry, or null
	 * @param available false when the store failed or was too slow
	 */
	private record Found(CachedResponse entry, boolean available) {

		static final Found NOTHING = new Found(null, true);

		static final Found UNAVAILABLE = new Found(null, false);

	}

	/**
	 * The request as it goes upstream to revalidate a stored entry (RFC 9111 section 4.3.1): with the entry's
	 * {@code ETag} in {@code If-None-Match} and its {@code Last-Modified} in {@code If-Modified-Since}, in place of
	 * the client's own validators (which the cache answers itself, from the entry it gets back).
	 */
	static ServerHttpRequest conditional(ServerHttpRequest request, CachedResponse stored) {
		return request.mutate().headers((headers) -> {
			headers.remove(HttpHeaders.IF_NONE_MATCH);
			headers.remove(HttpHeaders.IF_MODIFIED_SINCE);
			String tag = stored.header(HttpHeaders.ETAG);
			if (tag != null) {
				headers.set(HttpHeaders.IF_NONE_MATCH, tag);
			}
			String modified = stored.header(HttpHeaders.LAST_MODIFIED);
			if (modified != null) {
				headers.set(HttpHeaders.IF_MODIFIED_SINCE, modified);
			}
		}).build();
	}

	/**
	 * The URI tag of a {@code Location} or {@code Content-Location} value, resolved against the request, when it is
	 * on the request's host (section 4.4: never another host's, which a response must not be able to wipe); else null.
	 */
	static String sameHostTag(ServerHttpRequest request, String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			java.net.URI base = request.getURI();
			java.net.URI target = base.resolve(new java.net.URI(value.trim()));
			if (target.getRawPath() == null || target.getRawPath().isEmpty()
					|| target.getRawAuthority() == null || !target.getRawAuthority().equalsIgnoreCase(base.getRawAuthority())) {
				return null;
			}
			return CacheKeys.uriTag(target.getRawAuthority(), target.getRawPath(), target.getRawQuery());
		}
		catch (java.net.URISyntaxException | IllegalArgumentException ex) {
			return null;
		}
	}

	/** RFC 9112 section 6.3: a request has a body when it declares a length above 0 or a transfer coding. */
	private static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	private static CacheControl requestDirectives(HttpHeaders headers) {
		CacheControl directives = CacheControl.parse(headers.get(HttpHeaders.CACHE_CONTROL));
		List<String> pragma = headers.get("Pragma");
		if (!directives.noCache() && pragma != null && pragma.stream().anyMatch((v) -> v.contains("no-cache"))) {
			return directives.withNoCache();
		}
		return directives;
	}

	/**
	 * The content codings the client accepts (q > 0), sorted: clients that accept the same codings may share an
	 * entry, so gzip never reaches a client that did not ask for it. Only registered codings (and {@code *}) count:
	 * made-up tokens would give a client as many entries per URI as it likes.
	 */
	static String acceptedEncodings(HttpHeaders headers) {
		List<String> values = headers.get(HttpHeaders.ACCEPT_ENCODING);
		if (values == null) {
			return "";
		}
		TreeSet<String> codings = new TreeSet<>();
		for (String value : values) {
			for (String part : value.split(",")) {
				String[] pieces = part.trim().toLowerCase(Locale.ROOT).split(";");
				String coding = pieces[0].trim();
				boolean refused = false;
				for (int i = 1; i < pieces.length; i++) {
					String parameter = pieces[i].trim();
					if (parameter.startsWith("q=")) {
						try {
							refused = Double.parseDouble(parameter.substring(2)) <= 0;
						}
						catch (NumberFormatException ex) {
							refused = true;
						}
					}
				}
				if (KNOWN_CODINGS.contains(coding) && !refused) {
					codings.add(coding);
				}
			}
		}
		return String.join(",", codings);
	}

	/** What a request's {@code Cache-Control: no-cache} (or {@code Pragma: no-cache}) does. */
	public enum RequestNoCache {

		/** Ignored: any client could otherwise make the shared cache go upstream at will (Varnish's default). */
		IGNORE,
		/**
		 * Honoured: the entry is fetched again, through the same single flight as misses, so concurrent
		 * {@code no-cache} requests on one key make one upstream request (per replica).
		 */
		REVALIDATE

	}

	/** Arguments of {@code ResponseCache}. */
	public static class Config implements HasRouteId {

		/** How long a response stays fresh when its Cache-Control does not say (or is not honoured). */
		private Duration ttl = Duration.ofSeconds(300);

		/** Request methods whose responses are cached. */
		private List<HttpMethod> methods = List.of(HttpMethod.GET, HttpMethod.HEAD);

		/** Response statuses that are cached. */
		private List<Integer> statuses = List.of(200, 301, 404);

		/** Response media types that are cached (parameters such as charset ignored; wildcards allowed). */
		private List<MediaType> contentTypes = List.of(MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN);

		/** Request headers whose values select different entries. */
		private List<String> varyHeaders = List.of();

		/** One consumer's response is never served to another. */
		private boolean varyByConsumer = true;

		/** Honour request and response Cache-Control (RFC 9111). */
		private boolean cacheControl = true;

		/** What a request's {@code no-cache} does: {@code ignore} (default, for a shared cache) or {@code revalidate}. */
		private RequestNoCache requestNoCache = RequestNoCache.IGNORE;

		/** Larger responses pass through uncached. */
		private org.springframework.util.unit.DataSize maxEntrySize = org.springframework.util.unit.DataSize.ofMegabytes(1);

		/** How long after expiry an entry may still stand in when the upstream fails; off when empty. */
		private Duration staleIfError;

		/**
		 * A response that states no freshness but has {@code Last-Modified} is fresh for 10 % of its age (at most a
		 * day; RFC 9111 section 4.2.2) instead of {@code ttl}.
		 */
		private boolean heuristicFreshness = false;

		/**
		 * How long past its freshness (or its stale times, if later) an entry with a validator ({@code ETag},
		 * {@code Last-Modified}) is kept, to be revalidated with a conditional request instead of fetched again
		 * (nginx's {@code inactive}); 0: not kept.
		 */
		private Duration keep = Duration.ofMinutes(10);

		private String routeId;

		void validate() {
			if (this.ttl == null || this.ttl.isNegative()) {
				throw new InvalidConfigurationException("ttl", "must be a positive duration, or 0 (only what the "
						+ "upstream says)");
			}
			if (this.ttl.isZero() && !this.cacheControl) {
				throw new InvalidConfigurationException("ttl", "0 stores only what Cache-Control says; it needs "
						+ "cache-control: true");
			}
			if (this.maxEntrySize == null || this.maxEntrySize.toBytes() <= 0) {
				throw new InvalidConfigurationException("max-entry-size", "must be positive");
			}
			if (this.staleIfError != null && this.staleIfError.isNegative()) {
				throw new InvalidConfigurationException("stale-if-error", "must not be negative");
			}
			if (this.keep == null || this.keep.isNegative()) {
				throw new InvalidConfigurationException("keep", "must be a positive duration, or 0 (not kept)");
			}
			if (this.requestNoCache == null) {
				throw new InvalidConfigurationException("request-no-cache", "must be ignore or revalidate");
			}
			if (this.methods.isEmpty()) {
				throw new InvalidConfigurationException("methods", "must name at least one method");
			}
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public Config setTtl(Duration ttl) {
			this.ttl = ttl;
			return this;
		}

		public List<HttpMethod> getMethods() {
			return this.methods;
		}

		public Config setMethods(List<HttpMethod> methods) {
			this.methods = new ArrayList<>(methods);
			return this;
		}

		public List<Integer> getStatuses() {
			return this.statuses;
		}

		public Config setStatuses(List<Integer> statuses) {
			this.statuses = new ArrayList<>(statuses);
			return this;
		}

		public List<MediaType> getContentTypes() {
			return this.contentTypes;
		}

		public Config setContentTypes(List<MediaType> contentTypes) {
			this.contentTypes = new ArrayList<>(contentTypes);
			return this;
		}

		public List<String> getVaryHeaders() {
			return this.varyHeaders;
		}

		public Config setVaryHeaders(List<String> varyHeaders) {
			this.varyHeaders = new ArrayList<>(varyHeaders);
			return this;
		}

		public boolean isVaryByConsumer() {
			return this.varyByConsumer;
		}

		public Config setVaryByConsumer(boolean varyByConsumer) {
			this.varyByConsumer = varyByConsumer;
			return this;
		}

		public boolean isCacheControl() {
			return this.cacheControl;
		}

		public Config setCacheControl(boolean cacheControl) {
			this.cacheControl = cacheControl;
			return this;
		}

		public RequestNoCache getRequestNoCache() {
			return this.requestNoCache;
		}

		public Config setRequestNoCache(RequestNoCache requestNoCache) {
			this.requestNoCache = requestNoCache;
			return this;
		}

		public org.springframework.util.unit.DataSize getMaxEntrySize() {
			return this.maxEntrySize;
		}

		public Config setMaxEntrySize(org.springframework.util.unit.DataSize maxEntrySize) {
			this.maxEntrySize = maxEntrySize;
			return this;
		}

		public Duration getStaleIfError() {
			return this.staleIfError;
		}

		public Config setStaleIfError(Duration staleIfError) {
			this.staleIfError = staleIfError;
			return this;
		}

		public Duration getKeep() {
			return this.keep;
		}

		public Config setKeep(Duration keep) {
			this.keep = keep;
			return this;
		}

		public boolean isHeuristicFreshness() {
			return this.heuristicFreshness;
		}

		public Config setHeuristicFreshness(boolean heuristicFreshness) {
			this.heuristicFreshness = heuristicFreshness;
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
			return "[ttl=" + this.ttl + ", methods=" + this.methods + ", statuses=" + this.statuses + ", contentTypes="
					+ this.contentTypes + ", varyHeaders=" + this.varyHeaders + ", varyByConsumer=" + this.varyByConsumer
					+ ", cacheControl=" + this.cacheControl + ", requestNoCache=" + this.requestNoCache + ", maxEntrySize=" + this.maxEntrySize + ", staleIfError="
					+ this.staleIfError + ", keep=" + this.keep + "]";
		}

	}

}
