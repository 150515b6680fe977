package io.tollgate.reload;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.cloud.consul.ConsulClient;
import org.springframework.cloud.consul.ConsulProperties;
import org.springframework.cloud.consul.config.ConsulConfigDataLocationResolver;
import org.springframework.cloud.consul.discovery.configclient.ConsulConfigServerBootstrapper;
import org.springframework.core.Ordered;

/**
 * Spring Cloud Consul's {@code consul:} import (the consul-kv profile), unchanged but for one thing: the Consul
 * client it creates is the one its key/value reads use.
 * <p>
 * With Spring Cloud Config's client on the classpath too (for the config-server profile), Spring Cloud Consul's
 * {@link ConsulConfigServerBootstrapper} registers a Consul client and its settings first, for finding a Config
 * Server through Consul, and they are {@code null} unless that is turned on. The {@code consul:} import only
 * registers its own where none is registered, so it would read with no client at all and fail
 * (spring-cloud-consul#729). Here, when finding a Config Server through Consul is off, the import's client and
 * settings replace those placeholders. Registered ahead of Spring Cloud Consul's resolver (META-INF/spring.factories).
 */
public class ConsulConfigLocationResolver extends ConsulConfigDataLocationResolver implements Ordered {

	public ConsulConfigLocationResolver(DeferredLogFactory logFactory) {
		super(logFactory);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public <T> void registerBean(ConfigDataLocationResolverContext context, Class<T> type, T instance) {
		registerBean(context, type, InstanceSupplier.of(instance));
	}

	@Override
	protected <T> void registerBean(ConfigDataLocationResolverContext context, Class<T> type,
			InstanceSupplier<T> supplier) {
		ConfigurableBootstrapContext bootstrap = context.getBootstrapContext();
		bootstrap.registerIfAbsent(Replaced.class, InstanceSupplier.from(Replaced::new));
		boolean placeholder = (type == ConsulProperties.class || type == ConsulClient.class)
				&& !ConsulConfigServerBootstrapper.isDiscoveryEnabled(bootstrap);
		// Once only: a reload resolves the import again in the same bootstrap context, and then, as without this
		// class, the client already made is kept.
		if (placeholder && bootstrap.get(Replaced.class).types.add(type)) {
			bootstrap.register(type, supplier);
		}
		else {
			bootstrap.registerIfAbsent(type, supplier);
		}
	}

	/** The types whose placeholder this resolver has replaced, in the bootstrap context's life. */
	private static final class Replaced {

		private final Set<Class<?>> types = ConcurrentHashMap.newKeySet();

	}

}
