package io.tollgate.admin;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Throttles HTTP Basic logins on the management port per client address: each password check costs a bcrypt
 * hash (tens of ms of CPU), so unthrottled wrong tries would burn the proxy's CPU and allow brute force. A client
 * gets {@code max-failures} attempts with credentials per {@code window}, counted when they start (so parallel
 * tries count too) and forgiven by a successful login; beyond that it is answered 429 with {@code Retry-After},
 * without any password check, until its window ends. Requests without credentials pass (they cost no hash).
 * At most {@code max-clients} addresses are tracked (Caffeine evicts beyond that), so a flood of addresses cannot
 * grow the heap. It keys on the connection's address, never on a forwarded header: the management port is not
 * meant to sit behind the public load balancer.
 */
class AdminLoginThrottle implements WebFilter, Ordered {

	static final String REASON = "Too many failed login attempts";

	private final int maxFailures;

	private final long windowNanos;

	private final Ticker ticker;

	private final Cache<String, Attempts> clients;

	AdminLoginThrottle(AdminProperties.LoginThrottle settings) {
		this(settings, Ticker.systemTicker());
	}

	AdminLoginThrottle(AdminProperties.LoginThrottle settings, Ticker ticker) {
		this.maxFailures = settings.maxFailures();
		this.windowNanos = settings.window().toNanos();
		this.ticker = ticker;
		this.clients = Caffeine.newBuilder()
			.maximumSize(settings.maxClients())
			.expireAfter(new UntilWindowEnds(this.windowNanos))
			.ticker(ticker)
			.build();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
			return chain.filter(exchange);
		}
		String client = client(exchange);
		long now = this.ticker.read();
		Attempts attempts = this.clients.get(client, (key) -> new Attempts(now));
		if (attempts.count.incrementAndGet() > this.maxFailures) {
			long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(attempts.startedNanos + this.windowNanos - now + 999_999_999L));
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(left));
			return ProblemWriter.write(exchange, HttpStatus.TOO_MANY_REQUESTS, REASON);
		}
		return chain.filter(exchange).doOnSuccess((done) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			if (status != null && status.value() != HttpStatus.UNAUTHORIZED.value()) {
				// Logged in: earlier failures are forgiven.
				this.clients.asMap().remove(client, attempts);
			}
		});
	}

	/** Addresses tracked now (after pending evictions ran). */
	long trackedClients() {
		this.clients.cleanUp();
		return this.clients.estimatedSize();
	}

	private static String client(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		return (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "unknown";
	}

	@Override
	public int getOrder() {
		return PolicyOrder.ADMIN_LOGIN_THROTTLE;
	}

	private static final class Attempts {

		private final long startedNanos;

		private final AtomicInteger count = new AtomicInteger();

		Attempts(long startedNanos) {
			this.startedNanos = startedNanos;
		}

	}

	/** An address's attempts are counted for one window from its first attempt. */
	private record UntilWindowEnds(long windowNanos) implements Expiry<String, Attempts> {

		@Override
		public long expireAfterCreate(String key, Attempts value, long currentTime) {
			return this.windowNanos;
		}

		@Override
		public long expireAfterUpdate(String key, Attempts value, long currentTime, long currentDuration) {
			return currentDuration;
		}

		@Override
		public long expireAfterRead(String key, Attempts value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
