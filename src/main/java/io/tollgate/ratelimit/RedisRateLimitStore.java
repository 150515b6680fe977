package io.tollgate.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.tollgate.redis.RedisReadiness;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.StreamUtils;

/**
 * Counters in Redis, shared by every replica: one {@code EVALSHA} of {@code rate_limit.lua} per request, for all
 * windows at once (Spring Data Redis sends the script's SHA and loads the script only when Redis answers
 * NOSCRIPT). Keys are {@code tollgate:rl:{<key>}:<window>}: the hash tag keeps one key's windows in one Redis
 * Cluster slot; every key carries a TTL.
 */
public class RedisRateLimitStore implements RateLimitStore {

	// Loaded once as text: a script built on a Resource checks the resource's modification time on every call,
	// which inside a jar means a FileNotFoundException per request.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SCRIPT = RedisScript.of(load("io/tollgate/ratelimit/rate_limit.lua"),
			List.class);

	private final ReactiveStringRedisTemplate redis;

	private final QuotaPeriods periods;

	private final RedisReadiness readiness;

	public RedisRateLimitStore(ReactiveStringRedisTemplate redis, ZoneId zone, RedisReadiness readiness) {
		this.redis = redis;
		this.periods = new QuotaPeriods(zone);
		this.readiness = readiness;
	}

	private static String load(String path) {
		try (InputStream in = new ClassPathResource(path).getInputStream()) {
			return StreamUtils.copyToString(in, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + path, ex);
		}
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
		if (!this.readiness.isConnected()) {
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
