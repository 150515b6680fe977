package io.tollgate;

import java.time.Clock;
import java.time.Duration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Tollgate: an API gateway on Spring Cloud Gateway. Every policy is an ordinary gateway filter in its own
 * package; the operator's routes and consumers come from {@code config-repo/}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TollgateApplication {

	/** The clock of rate-limit windows and cache ages; tests replace it to move through time. */
	@Bean
	Clock tollgateClock() {
		return Clock.systemUTC();
	}

	/** Shared by the stores that use Redis; connects only when one of them asks it to. */
	@Bean
	RedisReadiness redisReadiness(ReactiveStringRedisTemplate redis) {
		return new RedisReadiness(redis, Duration.ofSeconds(1));
	}

	public static void main(String[] args) {
		SpringApplication.run(TollgateApplication.class, args);
	}

}
