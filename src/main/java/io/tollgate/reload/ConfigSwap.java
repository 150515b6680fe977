package io.tollgate.reload;

import io.tollgate.admin.AdminUsers;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.RuntimeConsumerSync;
import io.tollgate.edge.ClientIp;
import io.tollgate.ratelimit.RateLimiter;
import io.tollgate.responsecache.ResponseCacheGatewayFilterFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.GatewayProperties;

/**
 * Puts a checked configuration in force: each part is swapped with one write, so a request finds the old or the
 * new one of each, never half of one. The routes follow when the reloader publishes the refresh (Spring Cloud
 * Gateway rebuilds them from {@link GatewayProperties}, with the global CORS settings Spring Cloud has rebound).
 */
class ConfigSwap {

	private final ObjectProvider<ConsumerRegistry> consumers;

	private final ObjectProvider<ClientIp> clientIp;

	private final ObjectProvider<AdminUsers> adminUsers;

	private final ObjectProvider<RateLimiter> rateLimiter;

	private final ObjectProvider<ResponseCacheGatewayFilterFactory> responseCache;

	private final ObjectProvider<GatewayProperties> gateway;

	private final ObjectProvider<RuntimeConsumerSync> runtimeConsumers;

	ConfigSwap(ObjectProvider<ConsumerRegistry> consumers, ObjectProvider<ClientIp> clientIp,
			ObjectProvider<AdminUsers> adminUsers, ObjectProvider<RateLimiter> rateLimiter,
			ObjectProvider<ResponseCacheGatewayFilterFactory> responseCache,
			ObjectProvider<GatewayProperties> gateway, ObjectProvider<RuntimeConsumerSync> runtimeConsumers) {
		this.consumers = consumers;
		this.clientIp = clientIp;
		this.adminUsers = adminUsers;
		this.rateLimiter = rateLimiter;
		this.responseCache = responseCache;
		this.gateway = gateway;
		this.runtimeConsumers = runtimeConsumers;
	}

	void putInForce(ConfigCheck.Candidate candidate) {
		ConsumerRegistry registry = this.consumers.getObject();
		boolean plansChanged = !registry.hasSamePlans(candidate.consumers());
		registry.replaceWith(candidate.consumers());
		this.clientIp.getObject().replaceWith(candidate.clientIp());
		this.adminUsers.getObject().replaceWith(candidate.adminUsers());
		this.rateLimiter.ifAvailable((limiter) -> limiter.reconfigure(candidate.rateLimiting()));
		this.responseCache.ifAvailable((cache) -> cache.reconfigure(candidate.responseCache()));
		// The routes that were checked, set in one write each: Spring Cloud's rebinder does not touch
		// GatewayProperties (spring.cloud.refresh.never-refreshable), since it would empty the list before binding
		// it again, and a route refresh in between (a discovery change) would find no routes.
		GatewayProperties gateway = this.gateway.getObject();
		gateway.setDefaultFilters(candidate.gateway().getDefaultFilters());
		gateway.setRoutes(candidate.gateway().getRoutes());
		if (plansChanged) {
			// Runtime consumers hold their plan's limits: read again with the new plans.
			this.runtimeConsumers.ifAvailable(RuntimeConsumerSync::reloadSoon);
		}
	}

}
