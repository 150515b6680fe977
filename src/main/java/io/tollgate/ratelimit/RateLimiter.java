package io.tollgate.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Decides through the configured store, and keeps traffic flowing when Redis does not: with
 * {@code fault-tolerant} a Redis error or a call slower than {@code redis-timeout} is answered by the local store
 * with the same limits, and for {@code redis-retry-interval} after a failure requests skip Redis altogether (so
 * an outage costs no request a timeout). The next request after that interval tries Redis again: recovery needs
 * no restart. A reload may change {@code fault-tolerant} and {@code redis-timeout} ({@link #reconfigure}); the
 * other settings are startup's ({@code sync} too: exact and batched counters are kept under different keys, so a
 * change of mode would start every quota again).
 */
public class RateLimiter {

	private static final Log logger = LogFactory.getLog(RateLimiter.class);

	private final RateLimitStore primary;

	private final LocalRateLimitStore local;

	/** Startup's settings: the store, the retry interval, the zone. */
	private final RateLimitProperties properties;

	/** The settings a reload may change, read once per request. */
	private volatile Settings settings;

	private final Clock clock;

	private final MeterRegistry meters;

	/** Whether the store's answers already arrive on the request's event loop (no hand-back needed). */
	private final boolean answersOnCallingLoop;

	/** When Redis last failed (epoch ms of the failing request's start, or of the last probe); 0 while healthy. */
	private final AtomicLong lastFailure = new AtomicLong();

	/** When the current outage began, for health details; 0 while healthy. */
	private volatile long failingSince;

	private final Map<String, Counter> fallbackCounters = new ConcurrentHashMap<>();

	/** Batched sync's store; null where batched routes are decided exactly. */
	private final BatchedRateLimitStore batched;

	private final SyncMode defaultSync;

	public RateLimiter(RateLimitStore primary, LocalRateLimitStore local, RateLimitProperties properties, Clock clock,
			MeterRegistry meters) {
		this(primary, local, properties, clock, meters, null);
	}

	public RateLimiter(RateLimitStore primary, LocalRateLimitStore local, RateLimitProperties properties, Clock clock,
			MeterRegistry meters, BatchedRateLimitStore batched) {
		this.primary = primary;
		this.local = local;
		this.properties = properties;
		this.clock = clock;
		this.meters = meters;
		this.answersOnCallingLoop = primary instanceof RedisRateLimitStore redis && redis.answersOnCallingLoop();
		this.batched = batched;
		this.defaultSync = properties.syncMode();
		this.settings = Settings.of(properties);
	}

	/** Puts a reloaded configuration's {@code fault-tolerant} and {@code redis-timeout} in force. */
	public void reconfigure(RateLimitProperties properties) {
		this.settings = Settings.of(properties);
	}

	/** True when counters are in Redis (shared by all replicas), false when they are this replica's. */
	public boolean usesRedis() {
		return this.primary != this.local;
	}

	/** True while Redis is failing and decisions fall back to the local store (or batched syncs fail). */
	public boolean isDegraded() {
		return this.lastFailure.get() != 0 || (this.batched != null && this.batched.isFailing());
	}

	public long failingSinceMs() {
		long since = this.failingSince;
		return (since != 0 || this.batched == null) ? since : this.batched.failingSinceMs();
	}

	/**
	 * Decides on one request under a route's sync mode: {@code batched} (with counters in Redis) decides in memory
	 * and never calls Redis (see {@link BatchedRateLimitStore}); {@code exact} is {@link #consume(String, String,
	 * List, Scheduler)}.
	 * @param sync the route's mode; null for {@code tollgate.rate-limiting.sync}
	 */
	public Mono<Outcome> consume(String routeId, String key, List<WindowLimit> limits, Scheduler scheduler,
			SyncMode sync) {
		SyncMode mode = (sync != null) ? sync : this.defaultSync;
		if (mode == SyncMode.BATCHED && this.batched != null && usesRedis()) {
			Decision decision = this.batched.decide(key, limits, this.clock.millis());
			if (this.batched.isFailing()) {
				countFallback(routeId, "sync");
				return Mono.just(new Outcome(decision, Source.FALLBACK));
			}
			return Mono.just(new Outcome(decision, Source.BATCHED));
		}
		return consume(routeId, key, limits, scheduler, this.settings);
	}

	/**
	 * Decides on one request in Redis (exact mode) and counts it if it passes. A failure that is not tolerated
	 * errors the Mono.
	 * @param scheduler where the Redis answer (or its timeout) is delivered: the exchange's event loop
	 */
	public Mono<Outcome> consume(String routeId, String key, List<WindowLimit> limits, Scheduler scheduler) {
		return consume(routeId, key, limits, scheduler, this.settings);
	}

	private Mono<Outcome> consume(String routeId, String key, List<WindowLimit> limits, Scheduler scheduler,
			Settings settings) {
		long now = this.clock.millis();
		if (!usesRedis()) {
			return this.local.consume(key, limits, now).map((decision) -> new Outcome(decision, Source.LOCAL));
		}
		if (settings.faultTolerant() && skipRedis(now)) {
			return fallback(routeId, key, limits, now, "degraded");
		}
		Mono<Decision> answer = this.primary.consume(key, limits, now)
			.timeout(settings.redisTimeout(), scheduler);
		if (!this.answersOnCallingLoop) {
			answer = answer.publishOn(scheduler);
		}
		return answer.map((decision) -> {
				succeeded(now);
				return new Outcome(decision, Source.REDIS);
			})
			.onErrorResume((ex) -> {
				failed(now, ex, settings);
				if (!settings.faultTolerant()) {
					return Mono.error(new StoreUnavailableException(ex));
				}
				return fallback(routeId, key, limits, now, (ex instanceof TimeoutException) ? "timeout" : "error");
			});
	}

	/** What the active store holds for a key, without counting (for the usage endpoint). */
	public Mono<Decision> peek(String key, List<WindowLimit> limits) {
		long now = this.clock.millis();
		if (usesRedis() && !isDegraded()) {
			return this.primary.peek(key, limits, now)
				.timeout(this.settings.redisTimeout().multipliedBy(10))
				.onErrorResume((ex) -> this.local.peek(key, limits, now));
		}
		return this.local.peek(key, limits, now);
	}

	private Mono<Outcome> fallback(String routeId, String key, List<WindowLimit> limits, long now, String reason) {
		countFallback(routeId, reason);
		return this.local.consume(key, limits, now).map((decision) -> new Outcome(decision, Source.FALLBACK));
	}

	/**
	 * While Redis is failing, requests skip it; once per {@code redis-retry-interval} one request (the one that
	 * wins the compare-and-set) probes it.
	 */
	private boolean skipRedis(long now) {
		long last = this.lastFailure.get();
		if (last == 0) {
			return false;
		}
		if (now - last < this.properties.redisRetryInterval().toMillis()) {
			return true;
		}
		return !this.lastFailure.compareAndSet(last, now);
	}

	private void failed(long start, Throwable ex, Settings settings) {
		this.lastFailure.accumulateAndGet(start, Math::max);
		if (this.failingSince == 0) {
			this.failingSince = start;
			logger.warn("Redis rate-limit store failed (" + ex + "); "
					+ (settings.faultTolerant() ? "limiting per replica with local counters until it answers"
							: "rate-limited routes answer 503 until it answers"));
		}
	}

	/**
	 * Only a request that started at or after the last failure (a probe, typically) proves Redis is back: a slow
	 * request from before the outage that completes late does not.
	 */
	private void succeeded(long start) {
		long last = this.lastFailure.get();
		if (last != 0 && start >= last && this.lastFailure.compareAndSet(last, 0)) {
			this.failingSince = 0;
			logger.info("Redis rate-limit store answers again; counters are shared across replicas again");
		}
	}

	private void countFallback(String routeId, String reason) {
		this.fallbackCounters
			.computeIfAbsent(routeId + '|' + reason,
					(k) -> this.meters.counter("tollgate.ratelimit.fallbacks", "route", routeId, "reason", reason))
			.increment();
	}

	/** The settings a reload may change. */
	private record Settings(boolean faultTolerant, Duration redisTimeout) {

		static Settings of(RateLimitProperties properties) {
			return new Settings(properties.faultTolerant(), properties.redisTimeout());
		}

	}

	/** Where a decision was made. */
	public enum Source {

		/** Redis, shared by all replicas. */
		REDIS,
		/** The local store, configured as the store. */
		LOCAL,
		/** The local store, because Redis failed; or, in batched mode, memory while syncs with Redis fail. */
		FALLBACK,
		/** This replica's memory, with counts synced with Redis every sync interval (batched mode). */
		BATCHED

	}

	/**
	 * A decision and where it was made.
	 *
	 * @param decision the decision
	 * @param source the store that made it
	 */
	public record Outcome(Decision decision, Source source) {
	}

	/** Redis failed and {@code fault-tolerant} is off. */
	public static class StoreUnavailableException extends RuntimeException {

		StoreUnavailableException(Throwable cause) {
			super("rate-limit store unavailable", cause);
		}

	}

}
