package io.tollgate.error;

import java.util.LinkedHashMap;
import java.util.Map;

import io.tollgate.tracing.RequestId;
import io.tollgate.tracing.Traces;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one writer of every error the gateway itself produces: an RFC 9457 {@code application/problem+json} body
 * with {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance} and {@code request_id}.
 * <p>
 * {@code detail} carries Kong's wording ("No API key found in request", ...) so migrated clients read the same
 * text. {@code instance} is the request path without its query string: query parameters may hold credentials.
 */
public final class ProblemWriter {

	public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemWriter() {
	}

	public static Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, String detail) {
		return write(exchange, status, detail, Map.of());
	}

	/**
	 * Writes the problem and completes the response.
	 * @param extensions extra members (for example {@code errors}), written after the standard ones
	 */
	public static Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, String detail,
			Map<String, ?> extensions) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", title(status));
		body.put("status", status.value());
		body.put("detail", detail);
		body.put("instance", exchange.getRequest().getPath().value());
		body.put("request_id", RequestId.of(exchange));
		String traceId = Traces.traceId(exchange);
		if (traceId != null) {
			body.put("trace_id", traceId);
		}
		body.putAll(extensions);
		byte[] bytes = JSON.writeValueAsBytes(body);

		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(PROBLEM_JSON);
		headers.setContentLength(bytes.length);
		headers.remove(HttpHeaders.CONTENT_ENCODING);
		headers.remove(HttpHeaders.TRANSFER_ENCODING);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

	private static String title(HttpStatusCode status) {
		HttpStatus known = HttpStatus.resolve(status.value());
		return (known != null) ? known.getReasonPhrase() : "Error";
	}

}
