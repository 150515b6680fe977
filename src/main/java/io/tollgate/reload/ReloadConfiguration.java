package io.tollgate.reload;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.admin.AdminUsers;
import io.tollgate.config.ConfigProperties;
import io.tollgate.config.RouteFilterCheck;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.RuntimeConsumerSync;
import io.tollgate.edge.ClientIp;
import io.tollgate.ratelimit.RateLimiter;
import io.tollgate.responsecache.ResponseCacheGatewayFilterFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Configuration at run time: the reloader that replaces Spring Cloud's refresher (so {@code /actuator/refresh}
 * and Consul KV's watch go through Tollgate's checks), the directory watch, and what shows the version in force.
 */
@Configuration(proxyBeanMethods = false)
class ReloadConfiguration {

	@Bean
	ConfigReloader configReloader(ConfigurableApplicationContext context, RefreshScope scope,
			RefreshAutoConfiguration.RefreshProperties properties, ObjectProvider<ConfigCheck> check,
			ObjectProvider<ConsumerRegistry> consumers, ObjectProvider<ClientIp> clientIp,
			ObjectProvider<AdminUsers> adminUsers, ObjectProvider<RateLimiter> rateLimiter,
			ObjectProvider<ResponseCacheGatewayFilterFactory> responseCache, ObjectProvider<GatewayProperties> gateway,
			ObjectProvider<ConfigStatus> status, ObjectProvider<RuntimeConsumerSync> runtimeConsumers) {
		return new ConfigReloader(context, scope, properties, check,
				new ConfigSwap(consumers, clientIp, adminUsers, rateLimiter, responseCache, gateway, runtimeConsumers),
				status);
	}

	@Bean
	@SuppressWarnings("rawtypes")
	ConfigCheck configCheck(ApplicationContext context, RouteFilterCheck routes, ConsumerRegistry consumers,
			List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			ConfigurationService configurationService) {
		return new ConfigCheck(context, routes, consumers, predicates, filters, configurationService);
	}

	@Bean
	ConfigVersion configVersion(ConfigurableEnvironment environment) {
		return new ConfigVersion(ConfigVersion.of(environment, ConfigFiles.of(environment)));
	}

	@Bean
	ConfigStatus configStatus(ConfigVersion version, MeterRegistry meters) {
		return new ConfigStatus(version, meters);
	}

	@Bean
	ConfigHealthIndicator configHealthIndicator(ConfigStatus status) {
		return new ConfigHealthIndicator(status);
	}

	@Bean
	InfoContributor configInfoContributor(ConfigStatus status) {
		return (info) -> {
			Map<String, Object> config = new LinkedHashMap<>();
			config.put("version", status.version());
			config.put("loaded-at", status.loadedAt().toString());
			info.withDetail("config", config);
		};
	}

	@Bean
	@ConditionalOnProperty(name = "tollgate.config.watch", matchIfMissing = true)
	ConfigDirectoryWatcher configDirectoryWatcher(ConfigurableEnvironment environment, ConfigReloader reloader,
			ConfigProperties properties) {
		return new ConfigDirectoryWatcher(environment, reloader, properties.watchInterval());
	}

}
