package io.tollgate.validation;

import java.util.concurrent.atomic.AtomicLong;

import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.PolicyOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Enforces every route's body size limit while the body streams through: a declared {@code Content-Length} over
 * the limit is refused before a byte of the body is read, and a chunked body is cut off (413) the moment it
 * grows past the limit. Nothing is buffered here. Runs before any filter that could buffer a body (Spring Cloud
 * Gateway's own body caching for {@code Retry} included).
 */
class BodySizeLimitFilter implements GlobalFilter, Ordered {

	private final BodySizeLimits limits;

	BodySizeLimitFilter(BodySizeLimits limits) {
		this.limits = limits;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		long declared = headers.getContentLength();
		if (declared == 0 || (declared < 0 && !mayHaveBody(request))) {
			return chain.filter(exchange);
		}
		long limit = this.limits.of(exchange);
		if (declared > limit) {
			return ProblemWriter.write(exchange, HttpStatus.PAYLOAD_TOO_LARGE, PayloadTooLargeException.REASON);
		}
		if (declared > 0) {
			// Netty never delivers more than the declared length: nothing more to watch.
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate().request(new LimitedBody(request, limit)).build());
	}

	/** Without a Content-Length: a chunked body, or a method that usually carries one (HTTP/2 sends neither header). */
	private static boolean mayHaveBody(ServerHttpRequest request) {
		if (request.getHeaders().containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return true;
		}
		HttpMethod method = request.getMethod();
		return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)
				|| HttpMethod.DELETE.equals(method) || HttpMethod.TRACE.equals(method));
	}

	@Override
	public int getOrder() {
		return PolicyOrder.BODY_SIZE_LIMIT;
	}

	/** A body that errors (and releases what it holds) once it grows past the limit. */
	private static final class LimitedBody extends ServerHttpRequestDecorator {

		private final long limit;

		LimitedBody(ServerHttpRequest delegate, long limit) {
			super(delegate);
			this.limit = limit;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			AtomicLong seen = new AtomicLong();
			return super.getBody().handle((buffer, sink) -> {
				if (seen.addAndGet(buffer.readableByteCount()) > this.limit) {
					DataBufferUtils.release(buffer);
					sink.error(new PayloadTooLargeException());
				}
				else {
					sink.next(buffer);
				}
			});
		}

	}

}
