package io.tollgate.consumer;

import java.time.Duration;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Keeps this replica's {@link RuntimeConsumers} equal to Redis. At startup it reads them all (before the server
 * takes traffic); then each change published by any replica is applied within a round trip (the consumer is read
 * again). Changes carry the version counter: a replica that finds a gap, or that Redis's counter has moved past
 * it for longer than one tick (a message lost while the subscription reconnected), reloads everything. The same
 * tick writes the sampled {@code last_used_at} of keys ({@link KeyUsage}). Everything runs in one sequence, on one
 * thread of its own, never on a request's event loop.
 */
public class RuntimeConsumerSync implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

	private static final Log logger = LogFactory.getLog(RuntimeConsumerSync.class);

	/** How long startup waits for the first full read before going on (and retrying each tick). */
	private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

	/** The longest a full read may take. */
	private static final Duration RELOAD_WAIT = Duration.ofSeconds(60);

	private final RedisConsumerStore store;

	private final RuntimeConsumers consumers;

	private final KeyUsage usage;

	private final Duration tick;

	private final Scheduler scheduler = Schedulers.newSingle("tollgate-consumer-sync", true);

	/** The version the copy is complete up to; -1 before the first full read. Sync thread only, once running. */
	private volatile long applied = -1;

	/** Redis's version at the previous tick: a copy still behind it a tick later missed a change. */
	private long seenAtLastTick = -1;

	/** A change came with a gap in the versions: reload at the next tick. */
	private boolean gap;

	/** The last event failed (Redis unreachable): the next success is logged. */
	private boolean failing;

	private volatile Disposable running;

	/** Reloads asked for from outside the sequence ({@link #reloadSoon}), handled in it. */
	private final Sinks.Many<Object> requests = Sinks.many().unicast().onBackpressureBuffer();

	private static final Object RELOAD = new Object();

	public RuntimeConsumerSync(RedisConsumerStore store, RuntimeConsumers consumers, KeyUsage usage, Duration tick) {
		this.store = store;
		this.consumers = consumers;
		this.usage = usage;
		this.tick = tick;
	}

	@Override
	public void start() {
		// After a lost subscription (Redis restarted, say), subscribe again; a change missed meanwhile is healed by
		// the version check.
		Flux<RedisConsumerStore.Change> again = Flux.defer(() -> this.store.changes().flatMapMany((flux) -> flux))
			.doOnError((ex) -> logger.debug("Runtime consumers: change notifications interrupted: " + ex))
			.retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofSeconds(1)))
			.repeatWhen((ends) -> ends.delayElements(Duration.ofSeconds(1)));
		Flux<RedisConsumerStore.Change> changes = again;
		try {
			// Subscribed before the first read: a change made during the read is applied after it, not lost.
			Flux<RedisConsumerStore.Change> first = this.store.changes().block(Duration.ofSeconds(5));
			changes = first.onErrorResume((ex) -> Flux.empty()).concatWith(again);
			reload().block(STARTUP_WAIT);
			logger.info(this.consumers.size() + " runtime consumers loaded from Redis (version " + this.applied + ")");
		}
		catch (RuntimeException ex) {
			logger.warn("Runtime consumers not loaded from Redis at startup (" + ex
					+ "); their keys are refused until Redis answers (retried every " + this.tick.toSeconds() + " s)");
		}
		// A tick that comes while the last one is still being handled (Redis slow) is dropped, not queued.
		Flux<Object> events = Flux.merge(changes,
				Flux.interval(this.tick, this.tick, this.scheduler).onBackpressureDrop(), this.requests.asFlux());
		this.running = events.publishOn(this.scheduler)
			.concatMap((event) -> handle(event).doOnSuccess((done) -> recovered()).onErrorResume((ex) -> {
				failed(ex);
				return Mono.empty();
			}))
			.subscribe(null, (ex) -> logger.error("Runtime consumers: sync stopped", ex));
	}

	/** Logged once per outage, not at every tick. */
	private void failed(Throwable ex) {
		if (!this.failing) {
			this.failing = true;
			logger.warn("Runtime consumers: cannot sync with Redis (" + ex + "); the copy in memory keeps serving, "
					+ "retried every " + this.tick.toMillis() + " ms");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Runtime consumers: sync failed again: " + ex);
		}
	}

	private void recovered() {
		if (this.failing) {
			this.failing = false;
			logger.info("Runtime consumers: Redis answers again (" + this.consumers.size() + " runtime consumers)");
		}
	}

	private Mono<Void> handle(Object event) {
		if (event instanceof RedisConsumerStore.Change change) {
			return apply(change);
		}
		if (event == RELOAD) {
			return reload();
		}
		return flushUsage().then(checkVersion());
	}

	private Mono<Void> apply(RedisConsumerStore.Change change) {
		if (this.applied >= 0 && change.version() <= this.applied) {
			return Mono.empty(); // the full read that set applied already saw it
		}
		boolean next = this.applied >= 0 && change.version() == this.applied + 1;
		if (!next) {
			this.gap = true;
		}
		return this.store.get(change.username())
			.doOnNext(this.consumers::put)
			.switchIfEmpty(Mono.fromRunnable(() -> this.consumers.remove(change.username())))
			.then(Mono.fromRunnable(() -> {
				if (next) {
					this.applied = change.version(); // only once applied: a failed read is a gap, healed by a reload
				}
			}))
			.doOnError((ex) -> this.gap = true)
			.then();
	}

	private Mono<Void> checkVersion() {
		return this.store.version().flatMap((now) -> {
			boolean behind = this.applied < this.seenAtLastTick || now < this.applied;
			this.seenAtLastTick = now;
			if (this.applied < 0 || this.gap || behind) {
				return reload();
			}
			return Mono.empty();
		});
	}

	/** Reads every runtime consumer and swaps the copy; the version is read first, so the copy holds at least it. */
	private Mono<Void> reload() {
		return this.store.version()
			.flatMap((version) -> this.store.all().collectList().timeout(RELOAD_WAIT).doOnNext((all) -> {
				this.consumers.replaceAll(all);
				this.applied = version;
				this.gap = false;
			}))
			.then();
	}

	private Mono<Void> flushUsage() {
		Map<String, Long> batch = this.usage.drain(System.currentTimeMillis());
		return batch.isEmpty() ? Mono.empty() : this.store.recordLastUsed(batch).then();
	}

	/** Reloads now, off the request path: after a configuration reload changed plans, say. */
	public void reloadSoon() {
		if (this.requests.tryEmitNext(RELOAD).isFailure()) {
			logger.warn("Runtime consumers: cannot reload now (sync stopped); they keep their plans' old limits");
		}
	}

	/** True once the consumers were read from Redis. */
	public boolean loaded() {
		return this.applied >= 0;
	}

	/**
	 * Stops as the context starts closing: Lettuce's connection factory, a lifecycle of a later phase, stops before
	 * this one would, and the sync would retry against a stopped factory meanwhile.
	 */
	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		if (event.getApplicationContext().getParent() == null) {
			stop();
		}
	}

	@Override
	public void stop() {
		Disposable running = this.running;
		if (running != null) {
			running.dispose();
		}
		this.scheduler.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.running != null && !this.running.isDisposed();
	}

	/** Before the web server starts (which is at phase {@code DEFAULT_PHASE - 1024}): no request before the read. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE + 1000;
	}

}
