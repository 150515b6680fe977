package io.tollgate.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.handler.predicate.AbstractRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.GatewayPredicate;
import org.springframework.cloud.gateway.handler.predicate.HeaderRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.HostRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.MethodRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.CachingRouteLocator;
import org.springframework.cloud.gateway.route.CompositeRouteLocator;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteDefinitionRouteLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.springframework.http.HttpMethod;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

/**
 * Routes built by Spring Cloud Gateway's own machinery (its {@code RouteDefinitionRouteLocator} binding
 * {@code PredicateDefinition}s through its {@code ConfigurationService}, a {@code CachingRouteLocator} on top), and
 * the two handler mappings over them: Spring Cloud Gateway's linear one (the oracle) and the indexed one.
 */
final class RealRoutes {

	final RouteLocator routeLocator;

	final RouteDefinitionLocator definitionLocator;

	final List<RoutePredicateFactory<?>> predicateFactories;

	final FilteringWebHandler webHandler = new FilteringWebHandler(List.of(), false);

	RealRoutes(List<RouteDefinition> definitions, List<Route> javaRoutes) {
		this(definitions, javaRoutes, new PathRoutePredicateFactory(new WebFluxProperties()));
	}

	RealRoutes(List<RouteDefinition> definitions, List<Route> javaRoutes, PathRoutePredicateFactory path) {
		// Outside a Spring Boot test nothing sets log levels, and per-route debug lines would dominate the run.
		((Logger) LoggerFactory.getLogger("org.springframework")).setLevel(Level.INFO);
		this.definitionLocator = () -> Flux.fromIterable(definitions);
		this.predicateFactories = List.of(path, new MethodRoutePredicateFactory(), new HostRoutePredicateFactory(),
				new HeaderRoutePredicateFactory(), new TouchRoutePredicateFactory());
		ConfigurationService configuration = new ConfigurationService(new DefaultListableBeanFactory(),
				DefaultFormattingConversionService::new, () -> null);
		RouteLocator fromDefinitions = new RouteDefinitionRouteLocator(this.definitionLocator,
				new ArrayList<>(this.predicateFactories), List.of(), new GatewayProperties(), configuration);
		RouteLocator java = () -> Flux.fromIterable(javaRoutes);
		this.routeLocator = new CachingRouteLocator(new CompositeRouteLocator(Flux.just(fromDefinitions, java)));
	}

	RoutePredicateHandlerMapping linear() {
		return new RoutePredicateHandlerMapping(this.webHandler, this.routeLocator, new GlobalCorsProperties(),
				new MockEnvironment());
	}

	/** The indexed handler mapping, its first index already installed. */
	IndexedRoutePredicateHandlerMapping indexed() {
		RouteIndexer indexer = new RouteIndexer(this.routeLocator, this.definitionLocator, null,
				RoutingConfiguration.pathMatchesAsDefault(this.predicateFactories, null),
				RoutingConfiguration.hostMatchesAsDefault(this.predicateFactories),
				RoutingConfiguration.methodMatchesAsDefault(this.predicateFactories));
		indexer.rebuild();
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (indexer.current() == null && System.nanoTime() < deadline) {
			LockSupport.parkNanos(1_000_000);
		}
		return new IndexedRoutePredicateHandlerMapping(this.webHandler, this.routeLocator, new GlobalCorsProperties(),
				new MockEnvironment(), indexer);
	}

	/** What the handler mapping leaves in the exchange: the route it chose, variables, matched pattern... */
	static Map<String, String> lookUp(RoutePredicateHandlerMapping mapping, HttpMethod method, String path,
			String host, String pick) {
		MockServerHttpRequest request = MockServerHttpRequest.method(method, URI.create("http://" + host + path))
			.header("Host", host)
			.header("X-Pick", pick)
			.build();
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		Object handler = mapping.getHandler(exchange).block();
		Map<String, String> seen = new TreeMap<>();
		seen.put("handler", String.valueOf(handler != null));
		exchange.getAttributes().forEach((name, value) -> {
			if (!name.startsWith("org.springframework.web.server.ServerWebExchange.LOG_ID")) {
				seen.put(name, String.valueOf((value instanceof Route route) ? route.getId() : value));
			}
		});
		return seen;
	}

	static RouteDefinition definition(String id, int order, String... predicates) {
		RouteDefinition definition = new RouteDefinition();
		definition.setId(id);
		definition.setUri(URI.create("http://upstream.invalid"));
		definition.setOrder(order);
		for (String predicate : predicates) {
			definition.getPredicates()
				.add(new PredicateDefinition(predicate));
		}
		return definition;
	}

	static RouteDefinition definition(String id, int order, String name, Map<String, String> args) {
		RouteDefinition definition = definition(id, order);
		PredicateDefinition predicate = new PredicateDefinition();
		predicate.setName(name);
		predicate.setArgs(args);
		definition.getPredicates().add(predicate);
		return definition;
	}

	/**
	 * {@code Touch=name}: always true, and leaves an attribute behind whenever it is tested, like a predicate with
	 * side effects a user might write. A route that begins with it cannot be skipped without changing the exchange.
	 */
	static class TouchRoutePredicateFactory extends AbstractRoutePredicateFactory<TouchRoutePredicateFactory.Config> {

		TouchRoutePredicateFactory() {
			super(Config.class);
		}

		@Override
		public List<String> shortcutFieldOrder() {
			return List.of("name");
		}

		@Override
		public Predicate<ServerWebExchange> apply(Config config) {
			return new GatewayPredicate() {
				@Override
				public boolean test(ServerWebExchange exchange) {
					exchange.getAttributes().merge("touched", config.name, (a, b) -> a + "," + b);
					return true;
				}

				@Override
				public Object getConfig() {
					return config;
				}
			};
		}

		static class Config {

			private String name = "";

			public String getName() {
				return this.name;
			}

			public void setName(String name) {
				this.name = name;
			}

		}

	}

}
