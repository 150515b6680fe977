package io.tollgate.routing;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.core.env.Environment;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_PATH_CONTAINER_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR;

/**
 * Spring Cloud Gateway's route lookup, made to visit only the routes a {@link RouteIndex} names as candidates for
 * the request (by path prefix, literal Host and Method).
 * <p>
 * Everything else is Spring Cloud Gateway's own: the superclass keeps the management-port handling, the CORS
 * configuration and the exchange attributes it sets around the lookup; the candidates are tested one after another
 * in route order exactly as {@link RoutePredicateHandlerMapping#lookupRoute} tests every route (the route id in
 * {@code GATEWAY_PREDICATE_ROUTE_ATTR} while its predicate runs, a predicate that throws counts as no match, the
 * first match wins and is passed to {@link #validateRoute}); before each candidate is tested, and after the last,
 * the lookup leaves in the exchange what the skipped routes' leading Path predicates would have left. Until the
 * first index is built, or when building one failed, the lookup is the superclass's linear one.
 */
public class IndexedRoutePredicateHandlerMapping extends RoutePredicateHandlerMapping {

	private final RouteIndexer indexer;

	public IndexedRoutePredicateHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
			GlobalCorsProperties globalCorsProperties, Environment environment, RouteIndexer indexer) {
		super(webHandler, routeLocator, globalCorsProperties, environment);
		this.indexer = indexer;
	}

	RouteIndexer indexer() {
		return this.indexer;
	}

	@Override
	protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
		RouteIndex index = this.indexer.current();
		if (index == null) {
			return super.lookupRoute(exchange);
		}
		String rawPath = exchange.getRequest().getURI().getRawPath();
		PathContainer path = PathContainer.parsePath(rawPath);
		RouteIndex.Lookup lookup = index.lookup(path, exchange.getRequest());
		return Flux.fromIterable(lookup.candidates()).filterWhen((route) -> {
			lookup.beforeTesting(exchange, route);
			exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, route.getId());
			try {
				return route.getPredicate().apply(exchange);
			}
			catch (Exception ex) {
				logger.error("Error applying predicate for route: " + route.getId(), ex);
			}
			return Mono.just(false);
		}).next().map((route) -> {
			cachePathAsLinearLookupWould(exchange, index, index.position(route), path);
			if (logger.isDebugEnabled()) {
				logger.debug("Route matched: " + route.getId());
			}
			validateRoute(route, exchange);
			return route;
		}).switchIfEmpty(Mono.fromRunnable(() -> {
			lookup.afterLast(exchange);
			cachePathAsLinearLookupWould(exchange, index, index.size(), path);
		}));
	}

	/**
	 * The linear lookup leaves the parsed path in the exchange when any route it tested began with a Path predicate,
	 * matching or not; a skipped route did, so the attribute is set here as it would have been.
	 */
	private static void cachePathAsLinearLookupWould(ServerWebExchange exchange, RouteIndex index, int upTo,
			PathContainer path) {
		if (index.pathTestedBefore(upTo)) {
			exchange.getAttributes().putIfAbsent(GATEWAY_PREDICATE_PATH_CONTAINER_ATTR, path);
		}
	}

}
