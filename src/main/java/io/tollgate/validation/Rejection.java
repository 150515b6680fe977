package io.tollgate.validation;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * Why a request was refused: the status, the Kong-style message and, for schema violations, the errors (each a
 * JSON pointer or parameter name with its reason).
 *
 * @param status the status to answer
 * @param detail the message
 * @param errors the listed errors, possibly empty
 */
record Rejection(HttpStatus status, String detail, List<Map<String, Object>> errors) {

	static final String BODY_INVALID = "request body doesn't conform to schema";

	static final String PARAM_INVALID = "request param doesn't conform to schema";

	static Rejection of(HttpStatus status, String detail) {
		return new Rejection(status, detail, List.of());
	}

}
