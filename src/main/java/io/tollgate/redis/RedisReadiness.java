package io.tollgate.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Whether Redis may be used from a request. Spring Data Redis opens its shared connection on first use and
 * blocks the caller until it is up: that caller must never be a request on an event loop. So Tollgate connects
 * at startup (waiting a little on the startup thread), keeps trying in the background if Redis is not there, and
 * until then the stores that use Redis (rate limits, response cache) report it unavailable and degrade. Once
 * connected, Lettuce reconnects by itself and fails commands fast while it does.
 */
public class RedisReadiness {

	private static final Log logger = LogFactory.getLog(RedisReadiness.class);

	private final ReactiveStringRedisTemplate redis;

	private final Duration retryInterval;

	private final AtomicBoolean connected = new AtomicBoolean();

	private final AtomicBoolean started = new AtomicBoolean();

	public RedisReadiness(ReactiveStringRedisTemplate redis, Duration retryInterval) {
		this.redis = redis;
		this.retryInterval = retryInterval;
	}

	/** True once the shared connection exists. */
	public boolean isConnected() {
		return this.connected.get();
	}

	/** Connects, waiting up to {@code wait} on the calling (startup) thread; idempotent. */
	public void connect(Duration wait) {
		if (!this.started.compareAndSet(false, true)) {
			return;
		}
		CompletableFuture<String> ping = ping().toFuture();
		try {
			ping.get(wait.toMillis(), TimeUnit.MILLISECONDS);
			this.connected.set(true);
		}
		catch (Exception ex) {
			logger.warn("Redis not reachable at startup (" + ex + "); rate limits fall back to local counters and "
					+ "the response cache is bypassed until it is");
			retryLater();
		}
	}

	private Mono<String> ping() {
		return this.redis.execute((connection) -> connection.ping()).next().subscribeOn(Schedulers.boundedElastic());
	}

	private void retryLater() {
		Schedulers.boundedElastic()
			.schedule(() -> ping().subscribe((pong) -> {
				this.connected.set(true);
				logger.info("Redis reachable: shared rate limits and cache in use");
			}, (ex) -> retryLater()), this.retryInterval.toMillis(), TimeUnit.MILLISECONDS);
	}

}
