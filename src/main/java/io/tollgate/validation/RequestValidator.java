package io.tollgate.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.report.ValidationReport.Message;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Checks a request against its OpenAPI 3 operation (path template and method; path, query and header parameters;
 * body) with the openapi-request-validator library, and turns its report into a {@link Rejection}.
 */
final class RequestValidator {

	private RequestValidator() {
	}

	/** Null when the request conforms (or, unless strict, when the document does not describe it). */
	static Rejection validate(OpenApiInteractionValidator validator, ServerHttpRequest request, byte[] body,
			boolean strict, int maxErrors) {
		ValidationReport report = validator.validateRequest(toModel(request, body));
		List<Message> errors = report.getMessages()
			.stream()
			.filter((message) -> message.getLevel() == ValidationReport.Level.ERROR)
			.toList();
		if (errors.isEmpty()) {
			return null;
		}
		for (Message error : errors) {
			if (error.getKey().equals("validation.request.path.missing")) {
				return strict ? Rejection.of(HttpStatus.NOT_FOUND,
						"no operation of the API description matches " + request.getPath().value()) : null;
			}
			if (error.getKey().equals("validation.request.operation.notAllowed")) {
				return strict ? Rejection.of(HttpStatus.METHOD_NOT_ALLOWED,
						request.getMethod() + " is not an operation of " + request.getPath().value()) : null;
			}
			if (error.getKey().startsWith("validation.request.contentType")) {
				return Rejection.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, error.getMessage());
			}
		}
		List<Message> params = errors.stream().filter(RequestValidator::isParameterError).toList();
		boolean paramProblem = !params.isEmpty();
		List<Map<String, Object>> listed = new ArrayList<>();
		for (Message error : paramProblem ? params : errors) {
			if (listed.size() == maxErrors) {
				break;
			}
			listed.add(paramProblem ? parameterItem(error) : bodyItem(error));
		}
		return new Rejection(HttpStatus.BAD_REQUEST, paramProblem ? Rejection.PARAM_INVALID : Rejection.BODY_INVALID,
				listed);
	}

	private static boolean isParameterError(Message error) {
		return error.getKey().startsWith("validation.request.parameter")
				|| error.getContext().flatMap(ValidationReport.MessageContext::getParameter).isPresent();
	}

	private static Map<String, Object> parameterItem(Message error) {
		Map<String, Object> item = new LinkedHashMap<>();
		error.getContext().flatMap(ValidationReport.MessageContext::getParameter).ifPresent((parameter) -> {
			item.put("parameter", parameter.getName());
			item.put("in", parameter.getIn());
		});
		item.put("reason", error.getMessage());
		return item;
	}

	private static Map<String, Object> bodyItem(Message error) {
		Map<String, Object> item = new LinkedHashMap<>();
		String pointer = error.getContext()
			.flatMap(ValidationReport.MessageContext::getPointers)
			.map(ValidationReport.MessageContext.Pointers::getInstance)
			.orElse("");
		item.put("pointer", pointer);
		item.put("reason", error.getMessage());
		return item;
	}

	private static Request toModel(ServerHttpRequest request, byte[] body) {
		SimpleRequest.Builder builder = new SimpleRequest.Builder(request.getMethod().name(), request.getPath().value());
		request.getQueryParams().forEach((name, values) -> builder.withQueryParam(name,
				values.stream().map((value) -> (value != null) ? value : "").toList()));
		request.getHeaders().forEach(builder::withHeader);
		if (body.length > 0) {
			builder.withBody(body);
		}
		return builder.build();
	}

}
