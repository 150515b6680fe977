package io.tollgate.admin;

import java.util.List;
import java.util.Map;

import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.RedisConsumerStore;
import io.tollgate.consumer.RuntimeConsumers;
import io.tollgate.ratelimit.RateLimitsEndpoint;
import io.tollgate.redis.RedisReadiness;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

/**
 * The Admin API: a Kong-compatible subset on the management port's root, beside {@code /actuator}, behind the same
 * HTTP Basic users ({@link AdminSecurityConfiguration}). Lives in the management child context, so the proxy port
 * never serves it.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class AdminApiConfiguration {

	private static final Log logger = LogFactory.getLog(AdminApiConfiguration.class);

	/** The resources served, for telling an unknown path (404) from a known one with another method (405). */
	private static final List<PathPattern> RESOURCES = List.of("/consumers", "/consumers/{consumer}",
			"/consumers/{consumer}/{credentials}", "/consumers/{consumer}/{credentials}/{id}")
		.stream()
		.map(PathPatternParser.defaultInstance::parse)
		.toList();

	@Bean
	RouterFunction<ServerResponse> adminApi(ConsumerRegistry registry, ObjectProvider<RedisConsumerStore> store,
			ObjectProvider<RuntimeConsumers> runtime, ObjectProvider<RedisReadiness> readiness,
			ObjectProvider<RateLimitsEndpoint> rateLimits) {
		RuntimeConsumerWrites writes = new RuntimeConsumerWrites(store, runtime, readiness, registry);
		ConsumersApi consumers = new ConsumersApi(writes, rateLimits);
		CredentialsApi credentials = new CredentialsApi(writes);
		return RouterFunctions.route()
			.GET("/consumers", consumers::list)
			.POST("/consumers", consumers::create)
			.GET("/consumers/{consumer}", consumers::get)
			.PATCH("/consumers/{consumer}", consumers::update)
			.DELETE("/consumers/{consumer}", consumers::delete)
			.GET("/consumers/{consumer}/plan", consumers::getPlan)
			.PUT("/consumers/{consumer}/plan", consumers::putPlan)
			.GET("/consumers/{consumer}/usage", consumers::usage)
			.GET("/consumers/{consumer}/key-auth", credentials::listKeys)
			.POST("/consumers/{consumer}/key-auth", credentials::createKey)
			.GET("/consumers/{consumer}/key-auth/{id}", credentials::getKey)
			.DELETE("/consumers/{consumer}/key-auth/{id}", credentials::deleteKey)
			.GET("/consumers/{consumer}/acls", credentials::listAcls)
			.POST("/consumers/{consumer}/acls", credentials::createAcl)
			.GET("/consumers/{consumer}/acls/{id}", credentials::getAcl)
			.DELETE("/consumers/{consumer}/acls/{id}", credentials::deleteAcl)
			.GET("/consumers/{consumer}/jwt", credentials::listJwts)
			.POST("/consumers/{consumer}/jwt", credentials::createJwt)
			.GET("/consumers/{consumer}/jwt/{id}", credentials::getJwt)
			.DELETE("/consumers/{consumer}/jwt/{id}", credentials::deleteJwt)
			.route(path("/consumers").or(path("/consumers/**")), AdminApiConfiguration::notServed)
			.filter((request, next) -> Mono.defer(() -> next.handle(request))
				.onErrorResume(AdminApiConfiguration::answer))
			.build();
	}

	/**
	 * Kong's paths work with a trailing slash too ({@code POST /consumers/} appears in its documentation); Spring's
	 * path patterns do not match one, so it is removed first.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	WebFilter adminApiTrailingSlash() {
		return (exchange, chain) -> {
			String path = exchange.getRequest().getPath().pathWithinApplication().value();
			if (path.length() > 1 && path.endsWith("/") && path.startsWith("/consumers")) {
				String trimmed = path.substring(0, path.length() - 1);
				return chain.filter(exchange.mutate().request((request) -> request.path(trimmed)).build());
			}
			return chain.filter(exchange);
		};
	}

	private static Mono<ServerResponse> notServed(ServerRequest request) {
		boolean known = RESOURCES.stream()
			.anyMatch((pattern) -> pattern.matches(request.requestPath().pathWithinApplication()));
		HttpStatus status = known ? HttpStatus.METHOD_NOT_ALLOWED : HttpStatus.NOT_FOUND;
		return ServerResponse.status(status)
			.bodyValue(Map.of("message", known ? "Method not allowed" : "Not found"));
	}

	/** Every failure as a Kong-shaped JSON error; never a stack trace, never a 500 for bad input. */
	private static Mono<ServerResponse> answer(Throwable ex) {
		if (ex instanceof AdminApiException answer) {
			return ServerResponse.status(answer.status()).bodyValue(answer.body());
		}
		if (ex instanceof ServerWebInputException input) {
			return ServerResponse.status(HttpStatus.BAD_REQUEST)
				.bodyValue(Map.of("message", "Bad request: " + input.getReason()));
		}
		if (RuntimeConsumerWrites.isRedisFailure(ex)) {
			AdminApiException unavailable = RuntimeConsumerWrites.unreachable(ex);
			return ServerResponse.status(unavailable.status()).bodyValue(unavailable.body());
		}
		logger.error("Admin API request failed", ex);
		return ServerResponse.status(HttpStatus.INTERNAL_SERVER_ERROR)
			.bodyValue(Map.of("message", "An unexpected error occurred"));
	}

}
