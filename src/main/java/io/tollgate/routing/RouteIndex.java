package io.tollgate.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.handler.predicate.GatewayPredicate;
import org.springframework.cloud.gateway.handler.predicate.HostRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.MethodRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.support.HasConfig;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_PATH_CONTAINER_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.URI_TEMPLATE_VARIABLES_ATTRIBUTE;

/**
 * One immutable snapshot of the gateway's routes, indexed by the literal leading path segments of their Path
 * predicates and filtered by their literal Host and their Method predicates, so a lookup visits only the routes
 * whose predicate could match the request, in their original order.
 * <p>
 * A route is placed under a literal prefix only when its evaluation by Spring Cloud Gateway would begin with its
 * Path predicate: its definition's first predicate is {@code Path}, and the first predicate the built route exposes
 * carries a Path configuration. Spring Cloud Gateway evaluates a route's predicates left to right and stops at the
 * first that fails, and a predicate that matched leaves exchange attributes behind (URI variables, the matched
 * pattern) even when a later one fails; a route is therefore skipped by path only where its very first predicate
 * could not have matched, which leaves nothing behind. Every other route (no Path first, a predicate that cannot be
 * read, a Java DSL route without a definition, a route id found twice, a pattern without a literal prefix or with
 * one this class does not read) is a candidate for every request.
 * <p>
 * Segments are compared the way {@code PathPattern} compares literal segments: the request's decoded segment value
 * without matrix parameters against the pattern text as written, case-sensitively. Only segments made of plain
 * characters count as literal; the prefix ends at the first one that is not (a wildcard, a variable, a
 * percent-escape, an empty or dot segment), so it never claims more than the pattern does.
 * <p>
 * A route is also skipped when one of its <em>guards</em> fails: a {@code Method} predicate that does not accept the
 * request's method (one of the standard methods; any other method is never filtered), or a {@code Host} predicate
 * whose patterns are all literal (no {@code *}, {@code ?}, <code>{</code>) and none equals the request's first
 * {@code Host} header, port included, compared label by label as {@code AntPathMatcher(".")} does. Guards count only
 * in the leading run of a route's predicates that Spring Cloud Gateway would test before them: Method predicates,
 * then at most one Host predicate, optionally after a leading Path predicate whose patterns have no variables. A
 * failing Method or Host predicate leaves nothing behind, and a passing Method predicate neither; what a skipped
 * route's leading Path predicate would have left (the matched pattern and route id, the URI variables attribute, the
 * parsed path) is replayed by {@link Lookup} with that very predicate, for the last such routes whose path matched,
 * before the next route is tested and after the last.
 */
final class RouteIndex {

	static final String PATH = "Path";

	static final String HOST = "Host";

	static final String METHOD = "Method";

	/** The methods a Method guard is read for; a request with another method is never filtered by method. */
	private static final HttpMethod[] STANDARD_METHODS = HttpMethod.values();

	private static final int NO_METHOD_GUARD = -1;

	private final Route[] routes;

	private final Map<Route, Integer> positions;

	private final Node root;

	private final int firstPathLed;

	private final int indexed;

	private final int guarded;

	private final boolean anyHostGuard;

	/** Per position: the standard methods (bit = index in {@link #STANDARD_METHODS}) the route accepts, or -1. */
	private final int[] methodMasks;

	/** Per position: the route's literal Host patterns in canonical form, or null when it has no Host guard. */
	private final @Nullable String[][] hostKeys;

	/** Per position: the leading Path predicate of a route that may be skipped after testing it, or null. */
	private final @Nullable GatewayPredicate[] leadingPaths;

	private RouteIndex(Route[] routes, Node root, int firstPathLed, int indexed, Guards guards) {
		this.routes = routes;
		this.root = root;
		this.firstPathLed = firstPathLed;
		this.indexed = indexed;
		this.methodMasks = guards.methodMasks;
		this.hostKeys = guards.hostKeys;
		this.leadingPaths = guards.leadingPaths;
		int count = 0;
		boolean anyHost = false;
		for (int i = 0; i < routes.length; i++) {
			if (this.methodMasks[i] != NO_METHOD_GUARD || this.hostKeys[i] != null) {
				count++;
			}
			anyHost |= this.hostKeys[i] != null;
		}
		this.guarded = count;
		this.anyHostGuard = anyHost;
		this.positions = new IdentityHashMap<>(routes.length * 2);
		for (int i = 0; i < routes.length; i++) {
			this.positions.put(routes[i], i);
		}
	}

	/**
	 * The index of these routes (in lookup order) described by these definitions.
	 * @param routes the routes, in the order the route locator gives them
	 * @param definitions the route definitions the routes were built from
	 * @param basePath {@code spring.webflux.base-path}, which the Path predicate puts before each pattern
	 * @param pathIndexing false when the Path predicate does not match the default way (then no route is indexed)
	 * @param hostFiltering false when the Host predicate does not match the default way (then no Host guards)
	 * @param methodFiltering false when the Method predicate is not Spring Cloud Gateway's (then no Method guards)
	 */
	static RouteIndex build(List<Route> routes, List<RouteDefinition> definitions, @Nullable String basePath,
			boolean pathIndexing, boolean hostFiltering, boolean methodFiltering) {
		Map<String, RouteDefinition> byId = new HashMap<>();
		Set<String> ambiguous = new HashSet<>();
		for (RouteDefinition definition : definitions) {
			RouteDefinition previous = byId.putIfAbsent(definition.getId(), definition);
			if (previous != null && !previous.equals(definition)) {
				ambiguous.add(definition.getId());
			}
		}
		Set<String> seen = new HashSet<>();
		for (Route route : routes) {
			if (!seen.add(route.getId())) {
				ambiguous.add(route.getId());
			}
		}
		Node root = new Node();
		Guards guards = new Guards(routes.size());
		int firstPathLed = routes.size();
		int indexed = 0;
		for (int i = 0; i < routes.size(); i++) {
			Route route = routes.get(i);
			RouteDefinition definition = ambiguous.contains(route.getId()) ? null : byId.get(route.getId());
			List<HasConfig> leaves = leaves(route, definition);
			List<List<String>> prefixes = pathIndexing ? prefixes(leaves, definition, basePath) : null;
			guards.read(i, leaves, definition, basePath, pathIndexing, hostFiltering, methodFiltering);
			if (guards.leadingPaths[i] != null) {
				firstPathLed = Math.min(firstPathLed, i);
			}
			if (prefixes == null) {
				root.add(i, guards);
				continue;
			}
			firstPathLed = Math.min(firstPathLed, i);
			indexed++;
			for (List<String> prefix : prefixes) {
				Node node = root;
				for (String segment : prefix) {
					node = node.children.computeIfAbsent(segment, (key) -> new Node());
				}
				node.add(i, guards);
			}
		}
		root.freeze();
		return new RouteIndex(routes.toArray(Route[]::new), root, firstPathLed, indexed, guards);
	}

	/** The predicates the built route tests, in order (one per definition predicate for Spring Cloud Gateway's). */
	private static List<HasConfig> leaves(Route route, @Nullable RouteDefinition definition) {
		if (definition == null || definition.getPredicates() == null) {
			return List.of();
		}
		List<HasConfig> leaves = new ArrayList<>(definition.getPredicates().size());
		route.getPredicate().accept(leaves::add);
		return leaves;
	}

	/** The literal prefixes of the route's leading Path predicate (one per pattern), or null if it has none. */
	private static @Nullable List<List<String>> prefixes(List<HasConfig> leaves, @Nullable RouteDefinition definition,
			@Nullable String basePath) {
		PathRoutePredicateFactory.Config path = leadingPath(leaves, definition);
		if (path == null) {
			return null;
		}
		List<List<String>> prefixes = new ArrayList<>(path.getPatterns().size());
		for (String pattern : path.getPatterns()) {
			List<String> prefix = literalPrefix(withBasePath(pattern, basePath));
			if (prefix == null) {
				return null;
			}
			prefixes.add(prefix);
		}
		return prefixes;
	}

	/** The configuration the route's leading Path predicate really tests (arguments bound), or null. */
	private static PathRoutePredicateFactory.@Nullable Config leadingPath(List<HasConfig> leaves,
			@Nullable RouteDefinition definition) {
		if (definition == null || leaves.isEmpty()) {
			return null;
		}
		List<PredicateDefinition> predicates = definition.getPredicates();
		if (predicates == null || predicates.isEmpty() || !PATH.equals(predicates.get(0).getName())) {
			return null;
		}
		if (!(leaves.get(0).getConfig() instanceof PathRoutePredicateFactory.Config path) || path.getPatterns() == null
				|| path.getPatterns().isEmpty()) {
			return null;
		}
		return path;
	}

	/** The pattern the Path predicate parses: the same joining as PathRoutePredicateFactory. */
	static String withBasePath(String pattern, @Nullable String basePath) {
		if (!StringUtils.hasText(basePath)) {
			return pattern;
		}
		return (pattern.length() > 1 && !pattern.startsWith("/")) ? basePath + "/" + pattern : basePath + pattern;
	}

	/** The leading literal segments of a pattern (empty: none), or null for a pattern this class does not read. */
	static @Nullable List<String> literalPrefix(@Nullable String pattern) {
		if (pattern == null || !pattern.startsWith("/")) {
			return null;
		}
		List<String> prefix = new ArrayList<>();
		for (String segment : pattern.substring(1).split("/", -1)) {
			if (!isLiteral(segment)) {
				break;
			}
			prefix.add(segment);
		}
		return prefix;
	}

	private static boolean isLiteral(String segment) {
		if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
			return false;
		}
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (c == '*' || c == '?' || c == '{' || c == '}' || c == '%' || c == ';' || c == '\\' || c < 0x21
					|| c == 0x7f) {
				return false;
			}
		}
		return true;
	}

	/** A lookup of the routes that could match this request, in lookup order. */
	Lookup lookup(PathContainer path, ServerHttpRequest request) {
		String host = this.anyHostGuard ? request.getHeaders().getFirst(HttpHeaders.HOST) : null;
		return new Lookup(path, (host != null) ? canonicalHost(host) : null, methodBit(request.getMethod()));
	}

	private static int methodBit(HttpMethod method) {
		for (int b = 0; b < STANDARD_METHODS.length; b++) {
			if (STANDARD_METHODS[b] == method) {
				return b;
			}
		}
		return NO_METHOD_GUARD;
	}

	/**
	 * The labels of a host (or literal Host pattern) joined by single dots: {@code AntPathMatcher(".")} splits both
	 * into labels, ignoring empty ones, and compares them one by one, so a literal pattern can match a host only when
	 * both have the same canonical form (it may still fail for other reasons; then the route is tested, not skipped).
	 */
	static String canonicalHost(String host) {
		if (!host.startsWith(".") && !host.endsWith(".") && !host.contains("..")) {
			return host;
		}
		StringBuilder canonical = new StringBuilder(host.length());
		for (String label : host.split("\\.")) {
			if (!label.isEmpty()) {
				canonical.append((canonical.length() > 0) ? "." : "").append(label);
			}
		}
		return canonical.toString();
	}

	/** Where this route stands in lookup order (-1: not in this index). */
	int position(Route route) {
		Integer position = this.positions.get(route);
		return (position != null) ? position : -1;
	}

	/**
	 * Whether Spring Cloud Gateway, looking up routes in order up to this position (exclusive), would have tested at
	 * least one route that this index may skip: such a route begins with its Path predicate, which caches the parsed
	 * path in the exchange even when it does not match.
	 */
	boolean pathTestedBefore(int position) {
		return this.firstPathLed < position;
	}

	int size() {
		return this.routes.length;
	}

	/** How many routes are found through their path prefix (the others are candidates for every request). */
	int indexed() {
		return this.indexed;
	}

	/** How many routes have a Method or literal Host guard (skipped, untested, for requests it refuses). */
	int guarded() {
		return this.guarded;
	}

	/** Reads each route's guards while the index is built. */
	private static final class Guards {

		final int[] methodMasks;

		final @Nullable String[][] hostKeys;

		final @Nullable GatewayPredicate[] leadingPaths;

		Guards(int size) {
			this.methodMasks = new int[size];
			Arrays.fill(this.methodMasks, NO_METHOD_GUARD);
			this.hostKeys = new String[size][];
			this.leadingPaths = new GatewayPredicate[size];
		}

		void read(int position, List<HasConfig> leaves, @Nullable RouteDefinition definition, @Nullable String basePath,
				boolean pathIndexing, boolean hostFiltering, boolean methodFiltering) {
			if (definition == null || leaves.size() != definition.getPredicates().size() || leaves.isEmpty()) {
				return;
			}
			List<PredicateDefinition> predicates = definition.getPredicates();
			int start = 0;
			GatewayPredicate leadingPath = null;
			PathRoutePredicateFactory.Config path = leadingPath(leaves, definition);
			if (path != null) {
				if (!pathIndexing || !isOwnPredicate(leaves.get(0), PathRoutePredicateFactory.class)
						|| !variableFree(path.getPatterns(), basePath)) {
					return;
				}
				leadingPath = (GatewayPredicate) leaves.get(0);
				start = 1;
			}
			int methodMask = NO_METHOD_GUARD;
			String[] hosts = null;
			for (int j = start; j < leaves.size() && hosts == null; j++) {
				String name = predicates.get(j).getName();
				HasConfig leaf = leaves.get(j);
				if (methodFiltering && METHOD.equals(name) && isOwnPredicate(leaf, MethodRoutePredicateFactory.class)) {
					int accepted = acceptedMethods((GatewayPredicate) leaf);
					if (accepted == NO_METHOD_GUARD) {
						break;
					}
					methodMask = (methodMask == NO_METHOD_GUARD) ? accepted : (methodMask & accepted);
				}
				else if (hostFiltering && HOST.equals(name) && isOwnPredicate(leaf, HostRoutePredicateFactory.class)
						&& leaf.getConfig() instanceof HostRoutePredicateFactory.Config host) {
					hosts = literalHosts(host.getPatterns());
					if (hosts == null) {
						break;
					}
				}
				else {
					break;
				}
			}
			if (methodMask == NO_METHOD_GUARD && hosts == null) {
				return;
			}
			this.methodMasks[position] = methodMask;
			this.hostKeys[position] = hosts;
			this.leadingPaths[position] = leadingPath;
		}

		/** An instance of the predicate Spring Cloud Gateway's factory itself creates (its anonymous class). */
		private static boolean isOwnPredicate(HasConfig leaf, Class<?> factory) {
			return leaf instanceof GatewayPredicate && leaf.getClass().getEnclosingClass() == factory;
		}

		private static boolean variableFree(List<String> patterns, @Nullable String basePath) {
			for (String pattern : patterns) {
				if (pattern == null || withBasePath(pattern, basePath).indexOf('{') >= 0) {
					return false;
				}
			}
			return true;
		}

		/** The standard methods the predicate accepts, asked of the predicate itself (it keeps no readable config). */
		private static int acceptedMethods(GatewayPredicate method) {
			int mask = 0;
			try {
				for (int b = 0; b < STANDARD_METHODS.length; b++) {
					if (method.test(ProbeExchange.of(STANDARD_METHODS[b], "/", null))) {
						mask |= 1 << b;
					}
				}
			}
			catch (RuntimeException ex) {
				return NO_METHOD_GUARD;
			}
			return mask;
		}

		/** The patterns in canonical form if all are literal, else null. */
		private static String @Nullable [] literalHosts(@Nullable List<String> patterns) {
			if (patterns == null || patterns.isEmpty()) {
				return null;
			}
			String[] keys = new String[patterns.size()];
			for (int i = 0; i < keys.length; i++) {
				String pattern = patterns.get(i);
				if (pattern == null || pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0
						|| pattern.indexOf('{') >= 0) {
					return null;
				}
				keys[i] = canonicalHost(pattern);
			}
			return keys;
		}

	}

	/** A growing list of ascending positions, without repeats. */
	private static final class Positions {

		private int[] values = new int[4];

		private int count;

		void add(int position) {
			// Positions arrive in ascending order; one route may name the same prefix or host twice.
			if (this.count > 0 && this.values[this.count - 1] == position) {
				return;
			}
			if (this.count == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.count * 2);
			}
			this.values[this.count++] = position;
		}

		int[] toArray() {
			return Arrays.copyOf(this.values, this.count);
		}

	}

	private static final class Node {

		private static final int[] NONE = new int[0];

		final Map<String, Node> children = new HashMap<>();

		/** Routes without a guard: candidates for every request that reaches this node. */
		int[] plain = NONE;

		/** Routes with a literal Host guard, under each canonical host they accept. */
		Map<String, int[]> byHost = Map.of();

		/** Routes with a Method guard only, under each standard method they accept. */
		int[][] byMethod = new int[STANDARD_METHODS.length][];

		/** Routes with a Method guard only: candidates for a request with a non-standard method. */
		int[] methodGuarded = NONE;

		/** Routes that may be skipped after their leading Path predicate would have been tested. */
		int[] leadingPaths = NONE;

		private @Nullable Building building = new Building();

		void add(int position, Guards guards) {
			Building b = Objects.requireNonNull(this.building);
			String[] hosts = guards.hostKeys[position];
			int methods = guards.methodMasks[position];
			if (hosts != null) {
				for (String host : hosts) {
					b.byHost.computeIfAbsent(host, (key) -> new Positions()).add(position);
				}
			}
			else if (methods != NO_METHOD_GUARD) {
				for (int m = 0; m < STANDARD_METHODS.length; m++) {
					if ((methods & (1 << m)) != 0) {
						b.byMethod[m].add(position);
					}
				}
				b.methodGuarded.add(position);
			}
			else {
				b.plain.add(position);
			}
			if (guards.leadingPaths[position] != null) {
				b.leadingPaths.add(position);
			}
		}

		void freeze() {
			Building b = Objects.requireNonNull(this.building);
			this.plain = b.plain.toArray();
			Map<String, int[]> hosts = new HashMap<>();
			b.byHost.forEach((host, positions) -> hosts.put(host, positions.toArray()));
			this.byHost = hosts.isEmpty() ? Map.of() : hosts;
			for (int m = 0; m < STANDARD_METHODS.length; m++) {
				this.byMethod[m] = b.byMethod[m].toArray();
			}
			this.methodGuarded = b.methodGuarded.toArray();
			this.leadingPaths = b.leadingPaths.toArray();
			this.building = null;
			this.children.values().forEach(Node::freeze);
		}

		private static final class Building {

			final Positions plain = new Positions();

			final Map<String, Positions> byHost = new HashMap<>();

			final Positions[] byMethod = new Positions[STANDARD_METHODS.length];

			final Positions methodGuarded = new Positions();

			final Positions leadingPaths = new Positions();

			Building() {
				for (int m = 0; m < this.byMethod.length; m++) {
					this.byMethod[m] = new Positions();
				}
			}

		}

	}

	/**
	 * One request's way through the index: the candidate routes in lookup order (its {@link #candidates()}), and the
	 * attributes that the routes it skipped after their leading Path predicate would have left, replayed into the
	 * exchange before each candidate is tested ({@link #beforeTesting}) and after the last ({@link #afterLast}).
	 */
	final class Lookup {

		private final PathContainer path;

		private final @Nullable String host;

		private final int methodBit;

		private int[][] lists = new int[8][];

		private int listCount;

		private int[][] leadingPathLists = new int[4][];

		private int leadingPathCount;

		private int lastTested = -1;

		private @Nullable ServerWebExchange scratch;

		Lookup(PathContainer path, @Nullable String host, int methodBit) {
			this.path = path;
			this.host = host;
			this.methodBit = methodBit;
			visit(RouteIndex.this.root);
			Node node = RouteIndex.this.root;
			List<PathContainer.Element> elements = path.elements();
			for (int i = 0; i + 1 < elements.size() && !node.children.isEmpty(); i += 2) {
				if (!(elements.get(i) instanceof PathContainer.Separator)
						|| !(elements.get(i + 1) instanceof PathContainer.PathSegment segment)) {
					break;
				}
				node = node.children.get(segment.valueToMatch());
				if (node == null) {
					break;
				}
				visit(node);
			}
		}

		private void visit(Node node) {
			addList(node.plain);
			if (this.host != null && !node.byHost.isEmpty()) {
				int[] hosts = node.byHost.get(this.host);
				if (hosts != null) {
					addList(hosts);
				}
			}
			addList((this.methodBit != NO_METHOD_GUARD) ? node.byMethod[this.methodBit] : node.methodGuarded);
			if (node.leadingPaths.length > 0) {
				if (this.leadingPathCount == this.leadingPathLists.length) {
					this.leadingPathLists = Arrays.copyOf(this.leadingPathLists, this.leadingPathCount * 2);
				}
				this.leadingPathLists[this.leadingPathCount++] = node.leadingPaths;
			}
		}

		private void addList(int[] positions) {
			if (positions.length == 0) {
				return;
			}
			if (this.listCount == this.lists.length) {
				this.lists = Arrays.copyOf(this.lists, this.listCount * 2);
			}
			this.lists[this.listCount++] = positions;
		}

		/** The routes to test, in lookup order: those this index cannot rule out for the request. */
		Iterable<Route> candidates() {
			return () -> new Merge(this);
		}

		/** Whether one of the route's guards refuses this request (then testing it could not match). */
		boolean refused(int position) {
			String[] hosts = RouteIndex.this.hostKeys[position];
			if (hosts != null) {
				if (this.host == null) {
					return true;
				}
				boolean accepted = false;
				for (String host : hosts) {
					accepted |= host.equals(this.host);
				}
				if (!accepted) {
					return true;
				}
			}
			int methods = RouteIndex.this.methodMasks[position];
			return methods != NO_METHOD_GUARD && this.methodBit != NO_METHOD_GUARD
					&& (methods & (1 << this.methodBit)) == 0;
		}

		/** Call before testing a candidate: leaves what the routes skipped since the previous candidate would have. */
		void beforeTesting(ServerWebExchange exchange, Route route) {
			int position = position(route);
			replaySkipped(exchange, this.lastTested, position);
			this.lastTested = position;
		}

		/** Call when no candidate matched: leaves what the routes skipped after the last candidate would have. */
		void afterLast(ServerWebExchange exchange) {
			replaySkipped(exchange, this.lastTested, RouteIndex.this.routes.length);
		}

		/**
		 * Spring Cloud Gateway would have tested the skipped routes between these positions (exclusive) and, for each
		 * whose leading Path matched, merged its (empty) URI variables and set the matched pattern and route id. Only
		 * the last such route's pattern and id stay; the URI variables attribute differs only in whether it is
		 * present and whether it was merged more than once (then it is a copy), so the last two such routes are
		 * tested again, on the exchange, in order, and the others leave nothing that would remain.
		 */
		private void replaySkipped(ServerWebExchange exchange, int from, int to) {
			if (this.leadingPathCount == 0) {
				return;
			}
			boolean needTwo = !exchange.getAttributes().containsKey(URI_TEMPLATE_VARIABLES_ATTRIBUTE);
			int last = -1;
			int second = -1;
			for (int l = 0; l < this.leadingPathCount; l++) {
				int[] list = this.leadingPathLists[l];
				int found = 0;
				for (int i = lowerBound(list, to) - 1; i >= 0 && list[i] > from; i--) {
					int p = list[i];
					if (p <= second || (!needTwo && p <= last)) {
						break;
					}
					if (p == last || !refused(p) || !leadingPathMatches(exchange, p)) {
						continue;
					}
					if (p > last) {
						second = last;
						last = p;
					}
					else {
						second = p;
					}
					if (++found == (needTwo ? 2 : 1)) {
						break;
					}
				}
			}
			if (last < 0) {
				return;
			}
			exchange.getAttributes().putIfAbsent(GATEWAY_PREDICATE_PATH_CONTAINER_ATTR, this.path);
			if (needTwo && second >= 0) {
				replay(exchange, second);
			}
			replay(exchange, last);
		}

		/** Tests the route's leading Path predicate on a copy of the exchange whose attributes are its own. */
		private boolean leadingPathMatches(ServerWebExchange exchange, int position) {
			if (this.scratch == null) {
				Map<String, Object> attributes = new HashMap<>();
				attributes.put(GATEWAY_PREDICATE_PATH_CONTAINER_ATTR, this.path);
				this.scratch = new ServerWebExchangeDecorator(exchange) {
					@Override
					public Map<String, Object> getAttributes() {
						return attributes;
					}
				};
			}
			try {
				return Objects.requireNonNull(RouteIndex.this.leadingPaths[position]).test(this.scratch);
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		private void replay(ServerWebExchange exchange, int position) {
			exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, RouteIndex.this.routes[position].getId());
			try {
				Objects.requireNonNull(RouteIndex.this.leadingPaths[position]).test(exchange);
			}
			catch (RuntimeException ex) {
				// Spring Cloud Gateway counts a predicate that throws as no match; the route stays skipped.
			}
		}

	}

	/** The index of the first value not below the key (values ascending). */
	private static int lowerBound(int[] values, int key) {
		int low = 0;
		int high = values.length;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (values[mid] < key) {
				low = mid + 1;
			}
			else {
				high = mid;
			}
		}
		return low;
	}

	/** A lazy merge of ascending position lists, without duplicates, leaving out the routes the request's refused. */
	private final class Merge implements Iterator<Route> {

		private final Lookup lookup;

		private final int[] cursors;

		private int last = -1;

		private int next = -1;

		Merge(Lookup lookup) {
			this.lookup = lookup;
			this.cursors = new int[lookup.listCount];
		}

		@Override
		public boolean hasNext() {
			while (this.next < 0) {
				int min = Integer.MAX_VALUE;
				for (int l = 0; l < this.cursors.length; l++) {
					int[] list = this.lookup.lists[l];
					int cursor = this.cursors[l];
					while (cursor < list.length && list[cursor] <= this.last) {
						cursor++;
					}
					this.cursors[l] = cursor;
					if (cursor < list.length && list[cursor] < min) {
						min = list[cursor];
					}
				}
				if (min == Integer.MAX_VALUE) {
					return false;
				}
				this.last = min;
				if (!this.lookup.refused(min)) {
					this.next = min;
				}
			}
			return true;
		}

		@Override
		public Route next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			int position = this.next;
			this.next = -1;
			return Objects.requireNonNull(RouteIndex.this.routes[position]);
		}

	}

}
