package io.tollgate.admin;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.consumer.StoredConsumer;
import io.tollgate.ratelimit.RateLimitsEndpoint;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code /consumers} and {@code /consumers/{c}[/plan|/usage]}: Kong's consumer endpoints, plus Tollgate's plan and
 * usage. Configured consumers are listed and shown (marked {@code managed_by: configuration}) but not changed.
 */
final class ConsumersApi {

	private static final int DEFAULT_PAGE = 100;

	private static final int MAX_PAGE = 1000;

	private static final int MAX_NAME = 128;

	/** Control characters and Unicode's line and paragraph separators. */
	private static final Pattern LINE_BREAKING = Pattern.compile("[\\p{Cntrl}\\u0085\\u2028\\u2029]");

	private final RuntimeConsumerWrites writes;

	private final ConsumerRegistry registry;

	private final ObjectProvider<RateLimitsEndpoint> rateLimits;

	ConsumersApi(RuntimeConsumerWrites writes, ObjectProvider<RateLimitsEndpoint> rateLimits) {
		this.writes = writes;
		this.registry = writes.registry();
		this.rateLimits = rateLimits;
	}

	/**
	 * Configured consumers first (by position), then runtime ones (by username); Kong's {@code size} and
	 * {@code offset}, and its {@code custom_id} filter.
	 */
	Mono<ServerResponse> list(ServerRequest request) {
		if (request.queryParam("tags").isPresent()) {
			return Mono.error(AdminApiException.badRequest("filtering by tags is not supported"));
		}
		String customId = request.queryParam("custom_id").orElse(null);
		if (customId != null) {
			return byCustomId(request, customId);
		}
		int size = pageSize(request);
		String offset = request.queryParam("offset").orElse(null);
		String cursor = (offset != null) ? decode(offset) : "c0";
		List<Consumer> configured = this.registry.consumers();
		List<Object> data = new ArrayList<>();
		String after = null;
		if (cursor.startsWith("c")) {
			int from = parseIndex(cursor.substring(1));
			int to = Math.min(configured.size(), from + size);
			for (int i = from; i < to; i++) {
				data.add(KongViews.configured(configured.get(i)));
			}
			if (to < configured.size()) {
				return page(request, data, "c" + to);
			}
			if (data.size() == size) {
				return page(request, data, "r"); // full with the last configured ones: runtime ones on the next
			}
		}
		else if (cursor.startsWith("r")) {
			after = cursor.substring(1).isEmpty() ? null : cursor.substring(1);
		}
		else {
			return Mono.error(AdminApiException.badRequest("invalid offset"));
		}
		int wanted = size - data.size();
		String from = after;
		return this.writes.store()
			.flatMap((store) -> store.page(from, wanted))
			.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
			.flatMap((page) -> {
				page.consumers().forEach((consumer) -> data.add(KongViews.consumer(consumer)));
				List<String> names = page.usernames();
				String next = (names.size() == wanted) ? "r" + names.get(names.size() - 1) : null;
				return page(request, data, next);
			});
	}

	/** {@code GET /consumers?custom_id=}: the one consumer with that custom id, in a list, or an empty list. */
	private Mono<ServerResponse> byCustomId(ServerRequest request, String customId) {
		Consumer configured = this.registry.findConfiguredByCustomId(customId);
		if (configured != null) {
			return page(request, List.of(KongViews.configured(configured)), null);
		}
		return this.writes.store()
			.flatMap((store) -> store.ownerOf("custom_id:" + customId).flatMap(store::get))
			.onErrorMap(RuntimeConsumerWrites::isRedisFailure, RuntimeConsumerWrites::unreachable)
			.map((consumer) -> List.<Object>of(KongViews.consumer(consumer)))
			.defaultIfEmpty(List.of())
			.flatMap((data) -> page(request, data, null));
	}

	Mono<ServerResponse> create(ServerRequest request) {
		return AdminFields.read(request).flatMap((fields) -> {
			String username = name(fields, "username");
			if (username == null) {
				throw AdminApiException.schemaViolation("username",
						"required: Tollgate identifies consumers by username (X-Consumer-Username)");
			}
			StoredConsumer consumer = new StoredConsumer(UUID.randomUUID().toString(), username,
					name(fields, "custom_id"), fields.list("tags"), now(), plan(fields), List.of(), List.of(),
					List.of());
			return this.writes.create(consumer);
		})
			.flatMap((created) -> audit(request, "consumer.create", created.username(), null).thenReturn(created))
			.flatMap((created) -> ServerResponse.status(HttpStatus.CREATED).bodyValue(KongViews.consumer(created)));
	}

	Mono<ServerResponse> get(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		if (this.registry.isConfigured(wanted)) {
			return ServerResponse.ok().bodyValue(KongViews.configured(this.registry.find(wanted)));
		}
		return this.writes.find(wanted)
			.flatMap((consumer) -> ServerResponse.ok().bodyValue(KongViews.consumer(consumer)));
	}

	Mono<ServerResponse> update(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return AdminFields.read(request)
			.flatMap((fields) -> this.writes.modify(wanted, (current) -> {
				String username = name(fields, "username");
				if (fields.has("username") && !current.username().equals(username)) {
					throw AdminApiException.schemaViolation("username",
							"cannot be changed (create a new consumer and delete this one)");
				}
				String customId = fields.has("custom_id") ? name(fields, "custom_id") : current.customId();
				if (this.writes.isConfiguredCustomId(customId)) {
					throw AdminApiException.uniqueViolation("custom_id", customId);
				}
				List<String> tags = fields.has("tags") ? fields.list("tags") : current.tags();
				StoredConsumer next = current.withIdentity(current.username(), customId, tags);
				return fields.has("plan") ? next.withPlan(plan(fields)) : next;
			}).flatMap((changed) -> audit(request, "consumer.update", changed.username(),
					"fields " + String.join(", ", fieldNames(fields))).thenReturn(changed)))
			.flatMap((changed) -> ServerResponse.ok().bodyValue(KongViews.consumer(changed)));
	}

	/** Like Kong: 204 whether or not the consumer existed. */
	Mono<ServerResponse> delete(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return this.writes.delete(wanted)
			.flatMap((deleted) -> audit(request, "consumer.delete", deleted.username(), null)
				.then(this.writes.forgetLastUsed(deleted.keys().stream().map(StoredConsumer.Key::id).toList())))
			.onErrorResume(AdminApiException.class,
					(ex) -> (ex.status() == HttpStatus.NOT_FOUND) ? Mono.empty() : Mono.error(ex))
			.then(ServerResponse.noContent().build());
	}

	Mono<ServerResponse> getPlan(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		if (this.registry.isConfigured(wanted)) {
			Consumer consumer = this.registry.find(wanted);
			return ServerResponse.ok().bodyValue(planView(consumer.id(), consumer.plan()));
		}
		return this.writes.find(wanted)
			.flatMap((consumer) -> ServerResponse.ok().bodyValue(planView(consumer.id(), consumer.plan())));
	}

	/** {@code PUT /consumers/{c}/plan} with {@code plan}: a name from {@code tollgate.plans}, or empty for none. */
	Mono<ServerResponse> putPlan(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		return AdminFields.read(request)
			.flatMap((fields) -> this.writes.modify(wanted, (current) -> current.withPlan(plan(fields))))
			.flatMap((changed) -> audit(request, "plan.set", changed.username(), "plan " + changed.plan())
				.thenReturn(changed))
			.flatMap((changed) -> ServerResponse.ok().bodyValue(planView(changed.id(), changed.plan())));
	}

	/** Every window and quota the consumer uses, on every rate-limited route, read without counting. */
	Mono<ServerResponse> usage(ServerRequest request) {
		String wanted = request.pathVariable("consumer");
		RateLimitsEndpoint endpoint = this.rateLimits.getIfAvailable();
		if (endpoint == null) {
			return Mono.error(AdminApiException.notFound());
		}
		Mono<List<String>> credentials;
		Consumer consumer = this.registry.find(wanted);
		if (this.registry.isConfigured(wanted)) {
			credentials = Mono.just(List.of());
		}
		else {
			credentials = this.writes.find(wanted)
				.map((stored) -> stored.keys().stream().map(StoredConsumer.Key::id).toList());
		}
		return credentials.flatMap((ids) -> {
			if (consumer == null) {
				return Mono.error(AdminApiException.notFound()); // in Redis, not yet on this replica
			}
			return endpoint.usage(consumer, ids, request.queryParam("route").orElse(null));
		}).flatMap((usage) -> ServerResponse.ok().bodyValue(usage));
	}

	private Map<String, Object> planView(String consumerId, String plan) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("consumer", Map.of("id", consumerId));
		view.put("plan", plan);
		view.put("limits", (plan != null) ? this.registry.planLimits(plan) : null);
		return view;
	}

	/** A plan field: a configured plan's name, or null (absent or empty). */
	private String plan(AdminFields fields) {
		String plan = fields.text("plan");
		if (plan != null && !this.registry.planNames().contains(plan)) {
			throw AdminApiException.schemaViolation("plan",
					"unknown plan '" + printable(plan) + "'; tollgate.plans defines " + this.registry.planNames());
		}
		return plan;
	}

	private Mono<ServerResponse> page(ServerRequest request, List<Object> data, String next) {
		String offset = (next != null) ? encode(next) : null;
		String nextUrl = (offset != null) ? request.path() + "?offset=" + offset
				+ request.queryParam("size").map((size) -> "&size=" + size).orElse("") : null;
		return ServerResponse.ok().bodyValue(KongViews.page(data, nextUrl, offset));
	}

	private static int pageSize(ServerRequest request) {
		String size = request.queryParam("size").orElse(null);
		if (size == null) {
			return DEFAULT_PAGE;
		}
		try {
			int value = Integer.parseInt(size);
			if (value >= 1 && value <= MAX_PAGE) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw AdminApiException.schemaViolation("size", "must be a number between 1 and " + MAX_PAGE);
	}

	private static int parseIndex(String index) {
		try {
			return Math.max(0, Integer.parseInt(index));
		}
		catch (NumberFormatException ex) {
			throw AdminApiException.badRequest("invalid offset");
		}
	}

	private static String encode(String cursor) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
	}

	private static String decode(String offset) {
		try {
			return new String(Base64.getUrlDecoder().decode(offset), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw AdminApiException.badRequest("invalid offset");
		}
	}

	/**
	 * A username or custom id: at most {@value #MAX_NAME} characters, no control characters (they would be sent
	 * upstream in a header and written to the audit log); null when absent or empty.
	 */
	static String name(AdminFields fields, String field) {
		String value = fields.text(field);
		if (value == null) {
			return null;
		}
		if (value.length() > MAX_NAME) {
			throw AdminApiException.schemaViolation(field, "length must be at most " + MAX_NAME);
		}
		if (LINE_BREAKING.matcher(value).find()) {
			throw AdminApiException.schemaViolation(field, "must not contain control characters or line separators");
		}
		if (value.isBlank()) {
			throw AdminApiException.schemaViolation(field, "must not be blank");
		}
		return value;
	}

	/** A value from a request as a message or log may show it: short, on one line. */
	static String printable(String value) {
		String shown = (value.length() > 128) ? value.substring(0, 128) + "..." : value;
		return LINE_BREAKING.matcher(shown).replaceAll("?");
	}

	private static List<String> fieldNames(AdminFields fields) {
		List<String> names = new ArrayList<>();
		for (String name : List.of("username", "custom_id", "tags", "plan")) {
			if (fields.has(name)) {
				names.add(name);
			}
		}
		return names;
	}

	static long now() {
		return System.currentTimeMillis() / 1000;
	}

	/** Records a change on the {@code tollgate.audit} log, with the admin user and the client's address. */
	static Mono<Void> audit(ServerRequest request, String action, String consumer, String detail) {
		return request.principal()
			.map(Principal::getName)
			.defaultIfEmpty("unknown")
			.doOnNext((admin) -> AdminAudit.record(admin, request.remoteAddress().orElse(null), action, consumer,
					detail))
			.then();
	}

}
