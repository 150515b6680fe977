package io.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerProperties.Limits;
import io.tollgate.consumer.Identity;
import io.tollgate.consumer.Sha256;
import io.tollgate.edge.ClientIp;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.EventLoops;
import io.tollgate.pipeline.ModeConfig;
import io.tollgate.pipeline.PolicyModes;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.pipeline.Shadow;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code RateLimit}: per-consumer (or per-IP, -credential, -header, -path, -route) limits over sliding
 * {@code second}/{@code minute}/{@code hour} windows and calendar {@code day}/{@code month} quotas, enforced
 * across replicas through Redis (see {@link RateLimiter} for the store and its failure modes). A consumer's plan
 * replaces the route's windows. Rejected requests are not counted.
 * <pre>
 * filters:
 *   - RateLimit=5,100                       # 5 per second, 100 per minute, per consumer
 *   - name: RateLimit
 *     args: { minute: 600, day: 10000, limit-by: ip, scope: global, hide-client-headers: false }
 *   - name: RateLimit
 *     args: { second: 50, sync: batched }    # decided in memory, synced with Redis every sync-interval
 * </pre>
 */
@Component
public class RateLimitGatewayFilterFactory extends AbstractGatewayFilterFactory<RateLimitGatewayFilterFactory.Config> {

	static final String EXCEEDED = "API rate limit exceeded";

	/** Bounds {@link #planLimits} across reloads; far above any real number of plans. */
	private static final int MAX_PLANS = 1024;

	private final RateLimiter limiter;

	private final ClientIp clientIp;

	private final MeterRegistry meters;

	/** Window limits per plan, by the plan's limits (a reload that changes a plan's limits gets a new entry). */
	private final Map<Limits, List<WindowLimit>> planLimits = new java.util.concurrent.ConcurrentHashMap<>();

	private final PolicyModes policies;

	public RateLimitGatewayFilterFactory(RateLimiter limiter, ClientIp clientIp, MeterRegistry meters,
			PolicyModes policies) {
		super(Config.class);
		this.limiter = limiter;
		this.clientIp = clientIp;
		this.meters = meters;
		this.policies = policies;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("second", "minute", "hour", "day", "month");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		String routeId = (config.routeId != null) ? config.routeId : "unknown";
		boolean shadow = config.shadow(this.policies);
		return new OrderedGatewayFilter(new RateLimitFilter(config, routeId, shadow), PolicyOrder.RATE_LIMIT);
	}

	/**
	 * The limits for this exchange: the consumer's plan if it has one and the counters are the consumer's own
	 * (limit-by consumer or credential), else the route's. A plan never changes a counter shared with others.
	 */
	List<WindowLimit> limitsFor(Config config, Identity identity) {
		boolean ownCounters = config.limitBy == LimitBy.CONSUMER || config.limitBy == LimitBy.CREDENTIAL;
		Limits plan = (ownCounters && identity != null && !identity.anonymous()) ? identity.consumer().planLimits()
				: null;
		if (plan != null) {
			List<WindowLimit> limits = this.planLimits.get(plan);
			if (limits == null) { // the size is looked at on a miss only, not on every request
				if (this.planLimits.size() > MAX_PLANS) {
					this.planLimits.clear(); // only after many reloads that changed plans: rebuilt on use
				}
				limits = this.planLimits.computeIfAbsent(plan, RateLimitGatewayFilterFactory::toWindowLimits);
			}
			return limits;
		}
		return config.limits;
	}

	/** The counter key: scope, what the limit is by, and who. */
	String keyFor(Config config, String routeId, ServerWebExchange exchange, Identity identity) {
		return config.scopePrefix(routeId) + who(config, exchange, identity);
	}

	private String who(Config config, ServerWebExchange exchange, Identity identity) {
		return switch (config.limitBy) {
			case CONSUMER -> (identity != null && !identity.anonymous()) ? "consumer:" + identity.consumer().id()
					: "ip:" + this.clientIp.of(exchange);
			case CREDENTIAL -> (identity != null && identity.credentialId() != null)
					? "credential:" + identity.credentialId() : "ip:" + this.clientIp.of(exchange);
			case IP -> "ip:" + this.clientIp.of(exchange);
			case ROUTE -> "all";
			case HEADER -> {
				// Hashed: the header may carry a credential, which must not become a Redis key name.
				String value = exchange.getRequest().getHeaders().getFirst(config.headerName);
				yield (value != null) ? "header:" + sha256(value) : "ip:" + this.clientIp.of(exchange);
			}
			case PATH -> {
				String path = exchange.getRequest().getPath().value();
				yield "path:" + ((path.length() <= 96 && path.indexOf('{') < 0 && path.indexOf('}') < 0) ? path
						: sha256(path));
			}
		};
	}

	static List<WindowLimit> toWindowLimits(Limits limits) {
		List<WindowLimit> list = new ArrayList<>(5);
		add(list, Window.SECOND, limits.second());
		add(list, Window.MINUTE, limits.minute());
		add(list, Window.HOUR, limits.hour());
		add(list, Window.DAY, limits.day());
		add(list, Window.MONTH, limits.month());
		return List.copyOf(list);
	}

	private static void add(List<WindowLimit> list, Window window, Long limit) {
		if (limit != null) {
			list.add(new WindowLimit(window, limit));
		}
	}

	/** Client-chosen values become short, brace-free key parts that reveal nothing. */
	private static String sha256(String value) {
		return "sha256:" + Sha256.shortHex(value);
	}

	/** A route's RateLimit; {@link RateLimitsEndpoint} reads the route's limits from it. */
	final class RateLimitFilter implements GatewayFilter {

		private final Config config;

		private final String routeId;

		/** In shadow mode the client sees nothing of a limit on trial: no headers, no 429. */
		private final boolean shadow;

		private final Map<RateLimiter.Source, Counter> allowed = new EnumMap<>(RateLimiter.Source.class);

		private final Map<RateLimiter.Source, Counter> rejected = new EnumMap<>(RateLimiter.Source.class);

		RateLimitFilter(Config config, String routeId, boolean shadow) {
			this.config = config;
			this.routeId = routeId;
			this.shadow = shadow;
			for (RateLimiter.Source source : RateLimiter.Source.values()) {
				this.allowed.put(source, counter("allowed", source));
				this.rejected.put(source, counter("rejected", source));
			}
		}

		Config config() {
			return this.config;
		}

		String routeId() {
			return this.routeId;
		}

		private Counter counter(String outcome, RateLimiter.Source source) {
			return Counter.builder("tollgate.ratelimit.decisions")
				.description("Rate-limit decisions")
				.tag("route", this.routeId)
				.tag("outcome", outcome)
				.tag("store", source.name().toLowerCase(Locale.ROOT))
				.register(RateLimitGatewayFilterFactory.this.meters);
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			Identity identity = Identity.of(exchange);
			List<WindowLimit> limits = limitsFor(this.config, identity);
			String key = keyFor(this.config, this.routeId, exchange, identity);
			return RateLimitGatewayFilterFactory.this.limiter.consume(this.routeId, key, limits,
					EventLoops.of(exchange), this.config.syncMode)
				.flatMap((outcome) -> {
					Decision decision = outcome.decision();
					RateLimitOutcome.store(exchange, decision, outcome.source());
					boolean shadow = this.shadow;
					if (!this.config.hideClientHeaders && !shadow) {
						writeHeaders(exchange.getResponse().getHeaders(), decision);
					}
					if (decision.allowed()) {
						this.allowed.get(outcome.source()).increment();
						return chain.filter(exchange);
					}
					if (shadow) {
						// Admitted, so counted as allowed; the would-be rejection is the shadow counter's.
						this.allowed.get(outcome.source()).increment();
						Shadow.letThrough(exchange, RateLimitGatewayFilterFactory.this.meters, "rate-limit", 429);
						return chain.filter(exchange);
					}
					this.rejected.get(outcome.source()).increment();
					long retryAfter = Math.max(1, (decision.retryAfterMs() + 999) / 1000);
					exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
					return ProblemWriter.write(exchange, HttpStatus.TOO_MANY_REQUESTS, EXCEEDED);
				})
				.onErrorResume(RateLimiter.StoreUnavailableException.class, (ex) -> {
					if (this.shadow) { // a limit on trial never refuses, its store's outage included
						Shadow.letThrough(exchange, RateLimitGatewayFilterFactory.this.meters, "rate-limit", 503);
						return chain.filter(exchange);
					}
					return ProblemWriter.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
							"Rate limiting is unavailable: its store does not answer");
				});
		}

		private void writeHeaders(HttpHeaders headers, Decision decision) {
			for (Decision.Usage usage : decision.usages()) {
				headers.set(usage.window().limitHeader(), Long.toString(usage.limit()));
				headers.set(usage.window().remainingHeader(), Long.toString(usage.remaining()));
			}
			Decision.Usage tightest = decision.tightest();
			headers.set("RateLimit-Limit", Long.toString(tightest.limit()));
			headers.set("RateLimit-Remaining", Long.toString(tightest.remaining()));
			headers.set("RateLimit-Reset", Long.toString((tightest.waitMs() + 999) / 1000));
		}

		@Override
		public String toString() {
			return "RateLimit" + this.config;
		}

	}

	/** Counters shared by every route of one scope. */
	public enum Scope {

		/** Counters per route. */
		ROUTE,
		/** One set of counters for all routes with scope global: a gateway-wide limit. */
		GLOBAL

	}

	/** Arguments of {@code RateLimit}. */
	public static class Config extends ModeConfig implements HasRouteId {

		/** Requests per sliding second. */
		private Long second;

		/** Requests per sliding minute. */
		private Long minute;

		/** Requests per sliding hour. */
		private Long hour;

		/** Requests per calendar day. */
		private Long day;

		/** Requests per calendar month. */
		private Long month;

		/** What counters are kept per. */
		private LimitBy limitBy = LimitBy.CONSUMER;

		/** The header whose value is the key, with {@code limit-by: header}. */
		private String headerName;

		/** Counters per route, or shared by every route with scope global. */
		private Scope scope = Scope.ROUTE;

		/**
		 * Counters shared by the routes that name the same group (Kong's rate limit on a service, shared by the
		 * service's routes); instead of the route's own.
		 */
		private String group;

		/** Do not send the RateLimit-* and X-RateLimit-* headers. */
		private boolean hideClientHeaders = false;

		/** {@code exact} or {@code batched}: overrides {@code tollgate.rate-limiting.sync} for this route. */
		private String sync;

		private SyncMode syncMode;

		private String routeId;

		private List<WindowLimit> limits = List.of();

		private String scopePrefix;

		/** Part of Redis key names: no braces (the hash tag), no separators. */
		private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

		void validate() {
			Long[] values = { this.second, this.minute, this.hour, this.day, this.month };
			String[] names = { "second", "minute", "hour", "day", "month" };
			for (int i = 0; i < values.length; i++) {
				if (values[i] != null && values[i] <= 0) {
					throw new InvalidConfigurationException(names[i], "must be a positive number of requests");
				}
			}
			this.limits = toWindowLimits(new Limits(this.second, this.minute, this.hour, this.day, this.month));
			if (this.limits.isEmpty()) {
				throw new InvalidConfigurationException("second",
						"RateLimit needs at least one of second, minute, hour, day, month");
			}
			if (this.limitBy == LimitBy.HEADER && (this.headerName == null || this.headerName.isBlank())) {
				throw new InvalidConfigurationException("header-name", "is required with limit-by: header");
			}
			this.syncMode = (this.sync != null) ? SyncMode.parse("sync", this.sync) : null;
			if (this.group != null) {
				if (!GROUP_NAME.matcher(this.group).matches()) {
					throw new InvalidConfigurationException("group",
							"must be 1 to 64 letters, digits, '.', '_' or '-'");
				}
				if (this.scope == Scope.GLOBAL) {
					throw new InvalidConfigurationException("group", "cannot be combined with scope: global");
				}
			}
		}

		List<WindowLimit> limits() {
			return this.limits;
		}

		/** {@code global|}, {@code group:<name>|} or {@code route:<id>|}, built once. */
		String scopePrefix(String routeId) {
			String prefix = this.scopePrefix;
			if (prefix == null) {
				prefix = (this.scope == Scope.GLOBAL) ? "global|"
						: (this.group != null) ? "group:" + this.group + "|" : "route:" + routeId + "|";
				this.scopePrefix = prefix;
			}
			return prefix;
		}

		LimitBy limitBy() {
			return this.limitBy;
		}

		Scope scope() {
			return this.scope;
		}

		public Long getSecond() {
			return this.second;
		}

		public Config setSecond(Long second) {
			this.second = second;
			return this;
		}

		public Long getMinute() {
			return this.minute;
		}

		public Config setMinute(Long minute) {
			this.minute = minute;
			return this;
		}

		public Long getHour() {
			return this.hour;
		}

		public Config setHour(Long hour) {
			this.hour = hour;
			return this;
		}

		public Long getDay() {
			return this.day;
		}

		public Config setDay(Long day) {
			this.day = day;
			return this;
		}

		public Long getMonth() {
			return this.month;
		}

		public Config setMonth(Long month) {
			this.month = month;
			return this;
		}

		public LimitBy getLimitBy() {
			return this.limitBy;
		}

		public Config setLimitBy(LimitBy limitBy) {
			this.limitBy = limitBy;
			return this;
		}

		public String getHeaderName() {
			return this.headerName;
		}

		public Config setHeaderName(String headerName) {
			this.headerName = headerName;
			return this;
		}

		public Scope getScope() {
			return this.scope;
		}

		public Config setScope(Scope scope) {
			this.scope = scope;
			return this;
		}

		public String getGroup() {
			return this.group;
		}

		public Config setGroup(String group) {
			this.group = group;
			return this;
		}

		public boolean isHideClientHeaders() {
			return this.hideClientHeaders;
		}

		public Config setHideClientHeaders(boolean hideClientHeaders) {
			this.hideClientHeaders = hideClientHeaders;
			return this;
		}

		public String getSync() {
			return this.sync;
		}

		public Config setSync(String sync) {
			this.sync = sync;
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
			return "[limits=" + this.limits + ", limitBy=" + this.limitBy
					+ ((this.headerName != null) ? ", headerName=" + this.headerName : "") + ", scope=" + this.scope
					+ ((this.group != null) ? ", group=" + this.group : "")
					+ ", hideClientHeaders=" + this.hideClientHeaders
					+ ((this.syncMode != null) ? ", sync=" + this.syncMode.name().toLowerCase(Locale.ROOT) : "")
					+ modeSuffix() + "]";
		}

	}

}
