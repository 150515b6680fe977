package io.tollgate.upstream;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.DelegatingServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * Instances with a {@code weight} metadata value (static instances imported from Kong targets, Consul services that
 * set it) get that share of the round robin: each appears weight / gcd times in the list. Instances without one weigh
 * 1. The expanded list is built once per instance list (the cached supplier hands out the same list until it
 * refreshes), not per request; where every weight is the same, the list is passed on as it is. Spring Cloud's own
 * weighted supplier builds a new weighted list for every request.
 */
class WeightedInstancesSupplier extends DelegatingServiceInstanceListSupplier {

	/** The longest expanded list: weights are scaled down beyond it (10 instances weighing 1 to 100, say). */
	static final int MAX_ENTRIES = 1000;

	private record Expanded(List<ServiceInstance> input, List<ServiceInstance> output) {
	}

	private volatile Expanded last = new Expanded(List.of(), List.of());

	WeightedInstancesSupplier(ServiceInstanceListSupplier delegate) {
		super(delegate);
	}

	@Override
	public Flux<List<ServiceInstance>> get() {
		return getDelegate().get().map(this::weighted);
	}

	List<ServiceInstance> weighted(List<ServiceInstance> instances) {
		Expanded last = this.last;
		if (last.input == instances) {
			return last.output;
		}
		List<ServiceInstance> output = expand(instances);
		this.last = new Expanded(instances, output);
		return output;
	}

	static List<ServiceInstance> expand(List<ServiceInstance> instances) {
		int[] weights = new int[instances.size()];
		boolean same = true;
		for (int i = 0; i < weights.length; i++) {
			weights[i] = weight(instances.get(i));
			same &= weights[i] == weights[0];
		}
		if (same) {
			return instances;
		}
		int gcd = 0;
		long total = 0;
		for (int weight : weights) {
			gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(weight)).intValue();
			total += weight;
		}
		double scale = Math.min(1.0 / gcd, (double) MAX_ENTRIES / total);
		List<ServiceInstance> expanded = new ArrayList<>();
		// Interleaved (a, b, a, b, a...), so that consecutive requests spread across instances.
		int[] copies = new int[weights.length];
		int most = 0;
		for (int i = 0; i < weights.length; i++) {
			copies[i] = Math.max(1, (int) Math.round(weights[i] * scale));
			most = Math.max(most, copies[i]);
		}
		for (int round = 0; round < most; round++) {
			for (int i = 0; i < copies.length; i++) {
				if (round < copies[i]) {
					expanded.add(instances.get(i));
				}
			}
		}
		return List.copyOf(expanded);
	}

	/** The {@code weight} metadata value if it is a positive number, else 1. */
	static int weight(ServiceInstance instance) {
		String weight = (instance.getMetadata() != null) ? instance.getMetadata().get("weight") : null;
		if (weight == null) {
			return 1;
		}
		try {
			return Math.max(1, Integer.parseInt(weight.trim()));
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

}
