package io.tollgate.upstream;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * A service's instances from discovery, remembered: when discovery fails (Consul down or unreachable), the last
 * list it returned is used instead of none. Spring Cloud's own suppliers turn a discovery error into an empty
 * list, which would take a healthy service down with Consul; this one asks the blocking discovery client (off the
 * event loop), so an error is an error and an empty list is really empty.
 */
class LastKnownInstancesSupplier implements ServiceInstanceListSupplier {

	private static final Log logger = LogFactory.getLog(LastKnownInstancesSupplier.class);

	private final String serviceId;

	private final DiscoveryClient discovery;

	private final DiscoverySnapshot snapshot;

	LastKnownInstancesSupplier(String serviceId, DiscoveryClient discovery, DiscoverySnapshot snapshot) {
		this.serviceId = serviceId;
		this.discovery = discovery;
		this.snapshot = snapshot;
	}

	@Override
	public String getServiceId() {
		return this.serviceId;
	}

	@Override
	public Flux<List<ServiceInstance>> get() {
		return Mono.fromCallable(() -> this.discovery.getInstances(this.serviceId))
			.subscribeOn(Schedulers.boundedElastic())
			.doOnNext((instances) -> this.snapshot.answered(this.serviceId, instances))
			.onErrorResume((ex) -> {
				List<ServiceInstance> lastKnown = this.snapshot.failed(this.serviceId, System.currentTimeMillis());
				logger.warn("Discovery failed for '" + this.serviceId + "' (" + ex + "); routing to the "
						+ lastKnown.size() + " last known instance(s)");
				return Mono.just(lastKnown);
			})
			.flux();
	}

}
