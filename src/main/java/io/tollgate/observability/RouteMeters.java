package io.tollgate.observability;

import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;

/**
 * Removes the meters of routes that no longer exist once Spring Cloud Gateway has refreshed its routes: every
 * {@code tollgate.*} meter tagged with a {@code route} that is not among the current routes. A removed route then
 * leaves no series behind in Prometheus, and a route added again starts from fresh meters.
 */
class RouteMeters implements ApplicationListener<RefreshRoutesResultEvent> {

	/** Route tags that name no configured route: unmatched requests, filters built without a route. */
	private static final Set<String> NOT_ROUTES = Set.of("none", "unknown");

	private final MeterRegistry meters;

	private final AccessLogFilter accessLog;

	RouteMeters(MeterRegistry meters, AccessLogFilter accessLog) {
		this.meters = meters;
		this.accessLog = accessLog;
	}

	@Override
	public void onApplicationEvent(RefreshRoutesResultEvent event) {
		if (event.isSuccess() && event.getSource() instanceof RouteLocator locator) {
			locator.getRoutes().map(Route::getId).collect(Collectors.toSet()).subscribe(this::prune);
		}
	}

	void prune(Set<String> current) {
		boolean removed = false;
		for (Meter meter : this.meters.getMeters()) {
			String route = meter.getId().getTag("route");
			if (route != null && meter.getId().getName().startsWith("tollgate.") && !current.contains(route)
					&& !NOT_ROUTES.contains(route)) {
				this.meters.remove(meter);
				removed = true;
			}
		}
		if (removed) {
			this.accessLog.forgetMeters();
		}
	}

}
