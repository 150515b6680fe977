package io.tollgate.upstream;

import java.net.URI;

import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the {@link OutlierDetector} how each load-balanced request went: a connection error, 502, 503 or 504 is
 * a failure of the instance that was chosen; any other answer is a success.
 */
class OutlierRecorder implements GlobalFilter, Ordered {

	private final OutlierDetector detector;

	OutlierRecorder(OutlierDetector detector) {
		this.detector = detector;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).doOnSuccess((done) -> {
			String instance = chosen(exchange);
			if (instance != null) {
				HttpStatusCode status = exchange.getResponse().getStatusCode();
				int code = (status != null) ? status.value() : 200;
				if (code == 502 || code == 503 || code == 504) {
					this.detector.failed(instance, System.currentTimeMillis());
				}
				else {
					this.detector.succeeded(instance);
				}
			}
		}).doOnError((ex) -> {
			String instance = chosen(exchange);
			if (instance != null) {
				this.detector.failed(instance, System.currentTimeMillis());
			}
		});
	}

	/** host:port of the instance the load balancer picked for this attempt, or null (not an lb:// route). */
	private static String chosen(ServerWebExchange exchange) {
		Response<ServiceInstance> response = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR);
		if (response == null || !response.hasServer()) {
			return null;
		}
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		return (url != null) ? url.getHost() + ":" + url.getPort() : OutlierDetector.key(response.getServer());
	}

	@Override
	public int getOrder() {
		return PolicyOrder.OUTLIER_RECORDER;
	}

}
