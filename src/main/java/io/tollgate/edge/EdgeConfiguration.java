package io.tollgate.edge;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class EdgeConfiguration {

	@Bean
	ClientIp clientIp(ClientIpProperties properties) {
		return new ClientIp(properties);
	}

	@Bean
	ClientAddressHeadersFilter clientAddressHeadersFilter(ClientIp clientIp) {
		return new ClientAddressHeadersFilter(clientIp);
	}

}
