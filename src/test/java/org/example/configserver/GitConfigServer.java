package org.example.configserver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cloud.config.server.EnableConfigServer;
import org.springframework.context.annotation.Configuration;

/**
 * A plain Spring Cloud Config Server, as an operator would run one (so outside io.tollgate, where the gateway's
 * component scan would find it), for io.tollgate.testsupport.ConfigServerProcess: it runs in a JVM of its own, with
 * Tomcat and Spring MVC on its classpath, which the gateway's does not have. A Config Server, not a gateway: Spring
 * Cloud Gateway's auto-configuration, on this classpath too, stays out.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = { "org.springframework.cloud.gateway.config.GatewayClassPathWarningAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayResilience4JCircuitBreakerAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayNoLoadBalancerClientAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayFunctionAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayMetricsAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayRedisAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayStreamAutoConfiguration",
		"org.springframework.cloud.gateway.discovery.GatewayDiscoveryClientAutoConfiguration",
		"org.springframework.cloud.gateway.config.SimpleUrlHandlerMappingGlobalCorsAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayReactiveLoadBalancerClientAutoConfiguration",
		"org.springframework.cloud.gateway.config.LocalResponseCacheAutoConfiguration",
		"org.springframework.cloud.gateway.config.GatewayTracingAutoConfiguration" })
@EnableConfigServer
public class GitConfigServer {

	/** Runs the server; with {@code -Dparent.pid}, only as long as that process (the tests' JVM) lives. */
	public static void main(String[] args) {
		Long parent = Long.getLong("parent.pid");
		if (parent != null) {
			ProcessHandle.of(parent).ifPresentOrElse((process) -> process.onExit().thenRun(() -> System.exit(0)),
					() -> System.exit(0));
		}
		SpringApplication.run(GitConfigServer.class, args);
	}

}
