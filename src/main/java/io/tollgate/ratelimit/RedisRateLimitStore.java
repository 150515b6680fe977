package io.tollgate.ratelimit;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Counters in Redis, shared by every replica: one {@code EVALSHA} of {@code rate_limit.lua} per request, for all
 * windows at once (Spring Data Redis sends the script's SHA and loads the script only when Redis answers
 * NOSCRIPT). Keys are {@code tollgate:rl:{<key>}:<window>}: the hash tag keeps one key's windows in one Redis
 * Cluster slot; every key carries a TTL.
 */
public class RedisRateLimitStore implements RateLimitStore {

	private static final Log logger = LogFactory.getLog(RedisRateLimitStore.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript
		.of(new ClassPathResource("io/tollgate/ratelimit/rate_limit.lua"), List.class);

	private final ReactiveStringRedisTemplate redis;

	private final QuotaPeriods periods;

	/**
	 * Spring Data Redis opens its shared connection on first use, blocking the caller until it is up: that must
	 * never be a request on an event loop. So the store connects at startup (and, if Redis is not there then, keeps
	 * trying in the background) and reports itself unavailable until connected. Once connected, Lettuce reconnects
	 * by itself.
	 */
	private final AtomicBoolean connected = new AtomicBoolean();

	private final Duration retryInterval;

	public RedisRateLimitStore(ReactiveStringRedisTemplate redis, ZoneId zone, Duration retryInterval) {
		this.redis = redis;
		this.periods = new QuotaPeriods(zone);
		this.retryInterval = retryInterval;
	}

	/** Opens the connection, waiting up to {@code wait} (startup thread); keeps trying in the background after. */
	void connect(Duration wait) {
		CompletableFuture<String> ping = ping().toFuture();
		try {
			ping.get(wait.toMillis(), TimeUnit.MILLISECONDS);
			this.connected.set(true);
		}
		catch (Exception ex) {
			logger.warn("Redis rate-limit store not reachable at startup (" + ex + "); limiting per replica until it is");
			retryLater();
		}
	}

	private Mono<String> ping() {
		return this.redis.execute((connection) -> connection.ping()).next().subscribeOn(Schedulers.boundedElastic());
	}

	private void retryLater() {
		Schedulers.boundedElastic()
			.schedule(() -> ping().subscribe((pong) -> this.connected.set(true), (ex) -> retryLater()),
					this.retryInterval.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs) {
		return run(key, limits, nowMs, true);
	}

	@Override
	public Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs) {
		return run(key, limits, nowMs, false);
	}

	@SuppressWarnings("unchecked")
	private Mono<Decision> run(String key, List<WindowLimit> limits, long now, boolean consume) {
		if (!this.connected.get()) {
			return Mono.error(new IllegalStateException("Redis is not connected yet"));
		}
		int n = limits.size();
		List<String> keys = new ArrayList<>(n);
		List<String> args = new ArrayList<>(2 + 4 * n);
		args.add(Long.toString(now));
		args.add(consume ? "1" : "0");
		String prefix = "tollgate:rl:{" + key + "}:";
		for (WindowLimit limit : limits) {
			Window window = limit.window();
			if (window.isSliding()) {
				keys.add(prefix + window.headerName());
				args.add("s");
				args.add(Long.toString(limit.limit()));
				args.add(Long.toString(window.lengthMs()));
				args.add(Long.toString(window.bucketMs()));
			}
			else {
				Window.Period period = this.periods.of(window, now);
				keys.add(prefix + window.headerName() + ":" + period.id());
				args.add("q");
				args.add(Long.toString(limit.limit()));
				args.add(Long.toString(period.endMs()));
				args.add("0");
			}
		}
		return this.redis.execute(SCRIPT, keys, args).next().map((reply) -> toDecision(limits, (List<Long>) reply));
	}

	private static Decision toDecision(List<WindowLimit> limits, List<Long> reply) {
		List<Decision.Usage> usages = new ArrayList<>(limits.size());
		for (int i = 0; i < limits.size(); i++) {
			WindowLimit limit = limits.get(i);
			usages.add(new Decision.Usage(limit.window(), limit.limit(), reply.get(1 + 2 * i), reply.get(2 + 2 * i)));
		}
		return new Decision(reply.get(0) == 1L, usages);
	}

}
