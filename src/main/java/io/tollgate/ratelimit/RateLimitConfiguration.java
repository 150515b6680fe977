package io.tollgate.ratelimit;

import java.time.Clock;
import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.redis.RedisReadiness;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

	@Bean
	LocalRateLimitStore localRateLimitStore(RateLimitProperties properties) {
		return new LocalRateLimitStore(properties.local().maxKeys(), properties.zone());
	}

	@Bean
	RateLimiter rateLimiter(RateLimitProperties properties, LocalRateLimitStore local,
			ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<RedisReadiness> readiness,
			Environment environment, Clock clock, MeterRegistry meters, BatchedRateLimitStore batched) {
		boolean useRedis = properties.store() == RateLimitProperties.StoreType.REDIS
				|| (properties.store() == RateLimitProperties.StoreType.AUTO && redisConfigured(environment));
		RateLimitStore primary = useRedis ? redisStore(redis, readiness.getObject(), properties) : local;
		return new RateLimiter(primary, local, properties, clock, meters, batched);
	}


	/** Batched sync's counters; used only by batched routes, and only when counters live in Redis. */
	@Bean
	BatchedRateLimitStore batchedRateLimitStore(RateLimitProperties properties,
			ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<RedisReadiness> readiness, Clock clock,
			MeterRegistry meters) {
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

	private static RateLimitStore redisStore(ObjectProvider<ReactiveStringRedisTemplate> redis,
			RedisReadiness readiness, RateLimitProperties properties) {
		ReactiveStringRedisTemplate template = redis.getIfAvailable();
		if (template == null) {
			throw new InvalidConfigurationException("tollgate.rate-limiting.store",
					"redis needs a Redis connection (spring.data.redis.*)");
		}
		readiness.connect(Duration.ofSeconds(2));
		return new RedisRateLimitStore(template, properties.zone(), readiness);
	}

	/** A Redis connection counts as configured when any of Spring Data Redis's address properties is set. */
	static boolean redisConfigured(Environment environment) {
		return environment.containsProperty("spring.data.redis.host")
				|| environment.containsProperty("spring.data.redis.url")
				|| environment.containsProperty("spring.data.redis.cluster.nodes")
				|| environment.containsProperty("spring.data.redis.sentinel.nodes");
	}

}
