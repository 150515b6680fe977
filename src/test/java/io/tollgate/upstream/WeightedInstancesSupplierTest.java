package io.tollgate.upstream;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class WeightedInstancesSupplierTest {

	@Test
	void instancesAppearInProportionToTheirWeightsInterleaved() {
		ServiceInstance a = instance("a", "100");
		ServiceInstance b = instance("b", "50");
		assertThat(WeightedInstancesSupplier.expand(List.of(a, b))).containsExactly(a, b, a);
	}

	@Test
	void equalOrMissingWeightsLeaveTheListAsItIs() {
		List<ServiceInstance> same = List.of(instance("a", "100"), instance("b", "100"));
		assertThat(WeightedInstancesSupplier.expand(same)).isSameAs(same);
		List<ServiceInstance> none = List.of(instance("a", null), instance("b", "not-a-number"), instance("c", "-3"));
		assertThat(WeightedInstancesSupplier.expand(none)).isSameAs(none);
	}

	@Test
	void largeWeightsAreScaledToABoundedList() {
		ServiceInstance a = instance("a", "100000");
		ServiceInstance b = instance("b", "1");
		List<ServiceInstance> expanded = WeightedInstancesSupplier.expand(List.of(a, b));
		assertThat(expanded).hasSizeLessThanOrEqualTo(WeightedInstancesSupplier.MAX_ENTRIES + 2).contains(b);
		assertThat(expanded.stream().filter(a::equals).count()).isGreaterThan(900);
	}

	@Test
	void theExpandedListIsBuiltOncePerInstanceList() {
		List<ServiceInstance> instances = List.of(instance("a", "2"), instance("b", "1"));
		WeightedInstancesSupplier supplier = new WeightedInstancesSupplier(new ServiceInstanceListSupplier() {
			@Override
			public String getServiceId() {
				return "svc";
			}

			@Override
			public Flux<List<ServiceInstance>> get() {
				return Flux.just(instances);
			}
		});
		List<ServiceInstance> first = supplier.get().blockFirst();
		assertThat(supplier.get().blockFirst()).isSameAs(first).hasSize(3);
		assertThat(supplier.weighted(List.of(instance("c", "1")))).hasSize(1);
	}

	private static ServiceInstance instance(String id, String weight) {
		return new DefaultServiceInstance(id, "svc", id + ".internal", 80, false,
				(weight != null) ? Map.of("weight", weight) : Map.of());
	}

}
