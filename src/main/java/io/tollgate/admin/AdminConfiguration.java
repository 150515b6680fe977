package io.tollgate.admin;

import java.time.Duration;
import java.util.Objects;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.KeyUsage;
import io.tollgate.consumer.RedisConsumerStore;
import io.tollgate.consumer.RuntimeConsumerSync;
import io.tollgate.consumer.RuntimeConsumers;
import io.tollgate.redis.RedisReadiness;
import io.tollgate.redis.RedisUris;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	ConsumersEndpoint consumersEndpoint(ConsumerRegistry registry) {
		return new ConsumersEndpoint(registry);
	}

	@Bean
	AdminUsers adminUsers(AdminProperties properties) {
		return new AdminUsers(properties);
	}

	/** Sampled {@code last_used_at} of keys; written to Redis by the runtime consumers' sync, when there is Redis. */
	@Bean
	KeyUsage keyUsage(AdminProperties properties, Environment environment) {
		positive(properties.syncInterval(), "tollgate.admin.sync-interval");
		positive(properties.keyUsageResolution(), "tollgate.admin.key-usage-resolution");
		return new KeyUsage(properties.keyUsageResolution().toMillis(), RedisUris.configured(environment));
	}

	private static void positive(Duration duration, String property) {
		if (duration.isNegative() || duration.isZero()) {
			throw new InvalidConfigurationException(property, "must be positive");
		}
	}

	/**
	 * The admin endpoints are secured on their own port; on the proxy port they would be open. So the two ports
	 * must differ (a random test port, 0, is fine).
	 */
	@Bean
	SmartInitializingSingleton managementPortCheck(Environment environment) {
		return () -> {
			Integer management = environment.getProperty("management.server.port", Integer.class);
			Integer server = environment.getProperty("server.port", Integer.class, 8080);
			if (management == null || (management != 0 && Objects.equals(management, server))) {
				throw new InvalidConfigurationException("management.server.port",
						"must be set and differ from server.port: admin endpoints are secured on their own port");
			}
		};
	}

	/**
	 * Consumers created through the Admin API: kept in Redis, so only where Redis is configured. The registry
	 * looks them up after the configured ones.
	 */
	@Configuration(proxyBeanMethods = false)
	@Conditional(RedisConfigured.class)
	static class RuntimeConsumersConfiguration {

		@Bean
		RedisConsumerStore redisConsumerStore(ReactiveStringRedisTemplate redis, RedisReadiness readiness) {
			// Connected here, on the startup thread: Spring Data Redis's first use blocks its caller.
			readiness.connect(Duration.ofSeconds(2));
			return new RedisConsumerStore(redis, Duration.ofSeconds(2));
		}

		@Bean
		RuntimeConsumers runtimeConsumers(ConsumerRegistry registry) {
			RuntimeConsumers runtime = new RuntimeConsumers(registry::planLimits);
			registry.attach(runtime);
			return runtime;
		}

		@Bean
		RuntimeConsumerSync runtimeConsumerSync(RedisConsumerStore store, RuntimeConsumers runtime, KeyUsage usage,
				AdminProperties properties) {
			return new RuntimeConsumerSync(store, runtime, usage, properties.syncInterval());
		}

	}

	static class RedisConfigured implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return RedisUris.configured(context.getEnvironment());
		}

	}

}
