package io.tollgate.admin;

import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
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
import org.springframework.web.server.WebFilter;

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

	/**
	 * Refuses changes a browser sends from a web page (it adds {@code Origin} or {@code Sec-Fetch-Site}): with HTTP
	 * Basic and no CSRF token, a page an admin visits could otherwise POST a key of its choosing with the
	 * credentials the browser remembers. Scripts and curl send neither header.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE + 1)
	WebFilter adminCrossSiteRefusal() {
		return (exchange, chain) -> {
			HttpMethod method = exchange.getRequest().getMethod();
			HttpHeaders headers = exchange.getRequest().getHeaders();
			boolean safe = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
			String site = headers.getFirst("Sec-Fetch-Site");
			if (!safe && (headers.getOrigin() != null || (site != null && !site.equals("none")))) {
				return json(exchange, HttpStatus.FORBIDDEN,
						"{\"message\":\"Forbidden: changes from a web page (Origin or Sec-Fetch-Site sent) are refused\"}");
			}
			return chain.filter(exchange);
		};
	}

	/** Kong's error shape: a {@code read} user's POST, say. */
	private static Mono<Void> denied(ServerWebExchange exchange, AccessDeniedException denied) {
		return json(exchange, HttpStatus.FORBIDDEN,
				"{\"message\":\"Forbidden: this admin user has the read role (GET and HEAD only)\"}");
	}

	private static Mono<Void> json(ServerWebExchange exchange, HttpStatus status, String body) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8))));
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
