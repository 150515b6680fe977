package io.tollgate.routing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The indexed lookup against Spring Cloud Gateway's linear one on 10,000 generated routes and thousands of generated
 * requests: for every request both pick the same route (or none) and leave the same exchange attributes behind.
 */
class RouteIndexPropertyTest {

	private static final long SEED = Long.getLong("routeindex.seed", 20261122L);

	private static final String[] WORDS = { "api", "v1", "v2", "users", "orders", "items", "a", "b", "café", "x y",
			"A", "Api", "search", "files" };

	private static final String[] TAILS = { "", "", "/**", "/**", "/{id}", "/*", "/{*rest}", "/{id}/detail",
			"/*.json", "/", "/{a}-{b}", "/a%20b" };

	private static final int PICKS = 200;

	private static final int REQUESTS = 1_000;

	private static final String[] HOSTS = { "api.example.com", "x.example.org", "other.test", "API.EXAMPLE.COM",
			"api.example.com:8080", "127.0.0.1:18200", "svc1.example.com", "api..example.com", "api.example.com.",
			"other.test:443", ".other.test" };

	/** Literal Host patterns of routes: with and without ports, dots where AntPathMatcher ignores them, cases. */
	private static final String[] LITERAL_HOSTS = { "api.example.com", "api.example.com:8080", "127.0.0.1:18200",
			"other.test", "svc1.example.com", "svc2.example.com", "Api.example.com", "api.example.com.",
			"other..test", "127.0.0.1" };

	private static final String[] WILDCARD_HOSTS = { "127.0.0.1:*", "**.example.com", "{sub}.example.com:8080",
			"svc?.example.com", "**" };

	private static final String[] METHOD_LISTS = { "GET", "POST", "DELETE", "GET,POST", "PUT,PATCH,DELETE", "HEAD",
			"GET,HEAD,OPTIONS" };

	private static final HttpMethod[] REQUEST_METHODS = { HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
			HttpMethod.DELETE, HttpMethod.GET, HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.valueOf("PURGE") };

	/** Patterns many routes share, so that many routes skipped by host or method match a request's path. */
	private static final String[] HOT_PATTERNS = { "/hot/**", "/hot/items", "/hot/*/detail", "/hot/{id}",
			"/hot/items/**", "/**/hot" };

	@Test
	void indexedLookupPicksTheSameRouteAndAttributesAsTheLinearLookupForGeneratedRoutesAndRequests() {
		System.out.println("RouteIndexPropertyTest seed: " + SEED + " (rerun with -Drouteindex.seed=" + SEED + ")");
		Random random = new Random(SEED);
		List<RouteDefinition> definitions = new ArrayList<>();
		List<Route> javaRoutes = new ArrayList<>();
		List<String> patterns = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			String id = "r" + i;
			String pattern = pattern(random);
			patterns.add(pattern);
			int kind = random.nextInt(100);
			if (i % 2500 == 1250) {
				// Catch-alls that fail on their second predicate: tested by both lookups, leaving attributes behind.
				definitions.add(RealRoutes.definition(id, i, "Path=/**", "Method=PATCH"));
			}
			else if (i == 9_999) {
				// The last route catches half of what nothing else took.
				definitions.add(RealRoutes.definition(id, i, "Path=/**", "Header=X-Pick, 1\\d*"));
			}
			else if (kind < 45) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern));
			}
			else if (kind < 53) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern + "," + pattern(random),
						"Method=" + (random.nextBoolean() ? "GET" : "POST,PUT")));
			}
			else if (kind < 58) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Host=" + hostPattern(random)));
			}
			else if (kind < 61) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Path=" + pattern(random)));
			}
			else if (kind < 64) {
				definitions.add(RealRoutes.definition(id, i, "Path", Map.of("patterns[0]", pattern, "patterns[1]",
						pattern(random), "matchTrailingSlash", "false")));
			}
			else if (kind < 66) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern + ",false"));
			}
			else if (kind < 70) {
				definitions.add(RealRoutes.definition(id, i, "Host=" + hostPattern(random), "Path=" + pattern));
			}
			else if (kind < 73) {
				definitions.add(RealRoutes.definition(id, i, "Method=GET", "Path=" + pattern));
			}
			else if (kind < 75) {
				definitions.add(RealRoutes.definition(id, i, "Touch=" + id, "Path=" + pattern));
			}
			else if (kind < 77) {
				definitions.add(RealRoutes.definition(id, i, "Host=" + hostPattern(random), pickHeader(random)));
			}
			else if (kind < 78) {
				definitions.add(RealRoutes.definition(id, i, "Method=DELETE", pickHeader(random)));
			}
			else if (kind < 79) {
				definitions.add(RealRoutes.definition(id, i, pickHeader(random)));
			}
			else if (kind < 80) {
				// A Java DSL route: a Path predicate the index cannot see the structure of.
				javaRoutes.add(javaRoute(id, i, pattern));
			}
			else if (kind < 81) {
				// The same id twice (a definition and a Java route): the index cannot tell which is which.
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern));
				javaRoutes.add(javaRoute(id, i, pattern(random)));
			}
			else if (kind < 84) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Host=" + literalHost(random)));
			}
			else if (kind < 86) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Method=" + methods(random),
						"Host=" + literalHost(random)));
			}
			else if (kind < 88) {
				definitions.add(RealRoutes.definition(id, i, "Host=" + literalHost(random), "Path=" + pattern));
			}
			else if (kind < 89) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern,
						"Host=" + literalHost(random) + "," + literalHost(random)));
			}
			else if (kind < 91) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Method=" + methods(random)));
			}
			else if (kind < 92) {
				definitions.add(RealRoutes.definition(id, i, "Method=" + methods(random), "Host=" + literalHost(random),
						"Path=" + pattern));
			}
			else if (kind < 93) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Host=" + wildcardHost(random)));
			}
			else if (kind < 94) {
				// A Method after a literal Host: a Host that matched leaves URI variables, so only the Host guards.
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Host=" + literalHost(random),
						"Method=" + methods(random)));
			}
			else if (kind < 95) {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern, "Method=" + methods(random),
						"Touch=" + id, "Host=" + literalHost(random)));
			}
			else {
				definitions.add(RealRoutes.definition(id, i, "Path=" + pattern));
			}
		}
		long started = System.nanoTime();
		RealRoutes routes = new RealRoutes(definitions, javaRoutes);
		RoutePredicateHandlerMapping linear = routes.linear();
		IndexedRoutePredicateHandlerMapping indexed = routes.indexed();
		System.out.printf("RouteIndexPropertyTest: routes built and indexed in %d ms%n",
				(System.nanoTime() - started) / 1_000_000);
		started = System.nanoTime();
		RouteIndex index = indexed.indexer().current();
		assertThat(index).isNotNull();
		assertThat(index.size()).isEqualTo(10_000 + countSharedIds(definitions, javaRoutes));
		assertThat(index.indexed()).as("routes found by path prefix").isGreaterThan(6_000);
		assertThat(index.guarded()).as("routes skipped when their Method or literal Host refuses").isGreaterThan(800);

		int matched = 0;
		for (int r = 0; r < REQUESTS; r++) {
			String path = request(random, patterns.get(random.nextInt(patterns.size())));
			HttpMethod method = REQUEST_METHODS[random.nextInt(REQUEST_METHODS.length)];
			String host = HOSTS[random.nextInt(HOSTS.length)];
			String pick = String.valueOf(random.nextInt(PICKS));
			Map<String, String> expected = RealRoutes.lookUp(linear, method, path, host, pick);
			Map<String, String> actual = RealRoutes.lookUp(indexed, method, path, host, pick);
			assertThat(actual).as("%s %s (Host %s)", method, path, host).isEqualTo(expected);
			if (expected.containsKey(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR)) {
				matched++;
			}
		}
		System.out.printf("RouteIndexPropertyTest: %d of %d requests matched a route; looked up in %d ms%n", matched, REQUESTS,
				(System.nanoTime() - started) / 1_000_000);
		assertThat(matched).as("requests that matched").isBetween(REQUESTS / 5, REQUESTS - 10);
	}

	private static int countSharedIds(List<RouteDefinition> definitions, List<Route> javaRoutes) {
		Set<String> ids = definitions.stream().map(RouteDefinition::getId).collect(Collectors.toSet());
		return (int) javaRoutes.stream().filter((route) -> ids.contains(route.getId())).count();
	}

	private static Route javaRoute(String id, int order, String pattern) {
		AsyncPredicate<ServerWebExchange> path = new PathRoutePredicateFactory(new WebFluxProperties())
			.applyAsync((config) -> config.setPatterns(List.of(pattern)));
		return Route.async().id(id).uri("http://upstream.invalid").order(order).asyncPredicate(path).build();
	}

	/** A header only a few requests carry with this value: a route that tests only it matches rarely. */
	private static String pickHeader(Random random) {
		return "Header=X-Pick, " + random.nextInt(PICKS);
	}

	private static String pattern(Random random) {
		int shape = random.nextInt(1000);
		if (shape >= 900) {
			return HOT_PATTERNS[random.nextInt(HOT_PATTERNS.length)];
		}
		if (shape < 10) {
			return "/{first}/s" + random.nextInt(800) + "/**";
		}
		if (shape < 20) {
			return "/*/s" + random.nextInt(800);
		}
		StringBuilder pattern = new StringBuilder();
		int depth = 1 + random.nextInt(4);
		pattern.append('/').append(random.nextInt(10) < 7 ? "s" + random.nextInt(800) : word(random));
		for (int d = 1; d < depth; d++) {
			pattern.append('/').append(word(random));
		}
		return pattern + TAILS[random.nextInt(TAILS.length)];
	}

	private static String literalHost(Random random) {
		return LITERAL_HOSTS[random.nextInt(LITERAL_HOSTS.length)];
	}

	private static String wildcardHost(Random random) {
		return WILDCARD_HOSTS[random.nextInt(WILDCARD_HOSTS.length)];
	}

	private static String methods(Random random) {
		return METHOD_LISTS[random.nextInt(METHOD_LISTS.length)];
	}

	private static String hostPattern(Random random) {
		return List.of("**.example.com", "{sub}.example.org", "other.test").get(random.nextInt(3));
	}

	private static String word(Random random) {
		return WORDS[random.nextInt(WORDS.length)];
	}

	/** A request path made from a route's pattern: often matching it, sometimes near it, encoded in various ways. */
	private static String request(Random random, String pattern) {
		List<String> segments = new ArrayList<>();
		for (String segment : pattern.substring(1).split("/", -1)) {
			if (segment.equals("**") || segment.startsWith("{*")) {
				for (int n = random.nextInt(3); n > 0; n--) {
					segments.add(word(random));
				}
			}
			else if (segment.contains("{") || segment.contains("*")) {
				segments.add(segment.equals("*.json") ? word(random) + ".json" : word(random));
			}
			else {
				segments.add(segment);
			}
		}
		int mutation = random.nextInt(100);
		if (mutation < 8 && !segments.isEmpty()) {
			segments.remove(segments.size() - 1);
		}
		else if (mutation < 16) {
			segments.add(word(random));
		}
		else if (mutation < 22 && !segments.isEmpty()) {
			int at = random.nextInt(segments.size());
			segments.set(at, segments.get(at).toUpperCase());
		}
		else if (mutation < 26 && !segments.isEmpty()) {
			segments.set(0, word(random));
		}
		StringBuilder path = new StringBuilder();
		for (String segment : segments) {
			path.append('/').append(encode(random, segment));
		}
		int form = random.nextInt(100);
		if (form < 10) {
			path.append('/');
		}
		else if (form < 14) {
			path.insert(0, '/');
		}
		else if (form < 17 && path.length() > 0) {
			path.append(";v=1");
		}
		return (path.length() == 0) ? ((form % 2 == 0) ? "/" : "") : path.toString();
	}

	/** The segment as a client could send it: encoded as needed, sometimes with letters needlessly escaped too. */
	private static String encode(Random random, String segment) {
		String encoded = UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8);
		if (random.nextInt(10) == 0 && !segment.isEmpty() && Character.isLetter(segment.charAt(0))
				&& segment.charAt(0) < 0x80) {
			encoded = "%" + Integer.toHexString(segment.charAt(0)).toUpperCase() + encoded.substring(1);
		}
		return encoded;
	}

}
