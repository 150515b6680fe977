package io.tollgate.upstream;

import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.factory.RetryGatewayFilterFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * The retry budget: Spring Cloud Gateway's {@code Retry} retries each failing request up to its count, which in
 * an outage multiplies the load on an upstream that is already failing. This filter sees every attempt (it runs
 * inside the retry loop) and lets a retry through only while retries over the last 10 seconds stay under
 * {@code ratio} x first attempts (or {@code min-per-second}); beyond that the request fails at once with 503.
 */
class RetryBudgetFilter implements GlobalFilter, Ordered {

	private static final int SECONDS = 10;

	private final UpstreamProperties.RetryBudget budget;

	/** Per second slot: [epoch second, first attempts, retries] x SECONDS. */
	private final AtomicLongArray slots = new AtomicLongArray(SECONDS * 3);

	private final Counter exhausted;

	RetryBudgetFilter(UpstreamProperties.RetryBudget budget, MeterRegistry meters) {
		this.budget = budget;
		this.exhausted = Counter.builder("tollgate.upstream.retry.budget.exhausted")
			.description("Retries refused by the retry budget")
			.register(meters);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Integer iteration = exchange.getAttribute(RetryGatewayFilterFactory.RETRY_ITERATION_KEY);
		long second = System.currentTimeMillis() / 1000;
		if (iteration == null || iteration == 0) {
			add(second, 1, 1);
			return chain.filter(exchange);
		}
		if (!allowRetry(second)) {
			this.exhausted.increment();
			return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
					"The upstream service is failing and the retry budget is spent"));
		}
		add(second, 2, 1);
		return chain.filter(exchange);
	}

	private boolean allowRetry(long second) {
		long attempts = 0;
		long retries = 0;
		for (int i = 0; i < SECONDS; i++) {
			if (second - this.slots.get(i * 3) < SECONDS) {
				attempts += this.slots.get(i * 3 + 1);
				retries += this.slots.get(i * 3 + 2);
			}
		}
		double allowed = Math.max(this.budget.ratio() * attempts, this.budget.minPerSecond() * (double) SECONDS);
		return retries < allowed;
	}

	private void add(long second, int field, long amount) {
		int slot = (int) (second % SECONDS) * 3;
		long stamp = this.slots.get(slot);
		if (stamp != second && this.slots.compareAndSet(slot, stamp, second)) {
			this.slots.set(slot + 1, 0);
			this.slots.set(slot + 2, 0);
		}
		this.slots.addAndGet(slot + field, amount);
	}

	@Override
	public int getOrder() {
		return PolicyOrder.RETRY_BUDGET;
	}

}
