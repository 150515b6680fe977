package io.tollgate.server;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Connection limits on the Netty server (slowloris): see {@link ServerTimeoutProperties} and {@code server.netty.*}. */
@Configuration(proxyBeanMethods = false)
class ServerConfiguration {

	@Bean
	NettyServerCustomizer requestHeaderDeadline(ServerTimeoutProperties properties) {
		long timeoutNanos = properties.requestHeaderTimeout().toNanos();
		return (server) -> server.doOnChannelInit((observer, channel, remoteAddress) -> RequestHeaderDeadline
			.install(channel.pipeline(), timeoutNanos));
	}

}
