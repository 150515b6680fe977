package io.tollgate.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.edge.ClientIp;
import io.tollgate.reload.ConfigVersion;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

	@Bean
	SensitiveParameters sensitiveParameters(ObservabilityProperties properties) {
		return new SensitiveParameters(properties);
	}

	@Bean
	AccessLogFilter accessLogFilter(ClientIp clientIp, SensitiveParameters sensitive, MeterRegistry meters,
			ObservabilityProperties properties, ConfigVersion configVersion) {
		return new AccessLogFilter(clientIp, sensitive, meters, properties, configVersion);
	}

	@Bean
	RouteMeters routeMeters(MeterRegistry meters, AccessLogFilter accessLog) {
		return new RouteMeters(meters, accessLog);
	}

	@Bean
	UpstreamTimingFilter upstreamTimingFilter() {
		return new UpstreamTimingFilter();
	}

}
