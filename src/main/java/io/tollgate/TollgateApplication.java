package io.tollgate;

import java.time.Clock;
import java.time.Duration;

import io.tollgate.migrate.Commands;
import io.tollgate.redis.RedisReadiness;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Tollgate: an API gateway on Spring Cloud Gateway. Every policy is an ordinary gateway filter in its own
 * package; the operator's routes and consumers come from {@code config-repo/}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
		// No security filter chain on the proxy port (auth is done by gateway filters); the management port gets
		// its own (admin/AdminSecurityConfiguration).
		"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration",
		// An observation (meter, span and MDC events) per Redis command costs more than the command on the hot
		// path; the rate limiter and the cache meter their own Redis use.
		"org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration" })
// @SpringBootApplication's scan, minus management-context configuration: it belongs to the management port's
// child context only (META-INF/spring/...ManagementContextConfiguration.imports).
@ComponentScan(excludeFilters = { @Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
		@Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
		@Filter(type = FilterType.ANNOTATION, classes = ManagementContextConfiguration.class) })
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
		// kong import, openapi import: run and exit, no server.
		Integer exit = Commands.run(args, System.out, System.err);
		if (exit != null) {
			System.exit(exit);
		}
		SpringApplication.run(TollgateApplication.class, args);
	}

}
