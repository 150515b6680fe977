package io.tollgate.routing;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.event.EventListener;

/**
 * Keeps the current {@link RouteIndex}: builds a new one off the request path whenever the gateway's routes were
 * refreshed ({@code RefreshRoutesResultEvent}) and once the application is ready, and swaps it in whole. A build
 * that fails leaves no index, so lookups fall back to Spring Cloud Gateway's linear one rather than a stale index;
 * a build that finishes after a newer one is dropped.
 */
public class RouteIndexer {

	private static final Log logger = LogFactory.getLog(RouteIndexer.class);

	private final RouteLocator routeLocator;

	private final RouteDefinitionLocator definitionLocator;

	private final @Nullable String basePath;

	private final boolean pathIndexing;

	private final boolean hostFiltering;

	private final boolean methodFiltering;

	private final AtomicLong requested = new AtomicLong();

	private long installedGeneration = -1;

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

	@EventListener
	void routesRefreshed(RefreshRoutesResultEvent event) {
		if (event.isSuccess()) {
			rebuild();
		}
	}

	@EventListener
	void ready(ApplicationReadyEvent event) {
		rebuild();
	}

	/** Starts building an index of the routes as they are now; it is installed when done. */
	void rebuild() {
		long generation = this.requested.incrementAndGet();
		Mono.zip(this.routeLocator.getRoutes().collectList(), this.definitionLocator.getRouteDefinitions().collectList())
			.subscribeOn(Schedulers.boundedElastic())
			.map((both) -> RouteIndex.build(both.getT1(), both.getT2(), this.basePath,
					this.pathIndexing, this.hostFiltering, this.methodFiltering))
			.subscribe((index) -> install(generation, index), (error) -> {
				logger.warn("Could not index the routes; route lookup is linear until the next refresh", error);
				install(generation, null);
			});
	}

	private synchronized void install(long generation, @Nullable RouteIndex index) {
		if (generation <= this.installedGeneration) {
			return;
		}
		this.installedGeneration = generation;
		this.current = index;
		if (index != null && logger.isDebugEnabled()) {
			logger.debug("Indexed " + index.indexed() + " of " + index.size() + " routes by path prefix");
		}
	}

}
