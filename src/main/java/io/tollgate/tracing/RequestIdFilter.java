package io.tollgate.tracing;

import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every exchange on the proxy port its request id and puts it on the response. A web filter (not a
 * gateway filter) so that requests no route matches get one too. The id reaches the upstream through
 * {@link RequestIdHeadersFilter}, without copying the request here.
 */
@Component
class RequestIdFilter implements WebFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String sent = exchange.getRequest().getHeaders().getFirst(RequestId.HEADER);
		String id = RequestId.isAcceptable(sent) ? sent : RequestId.generate();
		exchange.getAttributes().put(RequestId.ATTRIBUTE, id);
		exchange.getResponse().getHeaders().set(RequestId.HEADER, id);
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return PolicyOrder.REQUEST_ID;
	}

}
