package io.tollgate.upstream;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@LoadBalancerClients(defaultConfiguration = UpstreamLoadBalancerConfiguration.class)
class UpstreamConfiguration {

	@Bean
	DiscoverySnapshot discoverySnapshot() {
		return new DiscoverySnapshot();
	}

	@Bean
	OutlierDetector outlierDetector(UpstreamProperties properties, MeterRegistry meters) {
		OutlierDetector detector = new OutlierDetector(properties.outlierDetection());
		meters.gauge("tollgate.upstream.ejected.instances", detector,
				(outliers) -> outliers.ejectedCount(System.currentTimeMillis()));
		return detector;
	}

	@Bean
	OutlierRecorder outlierRecorder(OutlierDetector detector) {
		return new OutlierRecorder(detector);
	}

	@Bean
	ClientBodyFailureFilter clientBodyFailureFilter() {
		return new ClientBodyFailureFilter();
	}

	@Bean
	RetryBudgetFilter retryBudgetFilter(UpstreamProperties properties, MeterRegistry meters) {
		return new RetryBudgetFilter(properties.retryBudget(), meters);
	}

	@Bean
	DiscoveryHealthIndicator upstreamDiscoveryHealthIndicator(DiscoverySnapshot snapshot) {
		return new DiscoveryHealthIndicator(snapshot);
	}

}
