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

import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.http.server.PathContainer;
import org.springframework.util.StringUtils;

/**
 * One immutable snapshot of the gateway's routes, indexed by the literal leading path segments of their Path
 * predicates, so a lookup visits only the routes whose predicate could match the request, in their original order.
 * <p>
 * A route is placed under a literal prefix only when its evaluation by Spring Cloud Gateway would begin with its
 * Path predicate: its definition's first predicate is {@code Path}, and the first predicate the built route exposes
 * carries a Path configuration. Spring Cloud Gateway evaluates a route's predicates left to right and stops at the
 * first that fails, and a predicate that matched leaves exchange attributes behind (URI variables, the matched
 * pattern) even when a later one fails; a route is therefore skipped only where its very first predicate could not
 * have matched, which leaves nothing behind. Every other route (no Path first, a predicate that cannot be read, a
 * Java DSL route without a definition, a route id found twice, a pattern without a literal prefix or with one this
 * class does not read) is a candidate for every request.
 * <p>
 * Segments are compared the way {@code PathPattern} compares literal segments: the request's decoded segment value
 * without matrix parameters against the pattern text as written, case-sensitively. Only segments made of plain
 * characters count as literal; the prefix ends at the first one that is not (a wildcard, a variable, a
 * percent-escape, an empty or dot segment), so it never claims more than the pattern does.
 */
final class RouteIndex {

	static final String PATH = "Path";

	private final Route[] routes;

	private final Map<Route, Integer> positions;

	private final Node root;

	private final int firstPathLed;

	private final int indexed;

	private RouteIndex(Route[] routes, Node root, int firstPathLed, int indexed) {
		this.routes = routes;
		this.root = root;
		this.firstPathLed = firstPathLed;
		this.indexed = indexed;
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
	 */
	static RouteIndex build(List<Route> routes, List<RouteDefinition> definitions, @Nullable String basePath,
			boolean pathIndexing) {
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
		int firstPathLed = routes.size();
		int indexed = 0;
		for (int i = 0; i < routes.size(); i++) {
			Route route = routes.get(i);
			List<List<String>> prefixes = pathIndexing && !ambiguous.contains(route.getId())
					? prefixes(route, byId.get(route.getId()), basePath) : null;
			if (prefixes == null) {
				root.add(i);
				continue;
			}
			firstPathLed = Math.min(firstPathLed, i);
			indexed++;
			for (List<String> prefix : prefixes) {
				Node node = root;
				for (String segment : prefix) {
					node = node.children.computeIfAbsent(segment, (key) -> new Node());
				}
				node.add(i);
			}
		}
		root.freeze();
		return new RouteIndex(routes.toArray(Route[]::new), root, firstPathLed, indexed);
	}

	/** The literal prefixes of the route's leading Path predicate (one per pattern), or null if it has none. */
	private static @Nullable List<List<String>> prefixes(Route route, @Nullable RouteDefinition definition,
			@Nullable String basePath) {
		if (definition == null) {
			return null;
		}
		List<PredicateDefinition> predicates = definition.getPredicates();
		if (predicates == null || predicates.isEmpty() || !PATH.equals(predicates.get(0).getName())) {
			return null;
		}
		// The configuration the built route really tests (arguments bound, expressions evaluated), not the text.
		List<Object> configs = new ArrayList<>(1);
		route.getPredicate().accept((hasConfig) -> configs.add(hasConfig.getConfig()));
		if (configs.isEmpty() || !(configs.get(0) instanceof PathRoutePredicateFactory.Config path)
				|| path.getPatterns() == null || path.getPatterns().isEmpty()) {
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

	/** The routes that could match a request with this path, in lookup order. */
	Iterable<Route> candidates(PathContainer path) {
		int[][] lists = new int[8][];
		int count = 0;
		if (this.root.positions.length > 0) {
			lists[count++] = this.root.positions;
		}
		Node node = this.root;
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
			if (node.positions.length > 0) {
				if (count == lists.length) {
					lists = Arrays.copyOf(lists, count * 2);
				}
				lists[count++] = node.positions;
			}
		}
		int[][] found = lists;
		int size = count;
		return () -> new Merge(this.routes, found, size);
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

	private static final class Node {

		final Map<String, Node> children = new HashMap<>();

		int[] positions = new int[0];

		private int count;

		void add(int position) {
			// Positions arrive in ascending order; one route may name the same prefix twice.
			if (this.count > 0 && this.positions[this.count - 1] == position) {
				return;
			}
			if (this.count == this.positions.length) {
				this.positions = Arrays.copyOf(this.positions, Math.max(4, this.count * 2));
			}
			this.positions[this.count++] = position;
		}

		void freeze() {
			this.positions = Arrays.copyOf(this.positions, this.count);
			this.children.values().forEach(Node::freeze);
		}

	}

	/** A lazy merge of ascending position lists, without duplicates. */
	private static final class Merge implements Iterator<Route> {

		private final Route[] routes;

		private final int[][] lists;

		private final int[] cursors;

		private final int size;

		private int last = -1;

		private int next = -1;

		Merge(Route[] routes, int[][] lists, int size) {
			this.routes = routes;
			this.lists = lists;
			this.size = size;
			this.cursors = new int[size];
		}

		@Override
		public boolean hasNext() {
			if (this.next >= 0) {
				return true;
			}
			int min = Integer.MAX_VALUE;
			for (int l = 0; l < this.size; l++) {
				int[] list = this.lists[l];
				while (this.cursors[l] < list.length && list[this.cursors[l]] <= this.last) {
					this.cursors[l]++;
				}
				if (this.cursors[l] < list.length) {
					min = Math.min(min, list[this.cursors[l]]);
				}
			}
			if (min == Integer.MAX_VALUE) {
				return false;
			}
			this.next = min;
			return true;
		}

		@Override
		public Route next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			this.last = this.next;
			this.next = -1;
			return Objects.requireNonNull(this.routes[this.last]);
		}

	}

}
