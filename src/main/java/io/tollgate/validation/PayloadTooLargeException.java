package io.tollgate.validation;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** A request body over its route's limit; the error handler answers 413 with this reason. */
class PayloadTooLargeException extends ResponseStatusException {

	static final String REASON = "Request size limit exceeded";

	PayloadTooLargeException() {
		super(HttpStatus.PAYLOAD_TOO_LARGE, REASON);
	}

}
