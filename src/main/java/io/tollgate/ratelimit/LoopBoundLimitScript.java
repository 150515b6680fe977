package io.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.tollgate.redis.LoopBoundRedis;
import reactor.core.publisher.Mono;

/**
 * The limit script on the connection of the request's own event loop ({@link LoopBoundRedis}): written, answered
 * and decoded on the request's thread. Before the connections count as ready, {@link #prepare} loads the script
 * on each ({@code SCRIPT LOAD}) and runs it a few hundred times read-only, so neither the first requests after a
 * deploy nor a cold JIT push a call past the limiter's timeout into the local fallback.
 */
final class LoopBoundLimitScript implements LimitScript {

	/** Read-only runs per connection before it serves requests. */
	static final int WARM_UP_CALLS = 200;

	private volatile LoopBoundRedis redis;

	/** Set once, right after construction: the connections call back into {@link #prepare}. */
	void use(LoopBoundRedis redis) {
		this.redis = redis;
	}

	@Override
	public boolean isReady() {
		LoopBoundRedis current = this.redis;
		return current != null && current.isReady();
	}

	@Override
	public boolean answersOnCallingLoop() {
		return true;
	}

	@Override
	@SuppressWarnings("unchecked")
	public Mono<List<Long>> run(String[] keys, String[] args) {
		RedisAsyncCommands<String, String> commands = this.redis.commands();
		CompletionStage<List<Long>> reply = commands
			.<List<Long>>evalsha(LimitScriptSource.SHA1, ScriptOutputType.MULTI, keys, args)
			.exceptionallyCompose((ex) -> (ex instanceof RedisNoScriptException || ex.getCause() instanceof RedisNoScriptException)
					? commands.<List<Long>>eval(LimitScriptSource.TEXT, ScriptOutputType.MULTI, keys, args)
					: CompletableFuture.failedFuture(ex));
		return Mono.fromCompletionStage(reply);
	}

	@Override
	public void close() {
		LoopBoundRedis current = this.redis;
		if (current != null) {
			current.destroy();
		}
	}

	/** Loads the script on every connection, then warms each with read-only runs. */
	static CompletionStage<?> prepare(LoopBoundRedis redis) {
		List<CompletableFuture<?>> loaded = new ArrayList<>();
		for (RedisAsyncCommands<String, String> commands : redis.all()) {
			loaded.add(commands.scriptLoad(LimitScriptSource.TEXT).toCompletableFuture().thenCompose((sha) -> {
				if (!LimitScriptSource.SHA1.equals(sha)) {
					throw new IllegalStateException("Redis named the limit script " + sha + ", expected "
							+ LimitScriptSource.SHA1);
				}
				return warm(commands);
			}));
		}
		return CompletableFuture.allOf(loaded.toArray(CompletableFuture[]::new));
	}

	private static CompletableFuture<?> warm(RedisAsyncCommands<String, String> commands) {
		String[] keys = { "tollgate:rl:{warm-up}:second" };
		String[] args = { "0", "0", "s", "1", "1000", "100" };
		CompletableFuture<?>[] runs = new CompletableFuture<?>[WARM_UP_CALLS];
		for (int i = 0; i < WARM_UP_CALLS; i++) {
			args[0] = Long.toString(System.currentTimeMillis());
			runs[i] = commands.evalsha(LimitScriptSource.SHA1, ScriptOutputType.MULTI, keys, args.clone())
				.toCompletableFuture();
		}
		return CompletableFuture.allOf(runs);
	}

}
