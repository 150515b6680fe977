package io.tollgate.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;

/**
 * A route's own filters, as the policies built them (unwrapped from the {@link OrderedGatewayFilter} that gives
 * them their order). What a policy needs to know about routes (a route's body limit, its sensitive query
 * parameters, its rate limits) is read from the routes as they are now, never registered on the side when a
 * filter is built: building a route's filters twice (a refresh, a startup check) then changes nothing, and a
 * removed route leaves nothing behind.
 */
public final class RouteFilters {

	private RouteFilters() {
	}

	/** The first of {@code route}'s filters that is a {@code type}; null when it has none (or no route). */
	public static <T> T first(Route route, Class<T> type) {
		if (route == null) {
			return null;
		}
		for (GatewayFilter filter : route.getFilters()) {
			GatewayFilter unwrapped = unwrap(filter);
			if (type.isInstance(unwrapped)) {
				return type.cast(unwrapped);
			}
		}
		return null;
	}

	/** Every one of {@code routes}' filters that is a {@code type}. */
	public static <T> List<T> all(List<Route> routes, Class<T> type) {
		List<T> found = new ArrayList<>();
		for (Route route : routes) {
			for (GatewayFilter filter : route.getFilters()) {
				GatewayFilter unwrapped = unwrap(filter);
				if (type.isInstance(unwrapped)) {
					found.add(type.cast(unwrapped));
				}
			}
		}
		return found;
	}

	private static GatewayFilter unwrap(GatewayFilter filter) {
		return (filter instanceof OrderedGatewayFilter ordered) ? ordered.getDelegate() : filter;
	}

}
