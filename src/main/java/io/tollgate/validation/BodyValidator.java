package io.tollgate.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.path.NodePath;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;

/** Checks a JSON body against a compiled JSON Schema and says, per violation, where (JSON pointer) and why. */
final class BodyValidator {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private BodyValidator() {
	}

	/** Null when the body conforms. */
	static Rejection validate(Schema schema, byte[] body, int maxErrors) {
		JsonNode document;
		try {
			document = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			return Rejection.of(HttpStatus.BAD_REQUEST, malformed(ex));
		}
		if (document == null || document.isMissingNode()) {
			return Rejection.of(HttpStatus.BAD_REQUEST, "request body is empty; a JSON document is required");
		}
		List<Error> errors = violations(schema, document, maxErrors);
		if (errors.isEmpty()) {
			return null;
		}
		List<Map<String, Object>> listed = new ArrayList<>();
		for (Error error : errors.subList(0, Math.min(errors.size(), maxErrors))) {
			Map<String, Object> item = new LinkedHashMap<>();
			item.put("pointer", pointer(error));
			item.put("reason", error.getMessage());
			listed.add(item);
		}
		return new Rejection(HttpStatus.BAD_REQUEST, Rejection.BODY_INVALID, listed);
	}

	/**
	 * The first {@code maxErrors} violations, in document order. Validation stops as soon as that many are found:
	 * networknt would otherwise walk the whole document and collect every violation (26,000 for a 255 KB array of
	 * invalid items) only for all but {@code maxErrors} of them to be dropped.
	 */
	static List<Error> violations(Schema schema, JsonNode document, int maxErrors) {
		CappedErrors errors = new CappedErrors(maxErrors);
		try {
			schema.validate(document, (context) -> context.setErrors(errors));
		}
		catch (CappedErrors.Enough enough) {
			// stopped early: errors holds maxErrors violations
		}
		return errors;
	}

	/**
	 * The top-level error list of one validation; stops it (by throwing {@link Enough}) once full. Applicators
	 * ({@code anyOf}, {@code not}...) evaluate their branches into lists of their own, so only violations that
	 * count for the document reach this one.
	 */
	private static final class CappedErrors extends ArrayList<Error> {

		private final int cap;

		CappedErrors(int cap) {
			super(Math.min(cap, 64));
			this.cap = cap;
		}

		@Override
		public boolean add(Error error) {
			super.add(error);
			if (size() >= this.cap) {
				throw new Enough();
			}
			return true;
		}

		@Override
		public boolean addAll(java.util.Collection<? extends Error> more) {
			for (Error error : more) {
				add(error);
			}
			return !more.isEmpty();
		}

		/** Thrown through the validator to stop it; no stack trace (it is not an error). */
		private static final class Enough extends RuntimeException {

			Enough() {
				super(null, null, false, false);
			}

		}

	}

	private static String malformed(JacksonException ex) {
		TokenStreamLocation location = ex.getLocation();
		String where = (location != null)
				? " at line " + location.getLineNr() + ", column " + location.getColumnNr() + " (byte "
						+ location.getByteOffset() + ")"
				: "";
		String reason = ex.getOriginalMessage();
		int newline = reason.indexOf('\n');
		return "request body is not valid JSON" + where + ": " + ((newline > 0) ? reason.substring(0, newline) : reason);
	}

	/**
	 * RFC 6901 pointer to the offending value; for {@code required} and {@code additionalProperties}, to the
	 * property missing or not allowed.
	 */
	static String pointer(Error error) {
		StringBuilder pointer = new StringBuilder();
		NodePath path = error.getInstanceLocation();
		for (int i = 0; i < path.getNameCount(); i++) {
			appendSegment(pointer, String.valueOf(path.getElement(i)));
		}
		String keyword = error.getKeyword();
		if (error.getProperty() != null && ("required".equals(keyword) || "additionalProperties".equals(keyword)
				|| "dependentRequired".equals(keyword) || "unevaluatedProperties".equals(keyword))) {
			appendSegment(pointer, error.getProperty());
		}
		return pointer.toString();
	}

	private static void appendSegment(StringBuilder pointer, String segment) {
		pointer.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
	}

}
