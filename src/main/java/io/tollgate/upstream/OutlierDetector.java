package io.tollgate.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.cloud.client.ServiceInstance;

/**
 * Passive health: counts each instance's consecutive failures as traffic reaches it, and takes an instance that
 * fails {@code consecutive-failures} times in a row out of rotation for {@code ejection-time}, so a dead instance
 * stops receiving its share of traffic before Consul's next check notices. Never ejects more than
 * {@code max-ejection-percent} of a service.
 */
public class OutlierDetector {

	private final UpstreamProperties.OutlierDetection settings;

	private final Map<String, State> instances = new ConcurrentHashMap<>();

	OutlierDetector(UpstreamProperties.OutlierDetection settings) {
		this.settings = settings;
	}

	void succeeded(String instance) {
		State state = this.instances.get(instance);
		if (state != null) {
			state.failures.set(0);
		}
	}

	void failed(String instance, long now) {
		State state = this.instances.computeIfAbsent(instance, (key) -> new State());
		if (state.failures.incrementAndGet() >= this.settings.consecutiveFailures()) {
			state.ejectedUntil = now + this.settings.ejectionTime().toMillis();
			state.failures.set(0);
		}
	}

	boolean isEjected(String instance, long now) {
		State state = this.instances.get(instance);
		return state != null && state.ejectedUntil > now;
	}

	/** The instances that may receive traffic now. */
	List<ServiceInstance> healthy(List<ServiceInstance> all, long now) {
		if (!this.settings.enabled() || all.isEmpty()) {
			return all;
		}
		List<ServiceInstance> healthy = new ArrayList<>(all.size());
		for (ServiceInstance instance : all) {
			if (!isEjected(key(instance), now)) {
				healthy.add(instance);
			}
		}
		int maxEjected = all.size() * this.settings.maxEjectionPercent() / 100;
		if (all.size() - healthy.size() > maxEjected) {
			// Too many ejected at once (a shared cause, or a tiny pool): keep serving from all of them.
			return all;
		}
		return healthy;
	}

	/** Instances out of rotation now (the gauge {@code tollgate.upstream.ejected.instances}). */
	long ejectedCount(long now) {
		return this.instances.values().stream().filter((state) -> state.ejectedUntil > now).count();
	}

	static String key(ServiceInstance instance) {
		return instance.getHost() + ":" + instance.getPort();
	}

	private static final class State {

		private final AtomicInteger failures = new AtomicInteger();

		private volatile long ejectedUntil;

	}

}
