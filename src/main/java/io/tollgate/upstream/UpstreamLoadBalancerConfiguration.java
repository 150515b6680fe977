package io.tollgate.upstream;

import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The instance list of every load-balanced service (one child context per service, so deliberately not a
 * {@code @Configuration} the main context would scan): discovery with last-known fallback, cached
 * ({@code spring.cloud.loadbalancer.cache.ttl}), zone preference ({@code spring.cloud.loadbalancer.zone}), weights
 * (instance metadata {@code weight}) and outlier ejection. The balancer on top is Spring Cloud LoadBalancer's round robin.
 */
class UpstreamLoadBalancerConfiguration {

	@Bean
	ServiceInstanceListSupplier tollgateInstances(ConfigurableApplicationContext context, DiscoveryClient discovery,
			DiscoverySnapshot snapshot, OutlierDetector detector) {
		String serviceId = context.getEnvironment().getProperty(LoadBalancerClientFactory.PROPERTY_NAME);
		return ServiceInstanceListSupplier.builder()
			.withBase(new LastKnownInstancesSupplier(serviceId, discovery, snapshot))
			.withCaching()
			.withZonePreference()
			.with((ctx, delegate) -> new WeightedInstancesSupplier(delegate))
			.with((ctx, delegate) -> new OutlierEjectingSupplier(delegate, detector))
			.build(context);
	}

}
