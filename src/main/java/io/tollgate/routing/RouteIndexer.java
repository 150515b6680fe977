package io.tollgate.routing;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Keeps the current {@link RouteIndex}: builds a new one off the request path whenever the gateway's routes were
 * refreshed ({@code RefreshRoutesResultEvent}) and once the application is ready, and swaps it in whole. An index
 * holds the {@code Route}s it was built from, so it is dropped as soon as a refresh starts ({@code RefreshRoutesEvent},
 * before Spring Cloud Gateway's route cache changes): until the next one is built, lookups are Spring Cloud
 * Gateway's linear one over the routes as they are now, never the replaced routes (a route that just gained an
 * auth filter is not served without it while the new index builds). A build that fails leaves no index; a build
 * that a newer refresh overtook is dropped.
 */
public class RouteIndexer {

	private static final Log logger = LogFactory.getLog(RouteIndexer.class);

	private final RouteLocator routeLocator;

	private final RouteDefinitionLocator definitionLocator;

	private final @Nullable String basePath;

	private final boolean pathIndexing;

	private final boolean hostFiltering;

	private final boolean methodFiltering;

	/** Refreshes seen and builds started; only the build of the latest may be installed. Guarded by this. */
	private long generation;

	private volatile @Nullable RouteIndex current;

	RouteIndexer(RouteLocator routeLocator, RouteDefinitionLocator definitionLocator, @Nullable String basePath,
			boolean pathIndexing, boolean hostFiltering, boolean methodFiltering) {
		this.routeLocator = routeLocator;
		this.definitionLocator = definitionLocator;
		this.basePath = basePath;
		this.pathIndexing = pathIndexing;
		this.hostFiltering = hostFiltering;
		this.methodFiltering = methodFiltering;
	}

	/** The index lookups use now, or null while there is none (lookups are then linear). */
	@Nullable RouteIndex current() {
		return this.current;
	}

	/** Runs before Spring Cloud Gateway's route cache takes the refresh (which may change it at once). */
	@EventListener
	@Order(Ordered.HIGHEST_PRECEDENCE)
	void routesRefreshing(RefreshRoutesEvent event) {
		invalidate();
	}

	@EventListener
	void routesRefreshed(RefreshRoutesResultEvent event) {
		// After a failed refresh the cache keeps the routes it had: index those again.
		rebuild();
	}

	@EventListener
	void ready(ApplicationReadyEvent event) {
		rebuild();
	}

	/** Starts building an index of the routes as they are now; it is installed when done. */
	void rebuild() {
		long generation = invalidate();
		Mono.zip(this.routeLocator.getRoutes().collectList(), this.definitionLocator.getRouteDefinitions().collectList())
			.subscribeOn(Schedulers.boundedElastic())
			.map((both) -> RouteIndex.build(both.getT1(), both.getT2(), this.basePath,
					this.pathIndexing, this.hostFiltering, this.methodFiltering))
			.subscribe((index) -> install(generation, index), (error) -> {
				logger.warn("Could not index the routes; route lookup is linear until the next refresh", error);
				install(generation, null);
			});
	}

	/** Drops the current index (lookups are linear until the next is installed); returns the new generation. */
	private synchronized long invalidate() {
		this.current = null;
		return ++this.generation;
	}

	private synchronized void install(long generation, @Nullable RouteIndex index) {
		if (generation != this.generation) {
			return;
		}
		this.current = index;
		if (index != null && logger.isDebugEnabled()) {
			logger.debug("Indexed " + index.indexed() + " of " + index.size() + " routes by path prefix");
		}
	}

}
