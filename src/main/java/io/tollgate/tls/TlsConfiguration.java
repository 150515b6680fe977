package io.tollgate.tls;

import io.tollgate.edge.ClientIp;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TlsConfiguration {

	/** No filter (and no per-request cost) with the default, allow. */
	@Bean
	@ConditionalOnExpression("'${tollgate.tls.plain-http:allow}'.toLowerCase() != 'allow'")
	PlainHttpPolicyFilter plainHttpPolicyFilter(TlsProperties properties, ClientIp clientIp) {
		return new PlainHttpPolicyFilter(properties.plainHttp(), clientIp);
	}

}
