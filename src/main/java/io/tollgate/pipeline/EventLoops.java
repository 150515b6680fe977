package io.tollgate.pipeline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The Netty event loop that serves an exchange, as a Reactor scheduler. A policy that waits on Redis gets its
 * answer on Lettuce's own thread; carrying on there would proxy the request from a foreign thread and hand the
 * response back to the client's loop, one more thread hop each way. Publishing on this scheduler brings the rest
 * of the chain home in one hop, and timeouts on it use the loop's own timer instead of a shared scheduler thread.
 */
public final class EventLoops {

	private static final Map<EventLoop, Scheduler> SCHEDULERS = new ConcurrentHashMap<>();

	private EventLoops() {
	}

	/** The exchange's event loop; {@link Schedulers#parallel()} where there is none (a mock or non-Netty server). */
	public static Scheduler of(ServerWebExchange exchange) {
		EventLoop loop = eventLoop(exchange.getRequest());
		if (loop == null) {
			return Schedulers.parallel();
		}
		Scheduler scheduler = SCHEDULERS.get(loop);
		return (scheduler != null) ? scheduler
				: SCHEDULERS.computeIfAbsent(loop, (key) -> Schedulers.fromExecutorService(key, "tollgate-loop"));
	}

	private static EventLoop eventLoop(ServerHttpRequest request) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		return (nativeRequest instanceof Connection connection) ? connection.channel().eventLoop() : null;
	}

}
