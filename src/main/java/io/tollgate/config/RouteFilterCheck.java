package io.tollgate.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.stereotype.Component;

/**
 * Checks the configured routes' filters at startup and at every reload: every filter name must exist, and every Tollgate filter's
 * arguments must be valid. Spring Cloud Gateway builds routes after startup and only logs a route it cannot build
 * (an unknown filter name included), so without this check a typo in config-repo/ would leave a route silently
 * missing, or open. Here it stops the application instead, naming the property, the route and the filter.
 */
@Component
public class RouteFilterCheck implements SmartInitializingSingleton {

	private static final String ROUTES = GatewayProperties.PREFIX + ".routes";

	private final GatewayProperties gateway;

	private final ConfigurationService configurationService;

	private final Map<String, GatewayFilterFactory<?>> factories;

	private final Set<String> known;

	RouteFilterCheck(GatewayProperties gateway, ConfigurationService configurationService,
			List<GatewayFilterFactory<?>> factories) {
		this.gateway = gateway;
		this.configurationService = configurationService;
		this.known = factories.stream().map(GatewayFilterFactory::name).collect(Collectors.toCollection(TreeSet::new));
		this.factories = factories.stream()
			.filter((factory) -> factory.getClass().getPackageName().startsWith("io.tollgate"))
			.collect(Collectors.toMap(GatewayFilterFactory::name, Function.identity()));
	}

	@Override
	public void afterSingletonsInstantiated() {
		check(this.gateway);
	}

	/**
	 * Checks a set of routes (at startup the running one, at a reload the candidate).
	 * @throws InvalidConfigurationException naming the first filter that is wrong
	 */
	public void check(GatewayProperties gateway) {
		check(gateway.getDefaultFilters(), GatewayProperties.PREFIX + ".default-filters", "default-filters");
		for (int r = 0; r < gateway.getRoutes().size(); r++) {
			var route = gateway.getRoutes().get(r);
			check(route.getFilters(), ROUTES + "[" + r + "].filters", route.getId());
		}
	}

	private void check(List<FilterDefinition> filters, String at, String routeId) {
		for (int f = 0; f < filters.size(); f++) {
			FilterDefinition definition = filters.get(f);
			if (!this.known.contains(definition.getName())) {
				throw new InvalidConfigurationException(at + "[" + f + "]", "route '" + routeId + "' names a filter '"
						+ definition.getName() + "' that does not exist; known filters: " + this.known);
			}
			GatewayFilterFactory<?> factory = this.factories.get(definition.getName());
			if (factory != null) {
				check(factory, definition, at + "[" + f + "]", routeId);
			}
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void check(GatewayFilterFactory factory, FilterDefinition definition, String at, String routeId) {
		try {
			Object config = this.configurationService.with(factory)
				.name(definition.getName())
				.properties(definition.getArgs())
				.bind();
			if (config instanceof HasRouteId hasRouteId) {
				hasRouteId.setRouteId(routeId);
			}
			factory.apply(config);
		}
		catch (InvalidConfigurationException ex) {
			throw new InvalidConfigurationException(at + ".args." + ex.property(),
					"route '" + routeId + "', " + definition.getName() + ": " + ex.reason());
		}
		catch (RuntimeException ex) {
			// A setter that refused its value (RateLimit's mode, say) is wrapped by the binder: name its property.
			for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof InvalidConfigurationException invalid) {
					throw new InvalidConfigurationException(at + ".args." + invalid.property(),
							"route '" + routeId + "', " + definition.getName() + ": " + invalid.reason());
				}
			}
			throw new InvalidConfigurationException(at, "route '" + routeId + "', " + definition.getName()
					+ " cannot be configured: " + ((ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName()));
		}
	}

}
