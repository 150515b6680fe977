package io.tollgate.pipeline;

import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.core.Ordered;

/**
 * Every order Tollgate uses, in the order a request meets them: reading this class top to bottom is reading the
 * request path. Policies take their order from here and never compute it from another policy's.
 * <p>
 * Three kinds of steps, each ordered only among its own kind:
 * <ol>
 * <li>web filters run on every request of the proxy port, before any route is matched;</li>
 * <li>gateway filters run once a route matched: Tollgate's global filters, its route filters and Spring Cloud
 * Gateway's own, sorted together by order (route filters without an order get their list position, 1..n, so they
 * run after every Tollgate policy and wrap only the upstream call);</li>
 * <li>headers filters build the request sent upstream: Spring Cloud Gateway's hop-by-hop removal first, then
 * Tollgate's.</li>
 * </ol>
 * Within a kind no two Tollgate steps share an order, so nothing depends on the order beans happen to be
 * registered in. Spring Cloud Gateway's own steps that share one with a Tollgate step do not care which runs first:
 * NettyRoutingFilter and WebsocketRoutingFilter (routing, one of them acts) around {@link #UPSTREAM_TIMING}, and
 * GRPCRequestHeadersFilter (gRPC requests only) beside {@link #TRACE_HEADERS}.
 */
public final class PolicyOrder {

	// Web filters (proxy port), before routing.

	/** Refuses non-canonical paths and unknown methods; every later step sees one canonical path. */
	public static final int FIREWALL = Ordered.HIGHEST_PRECEDENCE;

	/** Gives the exchange its X-Request-ID; every answer from here on carries it. */
	public static final int REQUEST_ID = Ordered.HIGHEST_PRECEDENCE + 1;

	/** Removes forged identity and client-address headers before route predicates and policies read headers. */
	public static final int SPOOFED_HEADERS = Ordered.HIGHEST_PRECEDENCE + 2;

	/** Times and logs what follows, whatever answers: a policy, the cache, the upstream, the error handler. */
	public static final int ACCESS_LOG = Ordered.HIGHEST_PRECEDENCE + 3;

	/** Opens the server span, so problem bodies below carry its trace id and the upstream gets it as parent. */
	public static final int SERVER_SPAN = Ordered.HIGHEST_PRECEDENCE + 4;

	/** Redirects or refuses plain HTTP ({@code tollgate.tls.plain-http}) before any route work. */
	public static final int PLAIN_HTTP = Ordered.HIGHEST_PRECEDENCE + 5;

	// Gateway filters, once a route matched.

	/**
	 * Limits the body as it streams (413): after Spring Cloud Gateway's RemoveCachedBodyFilter (highest precedence),
	 * before its AdaptCachedBodyGlobalFilter (+1000) can buffer a body for Retry.
	 */
	public static final int BODY_SIZE_LIMIT = Ordered.HIGHEST_PRECEDENCE + 500;

	/** Cancels the chain on a client's own body failure, so CircuitBreaker and outlier detection never count it. */
	public static final int CLIENT_BODY_FAILURE = Ordered.HIGHEST_PRECEDENCE + 600;

	/** JwtAuth before KeyAuth, as Kong runs jwt before key-auth. */
	public static final int JWT_AUTH = -210;

	/** KeyAuth: the consumer every later policy keys on. */
	public static final int KEY_AUTH = -200;

	/** IpRestriction after authentication (Kong's order), so its 403 does not hide a 401. */
	public static final int IP_RESTRICTION = -190;

	/** Acl needs the authenticated consumer's groups. */
	public static final int ACL = -180;

	/** RateLimit counts only admitted requests, by consumer, before any body is read. */
	public static final int RATE_LIMIT = -170;

	/** ValidateRequest reads the body only of authenticated, admitted requests. */
	public static final int VALIDATE_REQUEST = -160;

	/**
	 * ResponseCache last of the policies: a request is admitted and counted before the cache can answer it, and
	 * Spring Cloud Gateway's own route filters (Retry, CircuitBreaker, order 1..n) wrap only the upstream call.
	 */
	public static final int RESPONSE_CACHE = -150;

	/** Spends the retry budget after the route's Retry, before the load balancer picks an instance. */
	public static final int RETRY_BUDGET = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER - 1;

	/** Records each attempt's outcome per instance, right after the load balancer chose it. */
	public static final int OUTLIER_RECORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;

	/** Times the upstream's share, just before NettyRoutingFilter (lowest precedence) sends the request. */
	public static final int UPSTREAM_TIMING = Ordered.LOWEST_PRECEDENCE - 1;

	// Headers filters: the request sent upstream.

	/**
	 * Spring Cloud Gateway's RemoveHopByHopHeadersFilter, moved before every Tollgate headers filter (its
	 * {@code spring.cloud.gateway.server.webflux.filter.remove-hop-by-hop.order} in application.yml): it removes the
	 * headers a client names in {@code Connection}, which must never be one the gateway sets.
	 */
	public static final int HOP_BY_HOP_REMOVAL = Ordered.LOWEST_PRECEDENCE - 10;

	/** X-Consumer-* of the authenticated consumer, after removing any the client sent. */
	public static final int CONSUMER_HEADERS = Ordered.LOWEST_PRECEDENCE - 3;

	/** X-Real-IP: the client address as resolved under the trusted-proxy rule. */
	public static final int CLIENT_ADDRESS_HEADERS = Ordered.LOWEST_PRECEDENCE - 2;

	/** X-Request-ID. */
	public static final int REQUEST_ID_HEADERS = Ordered.LOWEST_PRECEDENCE - 1;

	/** traceparent: the gateway's server span as the upstream's parent. */
	public static final int TRACE_HEADERS = Ordered.LOWEST_PRECEDENCE;

	// Management port.

	/** Throttles admin logins before Spring Security's WebFilterChainProxy (-100) runs bcrypt. */
	public static final int ADMIN_LOGIN_THROTTLE = -200;

	private PolicyOrder() {
	}

}
