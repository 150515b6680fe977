package io.tollgate.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.cloud.client.ServiceInstance;

/**
 * The last instance list discovery returned for each service, and whether discovery answered last time: when
 * Consul is unreachable, routing continues on the last known instances (and health says so).
 */
public class DiscoverySnapshot {

	private final Map<String, List<ServiceInstance>> lastKnown = new ConcurrentHashMap<>();

	private volatile long unreachableSince;

	void answered(String serviceId, List<ServiceInstance> instances) {
		this.lastKnown.put(serviceId, List.copyOf(instances));
		this.unreachableSince = 0;
	}

	/** Discovery failed: the last known list (possibly empty). */
	List<ServiceInstance> failed(String serviceId, long now) {
		if (this.unreachableSince == 0) {
			this.unreachableSince = now;
		}
		return this.lastKnown.getOrDefault(serviceId, List.of());
	}

	boolean isUnreachable() {
		return this.unreachableSince != 0;
	}

	long unreachableSince() {
		return this.unreachableSince;
	}

	Map<String, Integer> lastKnownCounts() {
		Map<String, Integer> counts = new java.util.TreeMap<>();
		this.lastKnown.forEach((service, instances) -> counts.put(service, instances.size()));
		return counts;
	}

}
