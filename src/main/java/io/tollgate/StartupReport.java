package io.tollgate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.tollgate.config.ConfigProperties;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.ratelimit.RateLimiter;
import io.tollgate.reload.ConfigVersion;
import io.tollgate.responsecache.ResponseCacheProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Makes configuration mistakes visible at startup: a {@code TOLLGATE_CONFIG_DIR} that does not exist, or a
 * configuration without routes, is said in a warning (or stops startup with {@code tollgate.config.require-routes});
 * and once the gateway is up, one line says what it runs with: routes, consumers, stores, discovery, ports.
 */
@Component
class StartupReport implements SmartInitializingSingleton, ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(StartupReport.class);

	static final String CONFIG_DIR = "TOLLGATE_CONFIG_DIR";

	private final Environment environment;

	private final GatewayProperties gateway;

	private final ConsumerRegistry consumers;

	private final RateLimiter rateLimiter;

	private final ResponseCacheProperties cache;

	private final ConfigProperties properties;

	private final ConfigVersion version;

	StartupReport(Environment environment, GatewayProperties gateway, ConsumerRegistry consumers,
			RateLimiter rateLimiter, ResponseCacheProperties cache, ConfigProperties properties,
			ConfigVersion version) {
		this.environment = environment;
		this.gateway = gateway;
		this.consumers = consumers;
		this.rateLimiter = rateLimiter;
		this.cache = cache;
		this.properties = properties;
		this.version = version;
	}

	@Override
	public void afterSingletonsInstantiated() {
		String configDir = this.environment.getProperty(CONFIG_DIR, "./config-repo");
		if (!Files.isDirectory(Path.of(configDir))) {
			logger.warn(CONFIG_DIR + "=" + configDir + " is not a directory: no operator configuration (routes, "
					+ "consumers) was imported from it");
		}
		if (this.gateway.getRoutes().isEmpty() && !discoveryLocator()) {
			if (this.properties.requireRoutes()) {
				throw new InvalidConfigurationException(GatewayProperties.PREFIX + ".routes",
						"no route is configured (tollgate.config.require-routes is on); " + CONFIG_DIR + "=" + configDir);
			}
			logger.warn("No route is configured: every request will be answered 404. Routes go in "
					+ GatewayProperties.PREFIX + ".routes, in " + CONFIG_DIR + " (" + configDir + ")");
		}
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (logger.isInfoEnabled()) {
			logger.info("Tollgate ready: " + this.gateway.getRoutes().size() + " routes"
					+ (discoveryLocator() ? " (plus one per discovered service)" : "") + ", "
					+ this.consumers.consumers().size() + " consumers, rate limits in "
					+ (this.rateLimiter.usesRedis() ? "redis" : "local memory") + ", response cache in "
					+ this.cache.store().name().toLowerCase(Locale.ROOT) + ", discovery "
					+ (this.environment.getProperty("spring.cloud.consul.enabled", Boolean.class, false) ? "consul" : "off")
					+ ", proxy port " + this.environment.getProperty("local.server.port", "?") + ", management port "
					+ this.environment.getProperty("local.management.port",
							this.environment.getProperty("local.server.port", "?"))
					+ ", configuration version " + this.version.current());
		}
	}

	private boolean discoveryLocator() {
		return this.environment.getProperty(GatewayProperties.PREFIX + ".discovery.locator.enabled", Boolean.class,
				false);
	}

}
