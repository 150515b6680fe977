package io.tollgate.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.redis.RedisReadiness;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Batched sync ({@code tollgate.rate-limiting.sync: batched}, or {@code sync: batched} on a route), as Kong's
 * {@code sync_rate} and Envoy's or Gubernator's global limits: every request is decided in this replica's memory,
 * without a Redis call, from the global counts learnt at the last sync plus this replica's own counts since (see
 * {@link BatchedCounters}). Every {@code sync-interval} a background thread sends, for each key decided on since
 * the last sync, the counts this replica added and reads back the global totals: one {@code batched_sync.lua} call
 * per key, all pipelined on Lettuce's shared connection (one round trip per sync, not one per key, and none on a
 * request's path or an event loop).
 *
 * <p>
 * Windows and limits are those of exact mode, on the same buckets ({@link Window#BUCKETS} per sliding window, so a
 * request counts for one window length rounded up to a bucket; calendar periods for quotas). Redis keys are
 * {@code tollgate:rl:{<key>}:batched:<Window>} (sliding) and {@code tollgate:rl:{<key>}:batched:<Window>:<period>}
 * (quotas), with the same hash tag as exact mode, so a key's windows share one Cluster slot, and never the same
 * names: switching a route between modes starts it with fresh counts. Every key carries a TTL.
 *
 * <p>
 * <b>How far the limit can be exceeded.</b> A replica admits a request only while {@code known + own < limit},
 * where {@code own} holds every request it admitted that its last sync did not yet return. What it cannot see are
 * other replicas' requests that reached Redis after its last sync, or have not reached it yet: a replica's sync
 * runs at most {@code T = sync-interval} (plus the time a sync takes, {@code d}) after the last, so every other
 * replica's blind spot is at most {@code B = 2 x (T + d)} long. Hence, for a key that each replica keeps receiving
 * traffic for: <em>in any window, the replicas together admit at most {@code limit + (R - 1) x r x B} requests</em>,
 * where R is the number of replicas and r the most requests one replica admits per second for that key. Put per
 * interval: with each replica admitting at most n requests per sync interval, at most {@code limit + 2 x (R - 1)
 * x n} (plus what arrives during the sync round trips). One replica alone never exceeds the limit. A replica that
 * sees a key for the first time, or again after a pause longer than one interval, decides on its last view of
 * that key until its next sync (at most {@code T + d} later). Exact mode has none of this overshoot; batched
 * trades it for no Redis latency on requests and one Redis call per key per interval instead of one per request.
 *
 * <p>
 * <b>Redis failing.</b> Never unlimited: a failed sync keeps its counts for the next one, so the replica goes on
 * enforcing the full limit on its own counts plus the global counts it last knew (which leave their windows as
 * time passes), and every decision meanwhile is counted as a fallback. Syncs are retried every
 * {@code redis-retry-interval}; the first that succeeds sends everything counted during the outage. A sync that
 * does not answer within {@link #syncTimeout} is treated as failed; if Redis did apply it late, those requests are
 * counted twice, which errs towards limiting.
 *
 * <p>
 * Bounded: at most {@code local.max-keys} keys are held (Caffeine evicts the least used beyond it; an evicted
 * key's unsent counts are sent at the next sync if Redis answers, and dropped if not), and at most as many wait
 * for a sync.
 */
public class BatchedRateLimitStore implements RateLimitStore, AutoCloseable {

	private static final Log logger = LogFactory.getLog(BatchedRateLimitStore.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript.of(LimitScriptSource.load("io/tollgate/ratelimit/batched_sync.lua"),
			List.class);

	/** Keys synced at once (in flight on the connection) per sync. */
	private static final int CONCURRENCY = 256;

	private final ReactiveStringRedisTemplate redis;

	private final RedisReadiness readiness;

	private final Clock clock;

	private final QuotaPeriods periods;

	private final Cache<String, BatchedCounters> counters;

	private final long maxQueued;

	private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queuedCount = new AtomicInteger();

	private final Duration interval;

	private final Duration retryInterval;

	private final Duration syncTimeout;

	private final AtomicBoolean syncing = new AtomicBoolean();

	private final AtomicBoolean started = new AtomicBoolean();

	private final Counter succeeded;

	private final Counter failed;

	private volatile Scheduler scheduler;

	private volatile Disposable ticks;

	/** When syncs started failing (epoch ms); 0 while they succeed. */
	private volatile long failingSince;

	/** While failing, no sync is tried before this time. */
	private volatile long retryAtMs;

	/**
	 * @param redis the shared template; null where there is no Redis (every sync then fails)
	 * @param readiness whether the template's connection is up: syncs are not tried before it is (connecting is
	 * the Redis store's startup work, see {@link RedisReadiness})
	 */
	public BatchedRateLimitStore(ReactiveStringRedisTemplate redis, RedisReadiness readiness,
			RateLimitProperties properties, Clock clock, MeterRegistry meters) {
		this.redis = redis;
		this.readiness = readiness;
		this.clock = clock;
		this.periods = new QuotaPeriods(properties.zone());
		this.maxQueued = properties.local().maxKeys();
		this.counters = Caffeine.newBuilder()
			.maximumSize(properties.local().maxKeys())
			.expireAfter(new UntilIrrelevant())
			.build();
		this.interval = properties.syncInterval();
		this.retryInterval = properties.redisRetryInterval();
		this.syncTimeout = syncTimeout(this.interval);
		this.succeeded = Counter.builder("tollgate.ratelimit.syncs")
			.description("Batched rate-limit syncs with Redis")
			.tag("outcome", "success")
			.register(meters);
		this.failed = Counter.builder("tollgate.ratelimit.syncs")
			.description("Batched rate-limit syncs with Redis")
			.tag("outcome", "failure")
			.register(meters);
	}

	/** The longest a sync may take before it counts as failed: five intervals, at least a second. */
	static Duration syncTimeout(Duration interval) {
		Duration five = interval.multipliedBy(5);
		return (five.compareTo(Duration.ofSeconds(1)) > 0) ? five : Duration.ofSeconds(1);
	}

	@Override
	public Mono<Decision> consume(String key, List<WindowLimit> limits, long nowMs) {
		return Mono.just(decide(key, limits, nowMs));
	}

	@Override
	public Mono<Decision> peek(String key, List<WindowLimit> limits, long nowMs) {
		BatchedCounters existing = this.counters.getIfPresent(key);
		return Mono.just(((existing != null) ? existing : new BatchedCounters()).decide(limits, nowMs, this.periods,
				false));
	}

	/** Decides on one request and counts it if it passes; never waits, never calls Redis. */
	public Decision decide(String key, List<WindowLimit> limits, long nowMs) {
		// A read, not a re-insert: Caffeine recomputes the lifetime on every read (expireAfterRead below), through
		// its lossy read buffer. A put per request went through the write buffer instead, and one hot key's writes
		// from every event loop contended on it: batched mode ran at half the throughput of exact mode.
		BatchedCounters entry = this.counters.get(key, (k) -> new BatchedCounters());
		Decision decision = entry.decide(limits, nowMs, this.periods, true);
		enqueue(key, entry);
		startSyncing();
		return decision;
	}

	/** True while syncs with Redis fail: decisions are then this replica's counts plus the last known totals. */
	public boolean isFailing() {
		return this.failingSince != 0;
	}

	public long failingSinceMs() {
		return this.failingSince;
	}

	/** How many keys are held now (after pending evictions ran). */
	public long trackedKeys() {
		this.counters.cleanUp();
		return this.counters.estimatedSize();
	}

	private void enqueue(String key, BatchedCounters entry) {
		if (entry.queued.compareAndSet(false, true)) {
			if (this.queuedCount.incrementAndGet() > this.maxQueued) {
				this.queuedCount.decrementAndGet();
				entry.queued.set(false);
				return;
			}
			this.queue.add(new Queued(key, entry));
		}
	}

	/** The sync thread starts with the first batched decision: a gateway without batched routes has none. */
	private void startSyncing() {
		if (!this.started.get() && this.started.compareAndSet(false, true)) {
			this.scheduler = Schedulers.newSingle("tollgate-ratelimit-sync", true);
			long ms = this.interval.toMillis();
			this.ticks = this.scheduler.schedulePeriodically(this::sync, ms, ms, TimeUnit.MILLISECONDS);
		}
	}

	/** One sync: every key decided on since the last, one pipelined round trip. At most one runs at a time. */
	void sync() {
		if (!this.syncing.compareAndSet(false, true)) {
			return;
		}
		boolean handedOff = false;
		try {
			long now = this.clock.millis();
			if (this.failingSince != 0 && now < this.retryAtMs) {
				return;
			}
			List<Queued> batch = drain();
			if (batch.isEmpty()) {
				return;
			}
			if (this.redis == null || this.readiness == null || !this.readiness.isConnected()) {
				batch.forEach(this::requeue);
				failed(now, "Redis is not connected");
				return;
			}
			List<Sending> sending = new ArrayList<>(batch.size());
			for (Queued queued : batch) {
				BatchedCounters.Delta delta = queued.counters().takeDelta(now);
				if (delta != null) {
					sending.add(new Sending(queued, delta));
				}
			}
			AtomicReference<Throwable> error = new AtomicReference<>();
			handedOff = true;
			Flux.fromIterable(sending)
				.flatMap((s) -> Mono.defer(() -> send(s, now)).onErrorResume((ex) -> {
					error.compareAndSet(null, ex);
					s.queued().counters().restore(s.delta());
					requeue(s.queued());
					return Mono.just(Boolean.FALSE);
				}), CONCURRENCY)
				.then(Mono.fromRunnable(() -> {
					if (error.get() == null) {
						succeeded();
					}
					else {
						failed(now, error.get().toString());
					}
				}))
				.doFinally((signal) -> this.syncing.set(false))
				.subscribe(null, (ex) -> logger.warn("Batched rate-limit sync failed", ex));
		}
		catch (RuntimeException ex) {
			logger.warn("Batched rate-limit sync failed", ex);
		}
		finally {
			if (!handedOff) {
				this.syncing.set(false);
			}
		}
	}

	@SuppressWarnings("unchecked")
	private Mono<Boolean> send(Sending sending, long now) {
		String prefix = "tollgate:rl:{" + sending.queued().key() + "}:batched:";
		List<BatchedCounters.Delta.Part> parts = sending.delta().parts();
		List<String> keys = new ArrayList<>(parts.size());
		List<String> args = new ArrayList<>();
		args.add(Long.toString(now));
		for (BatchedCounters.Delta.Part part : parts) {
			Window window = part.window();
			if (window.isSliding()) {
				keys.add(prefix + window.headerName());
				args.add("s");
				args.add(Long.toString(window.bucketMs()));
				args.add(Integer.toString(Window.BUCKETS));
				args.add(Integer.toString(part.buckets().length / 2));
				for (long value : part.buckets()) {
					args.add(Long.toString(value));
				}
			}
			else {
				keys.add(prefix + window.headerName() + ":" + part.periodId());
				args.add("q");
				args.add(Long.toString(part.periodEndMs()));
				args.add(Long.toString(part.count()));
			}
		}
		return this.redis.execute(SCRIPT, keys, args).next().timeout(this.syncTimeout).map((reply) -> {
			sending.queued().counters().merge(sending.delta(), (List<Long>) reply);
			return Boolean.TRUE;
		});
	}

	private List<Queued> drain() {
		List<Queued> batch = new ArrayList<>();
		for (Queued queued = this.queue.poll(); queued != null; queued = this.queue.poll()) {
			this.queuedCount.decrementAndGet();
			// Cleared before its delta is taken: a request counted after that queues the key again.
			queued.counters().queued.set(false);
			batch.add(queued);
		}
		return batch;
	}

	/** After a failure, a key still held waits for the next sync; an evicted one is dropped. */
	private void requeue(Queued queued) {
		if (this.counters.getIfPresent(queued.key()) == queued.counters()) {
			enqueue(queued.key(), queued.counters());
		}
	}

	private void succeeded() {
		this.succeeded.increment();
		if (this.failingSince != 0) {
			this.failingSince = 0;
			logger.info("Batched rate-limit syncs with Redis succeed again; replicas share their counts again");
		}
	}

	private void failed(long now, String why) {
		this.failed.increment();
		this.retryAtMs = now + this.retryInterval.toMillis();
		if (this.failingSince == 0) {
			this.failingSince = now;
			logger.warn("Batched rate-limit sync with Redis failed (" + why + "); each replica limits on its own "
					+ "counts plus the last known totals until a sync succeeds");
		}
	}

	@Override
	public void close() {
		Disposable ticks = this.ticks;
		if (ticks != null) {
			ticks.dispose();
		}
		Scheduler scheduler = this.scheduler;
		if (scheduler != null) {
			scheduler.dispose();
		}
	}

	private record Queued(String key, BatchedCounters counters) {
	}

	private record Sending(Queued queued, BatchedCounters.Delta delta) {
	}

	/**
	 * Each entry lives for the time its counts still matter, measured from its last use. On a read the lifetime is
	 * the one the previous decision left (the same for the same limits; a new entry's is an hour), so an entry is
	 * never dropped while its counts matter.
	 */
	private static final class UntilIrrelevant implements Expiry<String, BatchedCounters> {

		@Override
		public long expireAfterCreate(String key, BatchedCounters value, long currentTime) {
			return TimeUnit.MILLISECONDS.toNanos(Math.max(value.lifetimeMs, 1));
		}

		@Override
		public long expireAfterUpdate(String key, BatchedCounters value, long currentTime, long currentDuration) {
			return TimeUnit.MILLISECONDS.toNanos(Math.max(value.lifetimeMs, 1));
		}

		@Override
		public long expireAfterRead(String key, BatchedCounters value, long currentTime, long currentDuration) {
			return TimeUnit.MILLISECONDS.toNanos(Math.max(value.lifetimeMs, 1));
		}

	}

}
