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
	OutlierDetector outlierDetector(UpstreamProperties properties) {
		return new OutlierDetector(properties.outlierDetection());
	}

	@Bean
	OutlierRecorder outlierRecorder(OutlierDetector detector) {
		return new OutlierRecorder(detector);
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
