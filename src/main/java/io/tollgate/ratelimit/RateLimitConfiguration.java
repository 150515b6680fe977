package io.tollgate.ratelimit;

import java.time.Clock;
import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.redis.LoopBoundRedis;
import io.tollgate.redis.RedisReadiness;
import io.tollgate.redis.RedisUris;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.client.ReactorResourceFactory;

@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

	/**
	 * How long startup waits for Redis (connect, load the script, warm the path) before going on with local
	 * fallback counters and trying again in the background.
	 */
	private static final Duration STARTUP_WAIT = Duration.ofSeconds(5);

	@Bean
	LocalRateLimitStore localRateLimitStore(RateLimitProperties properties) {
		return new LocalRateLimitStore(properties.local().maxKeys(), properties.zone());
	}

	@Bean
	RateLimiter rateLimiter(RateLimitProperties properties, LocalRateLimitStore local,
			ObjectProvider<RedisRateLimitStore> redis, Environment environment, Clock clock, MeterRegistry meters,
			BatchedRateLimitStore batched) {
		RateLimitStore primary = usesRedis(properties, environment) ? redis.getObject() : local;
		return new RateLimiter(primary, local, properties, clock, meters, batched);
	}

	/**
	 * The Redis store, created only when the limiter uses Redis. A standalone Redis is reached through one
	 * connection per server event loop ({@link LoopBoundRedis}); Sentinel and Cluster through Spring Data Redis's
	 * shared connection. Either way the script is loaded before the first request: this bean is made while the
	 * context starts, before the server listens and before readiness reports UP.
	 */
	@Bean
	@Lazy
	RedisRateLimitStore redisRateLimitStore(RateLimitProperties properties,
			ObjectProvider<LettuceConnectionFactory> connectionFactory,
			ObjectProvider<ReactiveStringRedisTemplate> template, ObjectProvider<RedisReadiness> readiness,
			ObjectProvider<ReactorResourceFactory> resources) {
		LettuceConnectionFactory factory = connectionFactory.getIfAvailable();
		if (factory == null || template.getIfAvailable() == null) {
			throw new InvalidConfigurationException("tollgate.rate-limiting.store",
					"redis needs a Redis connection (spring.data.redis.*)");
		}
		LoopResources loops = serverLoops(resources);
		if (factory.getSentinelConfiguration() != null || factory.getClusterConfiguration() != null
				|| !LoopBoundRedis.canRunOn(loops)) {
			readiness.getObject().connect(Duration.ofSeconds(2));
			return new RedisRateLimitStore(new TemplateLimitScript(template.getObject(), readiness.getObject()),
					properties.zone());
		}
		LoopBoundLimitScript script = new LoopBoundLimitScript();
		LoopBoundRedis redis = new LoopBoundRedis(RedisUris.of(factory), RedisUris.clientOptions(factory), loops,
				properties.redisRetryInterval(), LoopBoundLimitScript::prepare);
		script.use(redis);
		redis.start(STARTUP_WAIT);
		return new RedisRateLimitStore(script, properties.zone());
	}

	/** Batched sync's counters; used only by batched routes, and only when counters live in Redis. */
	@Bean
	BatchedRateLimitStore batchedRateLimitStore(RateLimitProperties properties,
			ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<RedisReadiness> readiness, Clock clock,
			MeterRegistry meters, Environment environment) {
		// Syncs go through Spring Data Redis's shared connection, off the request path.
		if (usesRedis(properties, environment) && readiness.getIfAvailable() != null) {
			readiness.getObject().connect(Duration.ofSeconds(2));
		}
		return new BatchedRateLimitStore(redis.getIfAvailable(), readiness.getIfAvailable(), properties, clock, meters);
	}

	@Bean
	RateLimiterHealthIndicator rateLimiterHealthIndicator(RateLimiter limiter) {
		return new RateLimiterHealthIndicator(limiter);
	}

	@Bean
	RateLimitsEndpoint rateLimitsEndpoint(RateLimiter limiter, RouteLocator routes,
			RateLimitGatewayFilterFactory factory, ConsumerRegistry registry) {
		return new RateLimitsEndpoint(limiter, routes, factory, registry);
	}

	/**
	 * While Redis is disconnected, fail commands at once instead of queueing them for the reconnect: the limiter
	 * then falls back without waiting for its timeout.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected() {
		return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
	}

	/** The loops the HTTP server runs on: the context's resource factory's, else Reactor Netty's global ones. */
	private static LoopResources serverLoops(ObjectProvider<ReactorResourceFactory> resources) {
		ReactorResourceFactory resourceFactory = resources.getIfAvailable();
		return (resourceFactory != null) ? resourceFactory.getLoopResources() : HttpResources.get();
	}

	private static boolean usesRedis(RateLimitProperties properties, Environment environment) {
		return properties.store() == RateLimitProperties.StoreType.REDIS
				|| (properties.store() == RateLimitProperties.StoreType.AUTO && RedisUris.configured(environment));
	}

}
