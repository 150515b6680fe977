package io.tollgate.ratelimit;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Runs {@code rate_limit.lua} in Redis: how the Redis store reaches Redis. Implementations send the script's SHA
 * ({@code EVALSHA}) and fall back to the script's text only when Redis answers NOSCRIPT (after a restart or a
 * {@code SCRIPT FLUSH}).
 */
interface LimitScript extends AutoCloseable {

	/** Whether Redis may be called now: connected, and the script loaded. */
	boolean isReady();

	/** Runs the script once; the reply is {@code rate_limit.lua}'s list of integers. */
	Mono<List<Long>> run(String[] keys, String[] args);

	/**
	 * Whether {@link #run} answers on the thread that called it when that thread is an event loop: then the
	 * caller need not hand the answer back to its loop.
	 */
	boolean answersOnCallingLoop();

	/** Closes connections of its own, if any. */
	@Override
	default void close() {
	}

}
