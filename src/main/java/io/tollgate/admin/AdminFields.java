package io.tollgate.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * The fields of an Admin API request body, as Kong accepts them: JSON, form-encoded ({@code curl --data}) or
 * multipart ({@code curl -F}, a PEM file with {@code @}). Lists come as JSON arrays, repeated fields,
 * {@code tags[]=} or a comma-separated value. A body is read up to {@link #MAX_BYTES}; a larger one is refused.
 * A field given as JSON {@code null} or as an empty form value is present with no value (PATCH clears it).
 */
final class AdminFields {

	static final int MAX_BYTES = 64 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, List<String>> values;

	private AdminFields(Map<String, List<String>> values) {
		this.values = values;
	}

	static Mono<AdminFields> read(ServerRequest request) {
		long length = request.headers().contentLength().orElse(-1);
		if (length > MAX_BYTES) {
			return Mono.error(AdminApiException.tooLarge(MAX_BYTES));
		}
		MediaType type;
		try {
			type = request.headers().contentType().orElse(null);
		}
		catch (InvalidMediaTypeException ex) {
			return Mono.error(AdminApiException.unsupportedMediaType(ConsumersApi.printable(ex.getMediaType())));
		}
		if (type != null && MediaType.MULTIPART_FORM_DATA.includes(type)) {
			// Spring's multipart reader has limits of its own, not this one: only a body whose length is known
			// (curl -F sends it) and within the limit is handed to it.
			if (length < 0) {
				return Mono.error(AdminApiException.badRequest("A multipart body needs a Content-Length"));
			}
			return request.multipartData()
				.flatMap(AdminFields::fromParts)
				.onErrorMap((ex) -> !(ex instanceof AdminApiException),
						(ex) -> AdminApiException.badRequest("Malformed multipart body"));
		}
		return text(request.exchange().getRequest().getBody()).map((body) -> {
			if (body.isBlank()) {
				return new AdminFields(Map.of());
			}
			if (type == null || MediaType.APPLICATION_FORM_URLENCODED.includes(type)) {
				return fromForm(body);
			}
			if (MediaType.APPLICATION_JSON.includes(type) || type.getSubtype().endsWith("+json")) {
				return fromJson(body);
			}
			throw AdminApiException.unsupportedMediaType(type.toString());
		});
	}

	/** True when the request set this field (possibly to nothing). */
	boolean has(String name) {
		return this.values.containsKey(name);
	}

	/** The field's value, or null when absent or empty. */
	String text(String name) {
		List<String> list = this.values.get(name);
		return (list == null || list.isEmpty()) ? null : list.get(0);
	}

	/** The field's values, or null when absent or empty. */
	List<String> list(String name) {
		List<String> list = this.values.get(name);
		return (list == null || list.isEmpty()) ? null : List.copyOf(list);
	}

	/** The field as a whole number, or null when absent. */
	Long number(String name) {
		String text = text(name);
		if (text == null) {
			return null;
		}
		try {
			return Long.parseLong(text.trim());
		}
		catch (NumberFormatException ex) {
			throw AdminApiException.schemaViolation(name, "expected an integer");
		}
	}

	private static Mono<String> text(Flux<DataBuffer> body) {
		return DataBufferUtils.join(body, MAX_BYTES).map((buffer) -> {
			try {
				return buffer.toString(StandardCharsets.UTF_8);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		})
			.defaultIfEmpty("")
			.onErrorMap(DataBufferLimitException.class, (ex) -> AdminApiException.tooLarge(MAX_BYTES));
	}

	private static AdminFields fromForm(String body) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		for (String pair : body.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			try {
				String name = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
				String value = (equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
				add(values, name, value);
			}
			catch (IllegalArgumentException ex) {
				throw AdminApiException.badRequest("Malformed form body: " + ex.getMessage());
			}
		}
		return new AdminFields(values);
	}

	private static AdminFields fromJson(String body) {
		Object parsed;
		try {
			parsed = JSON.readValue(body, Object.class);
		}
		catch (JacksonException ex) {
			throw AdminApiException.badRequest("Cannot parse JSON body");
		}
		if (!(parsed instanceof Map<?, ?> object)) {
			throw AdminApiException.badRequest("Cannot parse JSON body: expected an object");
		}
		Map<String, List<String>> values = new LinkedHashMap<>();
		object.forEach((name, value) -> {
			List<String> list = new ArrayList<>();
			if (value instanceof List<?> elements) {
				for (Object element : elements) {
					list.add(scalar(name.toString(), element));
				}
			}
			else if (value != null) {
				list.add(scalar(name.toString(), value));
			}
			values.put(name.toString(), list);
		});
		return new AdminFields(values);
	}

	private static String scalar(String name, Object value) {
		if (value instanceof String || value instanceof Number || value instanceof Boolean) {
			return value.toString();
		}
		throw AdminApiException.schemaViolation(name, "expected a string, number or list of them");
	}

	private static Mono<AdminFields> fromParts(org.springframework.util.MultiValueMap<String, Part> parts) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		return Flux.fromIterable(parts.entrySet())
			.concatMap((entry) -> Flux.fromIterable(entry.getValue())
				.concatMap((part) -> partText(part).map((value) -> Map.entry(entry.getKey(), value))))
			.doOnNext((field) -> add(values, field.getKey(), field.getValue()))
			.then(Mono.fromSupplier(() -> new AdminFields(values)));
	}

	private static Mono<String> partText(Part part) {
		if (part instanceof FormFieldPart field) {
			return Mono.just(field.value());
		}
		if (part instanceof FilePart file) {
			return text(file.content());
		}
		return text(part.content());
	}

	private static void add(Map<String, List<String>> values, String name, String value) {
		String field = name.endsWith("[]") ? name.substring(0, name.length() - 2) : name;
		List<String> list = values.computeIfAbsent(field, (key) -> new ArrayList<>());
		if (value.isEmpty()) {
			return; // present, with no value
		}
		if (field.equals("tags") && value.indexOf(',') >= 0) {
			Arrays.stream(value.split(",")).map(String::trim).filter((tag) -> !tag.isEmpty()).forEach(list::add);
			return;
		}
		list.add(value);
	}

}
