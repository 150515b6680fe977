package io.tollgate.error;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.tollgate.tracing.RequestId;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Renders every exception that reaches the web layer as problem+json: Spring Cloud Gateway's own (no route,
 * upstream refused, upstream timeout, no instance) and anything unexpected. Runs before Spring Boot's
 * {@code DefaultErrorWebExceptionHandler} (order -1), so there is never a Whitelabel page or a stack trace.
 */
@Component
@Order(-2)
class GatewayErrorHandler implements WebExceptionHandler {

	private static final Log logger = LogFactory.getLog(GatewayErrorHandler.class);

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			// Part of the answer is on the wire already: the only honest signal left is closing the connection.
			return Mono.error(ex);
		}
		HttpStatusCode status;
		String detail;
		ResponseStatusException rse = causeOfType(ex, ResponseStatusException.class);
		if (rse != null) {
			status = rse.getStatusCode();
			detail = detailFor(rse);
		}
		else if (annotatedStatus(ex) != null) {
			// Spring Cloud Gateway's NotFoundException / ServiceUnavailableException (open circuit, no instance).
			status = annotatedStatus(ex);
			detail = (status.value() == 503) ? "The upstream service is unavailable" : status.toString();
		}
		else if (hasCause(ex, ConnectTimeoutException.class) || hasCause(ex, TimeoutException.class)) {
			status = HttpStatus.GATEWAY_TIMEOUT;
			detail = "The upstream server did not answer in time";
		}
		else if (hasCause(ex, ConnectException.class) || hasCause(ex, UnknownHostException.class)
				|| hasCause(ex, PrematureCloseException.class)) {
			status = HttpStatus.BAD_GATEWAY;
			detail = "An invalid response was received from the upstream server";
		}
		else if (hasCause(ex, DataBufferLimitException.class)) {
			status = HttpStatus.PAYLOAD_TOO_LARGE;
			detail = "Request size limit exceeded";
		}
		else {
			status = HttpStatus.INTERNAL_SERVER_ERROR;
			detail = "An unexpected error occurred";
		}
		log(exchange, status, ex);
		return ProblemWriter.write(exchange, status, detail);
	}

	private static String detailFor(ResponseStatusException ex) {
		int status = ex.getStatusCode().value();
		if (status == 404) {
			return "no Route matched with those values";
		}
		if (status == 504) {
			return "The upstream server did not answer in time";
		}
		if (status == 503) {
			return "The upstream service is unavailable";
		}
		if (status >= 500) {
			return "An unexpected error occurred";
		}
		// Framework reasons for 4xx (bad method, bad media type) are safe and useful to the client.
		return (ex.getReason() != null) ? ex.getReason() : HttpStatus.valueOf(status).getReasonPhrase();
	}

	private static void log(ServerWebExchange exchange, HttpStatusCode status, Throwable ex) {
		String requestId = RequestId.of(exchange);
		// The path only: query strings may carry credentials.
		String where = exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value();
		if (status.value() == 500) {
			logger.error("request_id=" + requestId + " " + where + " failed", ex);
		}
		else if (status.is5xxServerError() && logger.isWarnEnabled()) {
			logger.warn("request_id=" + requestId + " " + where + " answered " + status.value() + ": " + ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("request_id=" + requestId + " " + where + " answered " + status.value() + ": " + ex);
		}
	}

	private static HttpStatus annotatedStatus(Throwable ex) {
		ResponseStatus annotation = AnnotatedElementUtils.findMergedAnnotation(ex.getClass(), ResponseStatus.class);
		return (annotation != null) ? annotation.code() : null;
	}

	private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
		return causeOfType(ex, type) != null;
	}

	private static <T extends Throwable> T causeOfType(Throwable ex, Class<T> type) {
		for (Throwable t = ex; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

}
