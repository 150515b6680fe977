package io.tollgate.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.DisposableBean;

/**
 * One Redis connection per server event loop, living on that loop. A request asks for the connection of the
 * thread it runs on, so its command is written, answered and decoded on the request's own thread: no hand-off to
 * a Lettuce thread and back (two wake-ups and two queue hops per command with a shared connection). Each loop's
 * channel carries a {@link FlushConsolidationHandler}: commands written by the requests a loop serves in one
 * iteration leave in one write syscall.
 * <p>
 * Each connection has its own {@link RedisClient} whose "event loop group" is that one loop, so Lettuce's
 * reconnects stay on it too. The clients share one small executor and one timer (Lettuce would otherwise start a
 * pool per client). A thread that is not one of the loops (a test, a scheduled task) gets the connections in
 * turn.
 */
public class LoopBoundRedis implements DisposableBean {

	private static final Log logger = LogFactory.getLog(LoopBoundRedis.class);

	private final EventExecutorGroup executor = new DefaultEventExecutorGroup(1);

	private final HashedWheelTimer timer = new HashedWheelTimer();

	private final List<EventLoop> loops = new ArrayList<>();

	private final List<ClientResources> resources = new ArrayList<>();

	private final List<RedisClient> clients = new ArrayList<>();

	private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

	private final AtomicInteger next = new AtomicInteger();

	private volatile boolean closed;

	private final FastThreadLocal<RedisAsyncCommands<String, String>> own = new FastThreadLocal<>() {
		@Override
		protected RedisAsyncCommands<String, String> initialValue() {
			for (int i = 0; i < LoopBoundRedis.this.loops.size(); i++) {
				if (LoopBoundRedis.this.loops.get(i).inEventLoop()) {
					return LoopBoundRedis.this.connections.get(i).async();
				}
			}
			return null;
		}
	};

	private final RedisURI uri;

	private final Duration retryInterval;

	private final Function<LoopBoundRedis, CompletionStage<?>> prepare;

	private volatile boolean ready;

	/**
	 * @param uri where Redis is
	 * @param options Lettuce's client options (Spring Boot's, with its customizers)
	 * @param loops the server's loop resources: one connection on each of its server event loops, over the
	 * channel type those loops take (epoll or NIO, as the server chose)
	 * @param retryInterval after a failed connect, when to try again (in the background)
	 * @param prepare what must be done on fresh connections before any request uses them (loading scripts,
	 * warming the path); the connections count as ready once it completes
	 */
	public LoopBoundRedis(RedisURI uri, ClientOptions options, LoopResources loops, Duration retryInterval,
			Function<LoopBoundRedis, CompletionStage<?>> prepare) {
		this.uri = uri;
		this.retryInterval = retryInterval;
		this.prepare = prepare;
		EventLoopGroup group = loops.onServer(LoopResources.DEFAULT_NATIVE);
		for (EventExecutor executor : group) {
			ClientResources resources = resources((EventLoop) executor);
			RedisClient client = RedisClient.create(resources, uri);
			client.setOptions(options);
			this.loops.add((EventLoop) executor);
			this.resources.add(resources);
			this.clients.add(client);
		}
	}

	/**
	 * Connects once per loop and prepares the connections, waiting up to {@code wait} on the calling (startup)
	 * thread: so the gateway reports ready only once the Redis path is. If Redis is not there in time, keeps
	 * trying in the background every retry interval; {@link #isReady()} is false until then.
	 * @return whether the connections are ready
	 */
	public boolean start(Duration wait) {
		CompletableFuture<Void> attempt = attempt();
		try {
			attempt.get(wait.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (Exception ex) {
			logger.warn("Redis at " + this.uri.getHost() + ":" + this.uri.getPort() + " not ready at startup ("
					+ rootCause(ex) + "); trying again every " + this.retryInterval.toMillis() + " ms");
			attempt.whenComplete((done, failure) -> {
				if (failure != null) {
					retryLater();
				}
			});
			return false;
		}
	}

	private CompletableFuture<Void> attempt() {
		List<CompletableFuture<StatefulRedisConnection<String, String>>> pending = new ArrayList<>();
		for (RedisClient client : this.clients) {
			pending.add(client.connectAsync(StringCodec.UTF8, this.uri).toCompletableFuture());
		}
		return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenCompose((all) -> {
			synchronized (this.connections) {
				pending.forEach((connection) -> this.connections.add(connection.join()));
			}
			return this.prepare.apply(this);
		}).handle((done, failure) -> {
			if (failure != null) {
				pending.forEach((connection) -> connection.thenAccept(StatefulRedisConnection::closeAsync));
				synchronized (this.connections) {
					this.connections.clear();
				}
				throw (failure instanceof CompletionException completion) ? completion
						: new CompletionException(failure);
			}
			this.ready = true;
			return null;
		});
	}

	private void retryLater() {
		if (this.closed) {
			return;
		}
		this.executor.schedule(() -> attempt().whenComplete((done, failure) -> {
			if (failure == null) {
				logger.info("Redis ready: one connection per event loop (" + this.connections.size() + ")");
			}
			else {
				retryLater();
			}
		}), this.retryInterval.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static String rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return String.valueOf(cause);
	}

	/** True once every loop has its connection and it is prepared. */
	public boolean isReady() {
		return this.ready;
	}

	/**
	 * Whether Lettuce's transport (epoll or NIO, chosen by itself) can run on the server's loops: not when the
	 * server was told to use NIO while epoll is available, for example.
	 */
	public static boolean canRunOn(LoopResources loops) {
		EventLoopGroup group = loops.onServer(LoopResources.DEFAULT_NATIVE);
		return loops.onChannelClass(SocketChannel.class, group).equals(Transports.socketChannelClass());
	}

	private ClientResources resources(EventLoop loop) {
		return ClientResources.builder()
			.eventLoopGroupProvider(new OneLoop(loop))
			.eventExecutorGroup(this.executor)
			.timer(this.timer)
			.commandLatencyRecorder(CommandLatencyRecorder.disabled())
			.nettyCustomizer(new ConsolidateFlushes())
			.build();
	}

	/** The connection of the calling thread's event loop (or, off the loops, the next one in turn). */
	public RedisAsyncCommands<String, String> commands() {
		if (!this.ready) {
			throw new IllegalStateException("Redis is not connected yet");
		}
		RedisAsyncCommands<String, String> commands = this.own.get();
		if (commands != null) {
			return commands;
		}
		return this.connections.get(Math.floorMod(this.next.getAndIncrement(), this.connections.size())).async();
	}

	/** Every connection, for work that must reach all of them before they are ready (loading a script). */
	public List<RedisAsyncCommands<String, String>> all() {
		synchronized (this.connections) {
			return this.connections.stream().map(StatefulRedisConnection::async).toList();
		}
	}

	@Override
	public void destroy() {
		this.closed = true;
		this.ready = false;
		synchronized (this.connections) {
			this.connections.forEach(StatefulRedisConnection::close);
		}
		this.clients.forEach((client) -> client.shutdown(0, 2, TimeUnit.SECONDS));
		this.resources.forEach((resources) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
		this.executor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
		this.timer.stop();
	}

	/**
	 * Lettuce's view of one event loop it does not own: every channel is registered on it, and releasing or
	 * shutting down the client leaves it running (it belongs to the HTTP server).
	 */
	private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

		@Override
		@SuppressWarnings("unchecked")
		public <T extends EventLoopGroup> T allocate(Class<T> type) {
			return (T) this.loop;
		}

		@Override
		public int threadPoolSize() {
			return 1;
		}

		@Override
		public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
			return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
		}

		@Override
		public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
			return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
		}

	}

	/**
	 * Flushes once per loop iteration rather than once per command: a command written outside a read of this
	 * channel (from a request being served on the loop) is flushed by a task that runs after the iteration's
	 * other requests wrote theirs.
	 */
	private static final class ConsolidateFlushes implements NettyCustomizer {

		@Override
		public void afterChannelInitialized(Channel channel) {
			channel.pipeline()
				.addFirst(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
						true));
		}

	}

}
