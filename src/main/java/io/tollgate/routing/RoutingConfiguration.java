package io.tollgate.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.springframework.cloud.gateway.handler.predicate.PathRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
				pathMatchesAsDefault(predicateFactories, basePath));
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

	/** A bare exchange with just a path and attributes, all the Path predicate reads. */
	private static ServerWebExchange exchange(String path) {
		URI uri = URI.create("http://probe" + path);
		ServerHttpRequest request = proxy(ServerHttpRequest.class, Map.of("getURI", uri));
		return proxy(ServerWebExchange.class, Map.of("getRequest", request, "getAttributes", new HashMap<>()));
	}

	private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
		InvocationHandler handler = (self, method, args) -> {
			Object answer = answers.get(method.getName());
			if (answer != null && (args == null || args.length == 0)) {
				return answer;
			}
			if (method.isDefault()) {
				return InvocationHandler.invokeDefault(self, method, args);
			}
			if (method.getName().equals("toString")) {
				return type.getSimpleName() + " probe";
			}
			throw new UnsupportedOperationException(method.getName());
		};
		return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler));
	}

}
