package io.tollgate.redis;

import java.time.Duration;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RedisClientConfiguration {

	/**
	 * Redis Cluster: Lettuce re-reads the topology on every adaptive trigger (a MOVED or ASK redirect, a reconnect,
	 * an unknown node) and every 30 s anyway. Its default lets one adaptive refresh block the next for 30 s: the
	 * refresh a dead master's disconnect triggers comes before its replica is promoted, and the promotion would then
	 * go unseen for half a minute, every request of its slots decided locally meanwhile. Here the next trigger counts
	 * after 1 s. (Spring Boot's {@code spring.data.redis.lettuce.cluster.refresh.*} has no setting for that, so these
	 * options replace it.)
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer clusterTopologyRefresh() {
		return (options) -> {
			if (options instanceof ClusterClientOptions.Builder cluster) {
				cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.enableAllAdaptiveRefreshTriggers()
					.adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
					.enablePeriodicRefresh(Duration.ofSeconds(30))
					.dynamicRefreshSources(true)
					.build());
			}
		};
	}

}
