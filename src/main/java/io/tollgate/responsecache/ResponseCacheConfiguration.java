package io.tollgate.responsecache;

import java.time.Duration;

import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.redis.RedisReadiness;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.StringRedisSerializer;

@Configuration(proxyBeanMethods = false)
class ResponseCacheConfiguration {

	@Bean
	ResponseCacheStore responseCacheStore(ResponseCacheProperties properties,
			ObjectProvider<ReactiveRedisConnectionFactory> redis, ObjectProvider<RedisReadiness> readiness,
			MeterRegistry meters, java.time.Clock clock) {
		if (properties.store() == ResponseCacheProperties.StoreType.REDIS) {
			RedisSerializationContext<String, byte[]> context = RedisSerializationContext
				.<String, byte[]>newSerializationContext(StringRedisSerializer.UTF_8)
				.value(RedisSerializer.byteArray())
				.build();
			String url = properties.redis().url();
			if (url != null && !url.isBlank()) {
				// The cache's own server: its entries never share maxmemory (and eviction) with rate-limit counters.
				RedisURI uri = RedisURI.create(url);
				LettuceConnectionFactory own = new LettuceConnectionFactory(
						LettuceConnectionFactory.createRedisConfiguration(uri),
						LettuceClientConfiguration.builder().apply(uri).build());
				own.afterPropertiesSet();
				own.start();
				RedisReadiness ready = new RedisReadiness(new ReactiveStringRedisTemplate(own), Duration.ofSeconds(1));
				ready.connect(Duration.ofSeconds(2));
				return new RedisResponseCacheStore(new ReactiveRedisTemplate<>(own, context), ready, properties.redis(),
						own::destroy, clock);
			}
			RedisReadiness ready = readiness.getObject();
			ready.connect(Duration.ofSeconds(2));
			return new RedisResponseCacheStore(new ReactiveRedisTemplate<>(redis.getObject(), context), ready,
					properties.redis(), null, clock);
		}
		MemoryResponseCacheStore memory = new MemoryResponseCacheStore(properties.memory().maxSize().toBytes());
		meters.gauge("tollgate.cache.size.bytes", memory, MemoryResponseCacheStore::weightedBytes);
		return memory;
	}

	@Bean
	ResponseCacheEndpoint responseCacheEndpoint(ResponseCacheStore store, ResponseCacheProperties properties) {
		return new ResponseCacheEndpoint(store, properties);
	}

}
