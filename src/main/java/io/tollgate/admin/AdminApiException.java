package io.tollgate.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * An Admin API request that cannot be done, answered with Kong's error shape: a JSON object with a
 * {@code message}, and for schema and uniqueness errors Kong's {@code name}, {@code code} and {@code fields}.
 */
final class AdminApiException extends RuntimeException {

	private final HttpStatus status;

	private final Map<String, Object> body;

	private AdminApiException(HttpStatus status, Map<String, Object> body) {
		super((String) body.get("message"), null, false, false);
		this.status = status;
		this.body = body;
	}

	HttpStatus status() {
		return this.status;
	}

	Map<String, Object> body() {
		return this.body;
	}

	static AdminApiException notFound() {
		return new AdminApiException(HttpStatus.NOT_FOUND, Map.of("message", "Not found"));
	}

	static AdminApiException badRequest(String message) {
		return new AdminApiException(HttpStatus.BAD_REQUEST, Map.of("message", message));
	}

	/** Kong's {@code schema violation} (code 2) on one field. */
	static AdminApiException schemaViolation(String field, String reason) {
		return kong(HttpStatus.BAD_REQUEST, 2, "schema violation", "schema violation (" + field + ": " + reason + ")",
				Map.of(field, reason));
	}

	/**
	 * Kong's {@code unique constraint violation} (code 5). {@code shown} is the value as the message may show it:
	 * never an API key.
	 */
	static AdminApiException uniqueViolation(String field, String shown) {
		return kong(HttpStatus.CONFLICT, 5, "unique constraint violation",
				"UNIQUE violation detected on '{" + field + "=\"" + shown + "\"}'", Map.of(field, shown));
	}

	/** Kong's database error shape: {@code code}, {@code name}, {@code message}, {@code fields}. */
	private static AdminApiException kong(HttpStatus status, int code, String name, String message,
			Map<String, String> fields) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("code", code);
		body.put("name", name);
		body.put("message", message);
		body.put("fields", fields);
		return new AdminApiException(status, body);
	}

	static AdminApiException conflict(String message) {
		return new AdminApiException(HttpStatus.CONFLICT, Map.of("message", message));
	}

	static AdminApiException managedInConfiguration(String consumer) {
		return new AdminApiException(HttpStatus.CONFLICT, Map.of("message", "consumer '" + consumer
				+ "' is managed in configuration (tollgate.consumers or tollgate.consumers-file): change it there"));
	}

	static AdminApiException tooLarge(int limit) {
		return new AdminApiException(HttpStatus.CONTENT_TOO_LARGE,
				Map.of("message", "Request body too large: at most " + limit + " bytes"));
	}

	static AdminApiException unsupportedMediaType(String type) {
		return new AdminApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Map.of("message", "Unsupported Content-Type '"
				+ type + "': use application/json, application/x-www-form-urlencoded or multipart/form-data"));
	}

	/** Redis, where runtime consumers live, cannot be reached (or is not configured). */
	static AdminApiException unavailable(String detail) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", "Service Unavailable");
		body.put("status", 503);
		body.put("detail", detail);
		body.put("message", detail);
		return new AdminApiException(HttpStatus.SERVICE_UNAVAILABLE, body);
	}

}
