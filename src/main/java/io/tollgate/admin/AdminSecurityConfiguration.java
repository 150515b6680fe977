package io.tollgate.admin;

import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.server.ServerWebExchange;

/**
 * Spring Security on the management port only. It lives in the management child context (registered as a
 * {@code ManagementContextConfiguration}), so the proxy port never runs a security filter chain: measured here,
 * even a permit-all chain halves proxy throughput. {@code health} and {@code info} are open; every other
 * endpoint, and the Admin API, needs an admin user ({@code tollgate.admin.users}), with HTTP Basic, throttled per
 * client address ({@link AdminLoginThrottle}). Users with the {@code read} role may only GET (and HEAD).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@EnableWebFluxSecurity
class AdminSecurityConfiguration {

	@Bean
	SecurityWebFilterChain adminSecurity(ServerHttpSecurity http) {
		return http.authorizeExchange((exchanges) -> exchanges
			.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info")
			.permitAll()
			.pathMatchers(HttpMethod.GET)
			.hasRole(AdminUsers.ADMIN)
			.pathMatchers(HttpMethod.HEAD)
			.hasRole(AdminUsers.ADMIN)
			.anyExchange()
			.hasRole(AdminUsers.WRITE))
			.exceptionHandling((handling) -> handling.accessDeniedHandler(AdminSecurityConfiguration::denied))
			.httpBasic(Customizer.withDefaults())
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.build();
	}

	/** Kong's error shape: a {@code read} user's POST, say. */
	private static Mono<Void> denied(ServerWebExchange exchange, AccessDeniedException denied) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		byte[] body = "{\"message\":\"Forbidden: this admin user has the read role (GET and HEAD only)\"}"
			.getBytes(StandardCharsets.UTF_8);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	@Bean
	AdminLoginThrottle adminLoginThrottle(AdminProperties properties) {
		return new AdminLoginThrottle(properties.loginThrottle());
	}

	/** The users of the main context's {@link AdminUsers}, which a configuration reload may replace. */
	@Bean
	ReactiveUserDetailsService adminUserDetails(AdminUsers users) {
		return users::findByUsername;
	}

}
