package io.tollgate.observability;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.tollgate.pipeline.RouteFilters;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;

/**
 * Query parameters whose values never reach a log: the configured ones, the credential parameters of every
 * current route ({@link SensitiveQueryParameters}: KeyAuth's key names, JwtAuth's query parameter), and those of
 * the route a request matched. The set of all routes' names is rebuilt from the routes whenever Spring Cloud
 * Gateway has refreshed them, and swapped whole: a removed route's names go with it, none is added twice.
 */
public class SensitiveParameters implements ApplicationListener<RefreshRoutesResultEvent> {

	private final Set<String> configured;

	private volatile Set<String> names;

	SensitiveParameters(ObservabilityProperties properties) {
		this.configured = Set.copyOf(properties.accessLog().maskedQueryParameters());
		this.names = this.configured;
	}

	@Override
	public void onApplicationEvent(RefreshRoutesResultEvent event) {
		if (event.isSuccess() && event.getSource() instanceof RouteLocator locator) {
			locator.getRoutes().collectList().subscribe(this::rebuild);
		}
	}

	void rebuild(List<Route> routes) {
		Set<String> all = new HashSet<>(this.configured);
		RouteFilters.all(routes, SensitiveQueryParameters.class)
			.forEach((source) -> all.addAll(source.sensitiveQueryParameters()));
		this.names = Set.copyOf(all);
	}

	boolean contains(String name) {
		return this.names.contains(name);
	}

	/** The raw query with the values of sensitive parameters (of every route, and of {@code route}) as {@code ***}. */
	String mask(String rawQuery, Route route) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return rawQuery;
		}
		SensitiveQueryParameters own = RouteFilters.first(route, SensitiveQueryParameters.class);
		StringBuilder masked = new StringBuilder(rawQuery.length());
		for (String pair : rawQuery.split("&")) {
			if (masked.length() > 0) {
				masked.append('&');
			}
			int eq = pair.indexOf('=');
			String name = (eq >= 0) ? pair.substring(0, eq) : pair;
			String decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
			boolean sensitive = contains(decoded)
					|| (own != null && own.sensitiveQueryParameters().contains(decoded));
			if (eq >= 0 && sensitive) {
				masked.append(name).append("=***");
			}
			else {
				masked.append(pair);
			}
		}
		return masked.toString();
	}

}
