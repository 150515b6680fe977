package io.tollgate.routing;

import java.util.List;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.autoconfigure.WebFluxProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.handler.predicate.HostRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.MethodRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.accept.ApiVersionStrategy;
import org.springframework.web.server.ServerWebExchange;

/**
 * Replaces Spring Cloud Gateway's {@code RoutePredicateHandlerMapping} (declared {@code @ConditionalOnMissingBean}
 * in {@code GatewayAutoConfiguration}) with the indexed one, built with the same arguments and API version strategy.
 * {@code tollgate.routing.indexed=false} keeps Spring Cloud Gateway's own.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RoutingProperties.class)
@ConditionalOnProperty(name = { GatewayProperties.PREFIX + ".enabled", "tollgate.routing.indexed" },
		matchIfMissing = true)
class RoutingConfiguration {

	private static final Log logger = LogFactory.getLog(RoutingConfiguration.class);

	@Bean
	RouteIndexer routeIndexer(RouteLocator routeLocator, RouteDefinitionLocator definitionLocator,
			List<RoutePredicateFactory<?>> predicateFactories, ObjectProvider<WebFluxProperties> webFlux) {
		WebFluxProperties properties = webFlux.getIfAvailable();
		String basePath = (properties != null) ? properties.getBasePath() : null;
		return new RouteIndexer(routeLocator, definitionLocator, basePath,
				pathMatchesAsDefault(predicateFactories, basePath), hostMatchesAsDefault(predicateFactories),
				methodMatchesAsDefault(predicateFactories));
	}

	@Bean
	RoutePredicateHandlerMapping routePredicateHandlerMapping(FilteringWebHandler webHandler,
			RouteLocator routeLocator, GlobalCorsProperties globalCorsProperties, Environment environment,
			ObjectProvider<ApiVersionStrategy> apiVersionStrategy, RouteIndexer indexer) {
		IndexedRoutePredicateHandlerMapping handlerMapping = new IndexedRoutePredicateHandlerMapping(webHandler,
				routeLocator, globalCorsProperties, environment, indexer);
		apiVersionStrategy.ifAvailable(handlerMapping::setApiVersionStrategy);
		return handlerMapping;
	}

	/**
	 * Whether the {@code Path} predicate is Spring Cloud Gateway's own, matching case-sensitively (its pattern
	 * parser can be replaced with one that ignores case or reads patterns otherwise). If not, no route is indexed by
	 * path: each is tested for every request, as without the index.
	 */
	static boolean pathMatchesAsDefault(List<RoutePredicateFactory<?>> factories, @Nullable String basePath) {
		List<RoutePredicateFactory<?>> paths = factories.stream()
			.filter((factory) -> RouteIndex.PATH.equals(factory.name()))
			.toList();
		if (paths.size() != 1 || paths.get(0).getClass() != PathRoutePredicateFactory.class) {
			logger.warn("The Path route predicate is not Spring Cloud Gateway's own; routes are not indexed by path");
			return false;
		}
		PathRoutePredicateFactory path = (PathRoutePredicateFactory) paths.get(0);
		Predicate<ServerWebExchange> probe = path
			.apply(new PathRoutePredicateFactory.Config().setPatterns(List.of("/tollgate-probe/**")));
		boolean asDefault = probe.test(exchange(RouteIndex.withBasePath("/tollgate-probe/x", basePath)))
				&& !probe.test(exchange(RouteIndex.withBasePath("/TOLLGATE-PROBE/x", basePath)))
				&& !probe.test(exchange(RouteIndex.withBasePath("/tollgate-probex", basePath)));
		if (!asDefault) {
			logger.warn("The Path route predicate does not match paths the default way (case-sensitive segments); "
					+ "routes are not indexed by path");
		}
		return asDefault;
	}

	/**
	 * Whether the {@code Host} predicate is Spring Cloud Gateway's own with its defaults: it reads the first
	 * {@code Host} header with its port, and matches a literal pattern the way {@code AntPathMatcher(".")} does
	 * (case-sensitively, labels compared one by one, empty labels ignored). Only then may a route whose literal Host
	 * pattern differs from the request's be skipped without testing it.
	 */
	static boolean hostMatchesAsDefault(List<RoutePredicateFactory<?>> factories) {
		List<RoutePredicateFactory<?>> hosts = factories.stream()
			.filter((factory) -> RouteIndex.HOST.equals(factory.name()))
			.toList();
		if (hosts.size() != 1 || hosts.get(0).getClass() != HostRoutePredicateFactory.class) {
			logger.warn("The Host route predicate is not Spring Cloud Gateway's own; routes are not filtered by host");
			return false;
		}
		Predicate<ServerWebExchange> probe = ((HostRoutePredicateFactory) hosts.get(0))
			.apply(new HostRoutePredicateFactory.Config().setPatterns(List.of("probe.tollgate.test")));
		boolean asDefault = answers(probe, HttpMethod.GET, "probe.tollgate.test", true)
				&& answers(probe, HttpMethod.GET, "probe..tollgate.test", true)
				&& answers(probe, HttpMethod.GET, "PROBE.tollgate.test", false)
				&& answers(probe, HttpMethod.GET, "probe.tollgate.test:1", false)
				&& answers(probe, HttpMethod.GET, "probe-tollgate.test", false)
				&& answers(probe, HttpMethod.GET, null, false);
		if (!asDefault) {
			logger.warn("The Host route predicate does not match hosts the default way (port included, "
					+ "case-sensitive labels); routes are not filtered by host");
		}
		return asDefault;
	}

	/** Whether the {@code Method} predicate is Spring Cloud Gateway's own (routes are then filtered by method). */
	static boolean methodMatchesAsDefault(List<RoutePredicateFactory<?>> factories) {
		List<RoutePredicateFactory<?>> methods = factories.stream()
			.filter((factory) -> RouteIndex.METHOD.equals(factory.name()))
			.toList();
		if (methods.size() != 1 || methods.get(0).getClass() != MethodRoutePredicateFactory.class) {
			logger.warn("The Method route predicate is not Spring Cloud Gateway's own; routes are not filtered by method");
			return false;
		}
		return true;
	}

	private static ServerWebExchange exchange(String path) {
		return ProbeExchange.of(HttpMethod.GET, path, null);
	}

	private static boolean answers(Predicate<ServerWebExchange> probe, HttpMethod method, @Nullable String host,
			boolean expected) {
		try {
			return probe.test(ProbeExchange.of(method, "/", host)) == expected;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
