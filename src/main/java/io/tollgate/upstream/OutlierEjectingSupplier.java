package io.tollgate.upstream;

import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.DelegatingServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/** Leaves ejected instances ({@link OutlierDetector}) out of the list the load balancer chooses from. */
class OutlierEjectingSupplier extends DelegatingServiceInstanceListSupplier {

	private final OutlierDetector detector;

	OutlierEjectingSupplier(ServiceInstanceListSupplier delegate, OutlierDetector detector) {
		super(delegate);
		this.detector = detector;
	}

	@Override
	public Flux<List<ServiceInstance>> get() {
		return getDelegate().get().map((instances) -> this.detector.healthy(instances, System.currentTimeMillis()));
	}

}
