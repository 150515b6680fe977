package io.tollgate.admin;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Spring Security on the management port only. It lives in the management child context (registered as a
 * {@code ManagementContextConfiguration}), so the proxy port never runs a security filter chain: measured here,
 * even a permit-all chain halves proxy throughput. {@code health} and {@code info} are open; every other
 * endpoint needs an admin user ({@code tollgate.admin.users}), with HTTP Basic, throttled per client address
 * ({@link AdminLoginThrottle}).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@EnableWebFluxSecurity
class AdminSecurityConfiguration {

	@Bean
	SecurityWebFilterChain adminSecurity(ServerHttpSecurity http) {
		return http.authorizeExchange((exchanges) -> exchanges
			.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info")
			.permitAll()
			.anyExchange()
			.hasRole("ADMIN"))
			.httpBasic(Customizer.withDefaults())
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.build();
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
