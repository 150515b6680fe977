package io.tollgate.ratelimit;

import java.util.Arrays;
import java.util.List;

import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The limit script through Spring Data Redis's shared connection: for Redis Sentinel and Cluster, which the
 * per-loop connections do not speak. Spring Data Redis sends the SHA and loads the script on NOSCRIPT.
 */
final class TemplateLimitScript implements LimitScript {

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript.of(LimitScriptSource.TEXT, List.class);

	private final ReactiveStringRedisTemplate redis;

	private final RedisReadiness readiness;

	TemplateLimitScript(ReactiveStringRedisTemplate redis, RedisReadiness readiness) {
		this.redis = redis;
		this.readiness = readiness;
	}

	@Override
	public boolean isReady() {
		return this.readiness.isConnected();
	}

	@Override
	public boolean answersOnCallingLoop() {
		return false;
	}

	@Override
	@SuppressWarnings("unchecked")
	public Mono<List<Long>> run(String[] keys, String[] args) {
		return this.redis.execute(SCRIPT, Arrays.asList(keys), Arrays.asList(args)).next().map((reply) -> (List<Long>) reply);
	}

}
