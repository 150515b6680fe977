package io.tollgate.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static io.tollgate.migrate.KongImport.PLAIN_PATH;
import static io.tollgate.migrate.KongImport.group;
import static io.tollgate.migrate.KongImport.map;
import static io.tollgate.migrate.KongImport.orDefault;
import static io.tollgate.migrate.KongImport.pluginEntity;
import static io.tollgate.migrate.KongImport.safeId;

/**
 * Kong's plugins as Tollgate's filters and settings, one method per plugin: key-auth, jwt, acl, ip-restriction,
 * rate-limiting, proxy-cache, request-size-limiting, request-validator, cors, correlation-id, prometheus,
 * request-transformer and response-transformer. Fields the mapping does not read are reported.
 */
final class KongPlugins {

	/** Kong values that are not literal there: templates and vault references. */
	private static final Pattern NOT_LITERAL = Pattern.compile("\\$\\(|\\{vault://");

	/** Finds a consumer's username by its username, id or custom id; reports a dangling reference at its line. */
	interface Consumers {

		String username(String reference, YamlNode at);

	}

	private final String file;

	private final ImportReport report;

	private final ConfigOutput output;

	private final Consumers consumers;

	/** Settings gateway-wide in Tollgate but per plugin in Kong: the first value wins, others are reported. */
	private final Map<String, Object> firstSetting = new HashMap<>();

	private int schemaCount;

	KongPlugins(String file, ImportReport report, ConfigOutput output, Consumers consumers) {
		this.file = file;
		this.report = report;
		this.output = output;
		this.consumers = consumers;
	}

	/**
	 * Adds what the plugin becomes on one route: a filter, arguments of the route's ValidateRequest, CORS metadata or
	 * a gateway-wide setting; or reports it.
	 *
	 * @param scope {@code route}, {@code service} or {@code global}: where the plugin was configured
	 * @param group the rate-limit counter group of this scope on this route, or null
	 */
	void apply(String name, YamlNode plugin, String entity, String scope, String group, String service,
			List<Object> filters, Map<String, Object> validate, Map<String, Object> metadata) {
		YamlNode config = config(plugin);
		switch (name) {
			case "key-auth" -> filters.add(keyAuth(config, entity));
			case "jwt" -> filters.add(jwt(config, entity));
			case "acl" -> filters.add(acl(config, entity));
			case "ip-restriction" -> filters.add(ipRestriction(config, entity));
			case "rate-limiting" -> {
				Object filter = rateLimit(config, entity, scope, group, service);
				if (filter != null) {
					filters.add(filter);
				}
			}
			case "proxy-cache" -> filters.add(proxyCache(config, entity));
			case "request-size-limiting" -> requestSize(config, entity, validate);
			case "request-validator" -> requestValidator(config, entity, validate);
			case "cors" -> cors(config, entity, scope, metadata);
			case "correlation-id" -> correlationId(config, entity);
			case "prometheus" -> config.ignore(config.keys().toArray(String[]::new)); // always on: /actuator/prometheus
			case "request-transformer" -> requestTransformer(config, entity, filters);
			case "response-transformer" -> responseTransformer(config, entity, filters);
			default -> {
				this.report.leftOut(entity, "plugin " + name, "no Tollgate counterpart");
				return;
			}
		}
		this.report.unread(config, entity);
	}

	/** The plugin's config (empty when it has none); the plugin's own unknown fields reported. */
	YamlNode config(YamlNode plugin) {
		YamlNode config = plugin.mapping("config");
		if (config == null) {
			config = YamlNode.parse("{}", this.file);
		}
		this.report.unread(plugin, pluginEntity(plugin.string("name"), plugin));
		return config;
	}

	private Object keyAuth(YamlNode config, String entity) {
		Map<String, Object> args = new LinkedHashMap<>();
		List<String> names = config.strings("key_names");
		args.put("key-names", names.isEmpty() ? List.of("apikey") : names);
		args.put("hide-credentials", config.bool("hide_credentials", false));
		anonymous(config, args);
		if (config.has("realm")) {
			args.put("realm", config.string("realm"));
		}
		if (config.bool("key_in_body", false)) {
			this.report.leftOut(entity, "key_in_body: true", "Tollgate reads keys from headers and the query only");
		}
		if (!config.bool("key_in_header", true) || !config.bool("key_in_query", true)) {
			this.report.difference(entity, "key_in_header/key_in_query false",
					"Tollgate reads every key name from both the header and the query");
		}
		preflight(config, entity);
		return map("name", "KeyAuth", "args", args);
	}

	private void preflight(YamlNode config, String entity) {
		if (!config.bool("run_on_preflight", true)) {
			this.report.difference(entity, "run_on_preflight: false",
					"CORS preflights never meet auth in Tollgate (with CORS configured); other OPTIONS requests do");
		}
	}

	private void anonymous(YamlNode config, Map<String, Object> args) {
		YamlNode anonymous = config.get("anonymous");
		if (anonymous == null || anonymous.scalar().isEmpty()) {
			return;
		}
		String reference = anonymous.scalar();
		String username = this.consumers.username(reference, anonymous);
		args.put("anonymous", username);
	}

	private Object jwt(YamlNode config, String entity) {
		Map<String, Object> args = new LinkedHashMap<>();
		args.put("key-claim-name", config.string("key_claim_name", "iss"));
		List<String> params = config.has("uri_param_names") ? config.strings("uri_param_names") : List.of("jwt");
		if (!params.isEmpty()) {
			args.put("query-param", params.get(0));
			if (params.size() > 1) {
				this.report.leftOut(entity, "uri_param_names " + params.subList(1, params.size()),
						"Tollgate reads one query parameter");
			}
		}
		List<String> cookies = config.strings("cookie_names");
		if (!cookies.isEmpty()) {
			args.put("cookie", cookies.get(0));
			if (cookies.size() > 1) {
				this.report.leftOut(entity, "cookie_names " + cookies.subList(1, cookies.size()),
						"Tollgate reads one cookie");
			}
		}
		anonymous(config, args);
		if (config.has("realm")) {
			args.put("realm", config.string("realm"));
		}
		List<String> claims = config.strings("claims_to_verify");
		if (!claims.contains("exp")) {
			this.report.difference(entity, "claims_to_verify " + claims,
					"Tollgate always requires a valid exp (and checks nbf when present): tokens without exp are refused");
		}
		Long maximum = config.number("maximum_expiration");
		if (maximum != null && maximum > 0) {
			this.report.leftOut(entity, "maximum_expiration: " + maximum, "no such check in Tollgate");
		}
		if (config.bool("secret_is_base64", false)) {
			this.report.leftOut(entity, "secret_is_base64: true",
					"Tollgate uses secrets as written; decode them before import");
		}
		List<String> headers = config.strings("header_names");
		if (!headers.isEmpty() && !(headers.size() == 1 && headers.get(0).equalsIgnoreCase("authorization"))) {
			this.report.difference(entity, "header_names " + headers, "Tollgate reads Authorization: Bearer");
		}
		preflight(config, entity);
		return map("name", "JwtAuth", "args", args);
	}

	/** {@code allow} and {@code deny} (Kong 2's {@code whitelist} and {@code blacklist}), as Acl and IpRestriction take them. */
	private static Map<String, Object> allowDeny(YamlNode config) {
		Map<String, Object> args = new LinkedHashMap<>();
		List<String> allow = config.has("allow") ? config.strings("allow") : config.strings("whitelist");
		List<String> deny = config.has("deny") ? config.strings("deny") : config.strings("blacklist");
		if (!allow.isEmpty()) {
			args.put("allow", allow);
		}
		if (!deny.isEmpty()) {
			args.put("deny", deny);
		}
		return args;
	}

	private Object acl(YamlNode config, String entity) {
		Map<String, Object> args = allowDeny(config);
		if (config.bool("hide_groups_header", false)) {
			this.report.difference(entity, "hide_groups_header: true",
					"Tollgate always sends X-Consumer-Groups upstream");
		}
		config.ignore("include_consumer_groups", "always_use_authenticated_groups");
		return map("name", "Acl", "args", args);
	}

	private Object ipRestriction(YamlNode config, String entity) {
		Map<String, Object> args = allowDeny(config);
		Long status = config.number("status");
		String message = config.string("message");
		if ((status != null && status != 403) || message != null) {
			this.report.difference(entity, "status/message", "Tollgate answers 403 `Your IP address is not allowed`");
		}
		return map("name", "IpRestriction", "args", args);
	}

	/** A rate-limiting config's windows, in Tollgate's names; {@code year} reported. */
	Map<String, Object> windows(YamlNode config, String entity) {
		Map<String, Object> limits = new LinkedHashMap<>();
		for (String window : List.of("second", "minute", "hour", "day", "month")) {
			Long limit = config.number(window);
			if (limit != null) {
				limits.put(window, limit);
			}
		}
		Long year = config.number("year");
		if (year != null) {
			this.report.leftOut(entity, "year: " + year, "no yearly window in Tollgate");
		}
		return limits;
	}

	private Object rateLimit(YamlNode config, String entity, String scope, String group, String service) {
		Map<String, Object> args = windows(config, entity);
		if (args.isEmpty()) {
			return null;
		}
		String limitBy = config.string("limit_by", "consumer");
		switch (limitBy) {
			case "consumer", "credential", "ip", "header" -> args.put("limit-by", limitBy);
			case "service" -> args.put("limit-by", "route");
			case "path" -> {
				args.put("limit-by", "path");
				this.report.difference(entity, "limit_by: path", "Tollgate counts per request path; Kong counts the "
						+ "configured path only");
			}
			default -> this.report.leftOut(entity, "limit_by: " + limitBy, "not a Tollgate limit-by");
		}
		config.get("path");
		if (limitBy.equals("header")) {
			args.put("header-name", config.string("header_name"));
		}
		else {
			config.get("header_name");
		}
		if (limitBy.equals("service") && !scope.equals("route")) {
			// Kong counts per service, whichever route of it
			args.put("group", group("service-" + safeId(service)));
		}
		else if (scope.equals("global")) {
			args.put("scope", "global"); // Kong's counters of a global plugin are shared by every route
		}
		else if (group != null) {
			args.put("group", group); // ... and those of a service's plugin by the service's routes
		}
		if (config.bool("hide_client_headers", false)) {
			args.put("hide-client-headers", true);
		}
		String policy = config.string("policy", "local");
		setting("tollgate.rate-limiting.store", policy.equals("local") ? "local" : "redis", entity,
				"policy: " + policy);
		if (policy.equals("cluster")) {
			this.report.difference(entity, "policy: cluster", "Kong keeps these counters in its database; Tollgate "
					+ "shares them through Redis: set spring.data.redis.host (else it tries localhost:6379)");
		}
		if (!policy.equals("local")) {
			redis(config, entity);
		}
		else {
			config.ignore("redis", "redis_host", "redis_port", "redis_password", "redis_username", "redis_database",
					"redis_timeout", "redis_ssl", "redis_ssl_verify", "redis_server_name");
		}
		setting("tollgate.rate-limiting.fault-tolerant", config.bool("fault_tolerant", true), entity,
				"fault_tolerant");
		Double syncRate = config.decimal("sync_rate");
		if (syncRate != null && syncRate > 0) {
			args.put("sync", "batched");
			setting("tollgate.rate-limiting.sync-interval", Math.round(syncRate * 1000) + "ms", entity,
					"sync_rate: " + syncRate);
		}
		Long code = config.number("error_code");
		String message = config.string("error_message");
		if ((code != null && code != 429) || (message != null && !message.equals("API rate limit exceeded"))) {
			this.report.difference(entity, "error_code/error_message", "Tollgate answers 429 `API rate limit exceeded`");
		}
		return map("name", "RateLimit", "args", args);
	}

	private void redis(YamlNode config, String entity) {
		YamlNode nested = config.mapping("redis");
		String host = (nested != null) ? nested.string("host") : config.string("redis_host");
		Long port = (nested != null) ? nested.number("port") : config.number("redis_port");
		Long database = (nested != null) ? nested.number("database") : config.number("redis_database");
		boolean ssl = (nested != null) ? nested.bool("ssl", false) : config.bool("redis_ssl", false);
		String password = (nested != null) ? nested.string("password") : config.string("redis_password");
		config.ignore("redis_timeout", "redis_ssl_verify", "redis_server_name", "redis_username");
		if (nested != null) {
			nested.ignore(nested.keys().toArray(String[]::new));
		}
		if (host != null) {
			setting("spring.data.redis.host", host, entity, "redis host");
			setting("spring.data.redis.port", (port != null) ? port : 6379L, entity, "redis port");
			if (database != null && database != 0) {
				setting("spring.data.redis.database", database, entity, "redis database");
			}
			if (ssl) {
				setting("spring.data.redis.ssl.enabled", true, entity, "redis ssl");
			}
		}
		if (password != null) {
			this.report.difference(entity, "redis password", "not written: set SPRING_DATA_REDIS_PASSWORD");
		}
	}

	/** A gateway-wide setting from a plugin's field: the first plugin decides; a different value is reported. */
	private void setting(String property, Object value, String entity, String what) {
		Object first = this.firstSetting.putIfAbsent(property, value);
		if (first == null) {
			this.output.settings.put(property, value);
		}
		else if (!first.equals(value)) {
			this.report.difference(entity, what, property + " is gateway-wide in Tollgate; it was set to " + first
					+ " by an earlier plugin");
		}
	}

	private Object proxyCache(YamlNode config, String entity) {
		Map<String, Object> args = new LinkedHashMap<>();
		args.put("ttl", orDefault(config.number("cache_ttl"), 300L) + "s");
		List<String> statuses = config.strings("response_code");
		List<Integer> codes = new ArrayList<>();
		for (String status : statuses) {
			try {
				codes.add(Integer.valueOf(status));
			}
			catch (NumberFormatException ex) {
				this.report.leftOut(entity, "response_code " + status, "not a status code");
			}
		}
		args.put("statuses", codes.isEmpty() ? List.of(200, 301, 404) : codes);
		List<String> methods = config.strings("request_method");
		args.put("methods", methods.isEmpty() ? List.of("GET", "HEAD") : methods);
		List<String> unsafe = methods.stream().filter((method) -> !List.of("GET", "HEAD", "OPTIONS", "TRACE")
			.contains(method.toUpperCase(java.util.Locale.ROOT))).toList();
		if (!unsafe.isEmpty()) {
			this.report.difference(entity, "request_method " + unsafe, "not cached: a successful " + unsafe
					+ " removes the cached entries of its URI instead (RFC 9111 section 4.4)");
		}
		List<String> types = config.strings("content_type");
		args.put("content-types", types.isEmpty() ? List.of("text/plain", "application/json") : types);
		args.put("cache-control", config.bool("cache_control", false));
		List<String> vary = config.strings("vary_headers");
		if (!vary.isEmpty()) {
			args.put("vary-headers", vary);
		}
		String strategy = config.string("strategy", "memory");
		setting("tollgate.response-cache.store", strategy.equals("redis") ? "redis" : "memory", entity,
				"strategy: " + strategy);
		if (!config.strings("vary_query_params").isEmpty()) {
			this.report.difference(entity, "vary_query_params", "Tollgate keys on the whole query string");
		}
		if (config.bool("ignore_uri_case", false)) {
			this.report.leftOut(entity, "ignore_uri_case: true", "Tollgate's cache keys keep the path's case");
		}
		config.ignore("memory", "storage_ttl", "redis");
		if (config.number("storage_ttl") != null) {
			this.report.difference(entity, "storage_ttl", "entries are kept for their ttl (plus stale-if-error)");
		}
		return map("name", "ResponseCache", "args", args);
	}

	private void requestSize(YamlNode config, String entity, Map<String, Object> validate) {
		long size = orDefault(config.number("allowed_payload_size"), 128L);
		String unit = config.string("size_unit", "megabytes");
		String suffix = switch (unit) {
			case "bytes" -> "B";
			case "kilobytes" -> "KB";
			default -> "MB";
		};
		validate.put("max-body-size", size + suffix);
		if (config.bool("require_content_length", false)) {
			this.report.leftOut(entity, "require_content_length: true",
					"Tollgate accepts chunked bodies, cut off at the limit");
		}
	}

	private void requestValidator(YamlNode config, String entity, Map<String, Object> validate) {
		String schema = config.string("body_schema");
		String version = config.string("version", "kong");
		config.ignore("verbose_response");
		List<String> types = config.strings("allowed_content_types");
		validate.put("content-types", types.isEmpty() ? List.of("application/json") : types);
		if (config.has("parameter_schema")) {
			config.get("parameter_schema");
			this.report.leftOut(entity, "parameter_schema", "use ValidateRequest with an OpenAPI document "
					+ "(openapi import) for parameters");
		}
		if (schema == null) {
			return;
		}
		String json;
		if (version.equals("draft4")) {
			if (!KongSchemas.isJson(schema)) {
				this.report.leftOut(entity, "body_schema", "not valid JSON");
				return;
			}
			json = schema.contains("\"$schema\"") ? schema
					: schema.replaceFirst("\\{", "{\"\\$schema\": \"http://json-schema.org/draft-04/schema#\", ");
		}
		else {
			json = KongSchemas.toJsonSchema(schema);
			if (json == null) {
				this.report.leftOut(entity, "body_schema (Kong schema format)", "only flat fields of type string, "
						+ "number, integer, boolean, array and map convert to JSON Schema; write it as draft4");
				return;
			}
		}
		String path = "schemas/kong-" + (++this.schemaCount) + ".json";
		this.output.files.put(path, json);
		validate.put("body-schema", ConfigOutput.DIR + "/" + path);
	}

	private void cors(YamlNode config, String entity, String scope, Map<String, Object> metadata) {
		Map<String, Object> cors = new LinkedHashMap<>();
		List<String> origins = config.strings("origins");
		List<String> patterns = new ArrayList<>();
		for (String origin : origins) {
			if (origin.equals("*") || PLAIN_PATH.matcher(origin.replace(":", "")).matches()) {
				patterns.add(origin);
			}
			else {
				this.report.leftOut(entity, "origin " + origin, "a regular expression: Tollgate matches origins "
						+ "literally or with '*' patterns (allowedOriginPatterns)");
			}
		}
		cors.put("allowedOriginPatterns", patterns.isEmpty() ? List.of("*") : patterns);
		List<String> methods = config.strings("methods");
		cors.put("allowedMethods", methods.isEmpty()
				? List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS") : methods);
		List<String> headers = config.strings("headers");
		cors.put("allowedHeaders", headers.isEmpty() ? List.of("*") : headers);
		List<String> exposed = config.strings("exposed_headers");
		if (!exposed.isEmpty()) {
			cors.put("exposedHeaders", exposed);
		}
		cors.put("allowCredentials", config.bool("credentials", false));
		Long maxAge = config.number("max_age");
		if (maxAge != null) {
			cors.put("maxAge", maxAge);
		}
		if (config.bool("preflight_continue", false)) {
			this.report.leftOut(entity, "preflight_continue: true", "Tollgate answers preflights itself");
		}
		config.ignore("private_network");
		if (scope.equals("global")) {
			this.output.globalCors.putIfAbsent("[/**]", cors);
		}
		else {
			metadata.put("cors", cors);
		}
	}

	private void correlationId(YamlNode config, String entity) {
		String header = config.string("header_name", "Kong-Request-ID");
		config.ignore("generator", "echo_downstream");
		if (!header.equalsIgnoreCase("X-Request-ID")) {
			this.report.difference(entity, "header_name: " + header, "Tollgate's request id is X-Request-ID, "
					+ "always sent upstream and back to the client");
		}
	}

	/** The {@code name:value} pairs of a transformer section that can be written, others reported. */
	private List<String[]> pairs(List<String> headers, String entity, String section) {
		List<String[]> pairs = new ArrayList<>();
		for (String pair : headers) {
			String[] parts = pair.split(":", 2);
			if (parts.length < 2 || parts[0].isBlank()) {
				this.report.leftOut(entity, section + ".headers " + pair, "not a name:value pair");
			}
			else if (NOT_LITERAL.matcher(parts[1]).find()) {
				this.report.leftOut(entity, section + ".headers " + parts[0],
						"a Kong template or vault reference, which Tollgate would send as it is written");
			}
			else if (parts[1].contains("{") || parts[1].contains("}")) {
				this.report.leftOut(entity, section + ".headers " + parts[0], "Spring Cloud Gateway expands {...} in "
						+ "header values as URI variables, so the value cannot be sent as written");
			}
			else {
				pairs.add(parts);
			}
		}
		return pairs;
	}

	private void requestTransformer(YamlNode config, String entity, List<Object> filters) {
		transform(config, entity, "remove", (headers) -> headers.forEach(
				(header) -> filters.add(map("name", "RemoveRequestHeader", "args", map("name", header)))));
		transform(config, entity, "rename", (headers) -> pairs(headers, entity, "rename").forEach((parts) -> {
			filters.add(map("name", "MapRequestHeader", "args", map("fromHeader", parts[0], "toHeader", parts[1])));
			filters.add(map("name", "RemoveRequestHeader", "args", map("name", parts[0])));
		}));
		transform(config, entity, "replace", (headers) -> pairs(headers, entity, "replace").forEach((parts) -> {
			filters.add(map("name", "SetRequestHeader", "args", map("name", parts[0], "value", parts[1])));
			this.report.difference(entity, "replace.headers " + parts[0], "set even when the request lacks it");
		}));
		transform(config, entity, "add", (headers) -> pairs(headers, entity, "add").forEach((parts) -> {
			if (parts[1].contains(",")) { // the filter's shortcut form splits on commas
				this.report.leftOut(entity, "add.headers " + parts[0], "a value with ',' cannot be added if absent");
			}
			else {
				filters.add("AddRequestHeadersIfNotPresent=" + parts[0] + ":" + parts[1]);
			}
		}));
		transform(config, entity, "append", (headers) -> pairs(headers, entity, "append").forEach((parts) ->
				filters.add(map("name", "AddRequestHeader", "args", map("name", parts[0], "value", parts[1])))));
		if (config.has("http_method")) {
			this.report.leftOut(entity, "http_method", "Tollgate does not change the method");
			config.get("http_method");
		}
	}

	private void responseTransformer(YamlNode config, String entity, List<Object> filters) {
		transform(config, entity, "remove", (headers) -> headers.forEach(
				(header) -> filters.add(map("name", "RemoveResponseHeader", "args", map("name", header)))));
		transform(config, entity, "rename", (headers) -> {
			if (!headers.isEmpty()) {
				this.report.leftOut(entity, "rename.headers " + headers, "no response header rename in Tollgate");
			}
		});
		transform(config, entity, "replace", (headers) -> pairs(headers, entity, "replace").forEach((parts) -> {
			filters.add(map("name", "SetResponseHeader", "args", map("name", parts[0], "value", parts[1])));
			this.report.difference(entity, "replace.headers " + parts[0], "set even when the response lacks it");
		}));
		transform(config, entity, "add", (headers) -> pairs(headers, entity, "add").forEach((parts) ->
				filters.add(map("name", "AddResponseHeader", "args",
						map("name", parts[0], "value", parts[1], "override", false)))));
		transform(config, entity, "append", (headers) -> pairs(headers, entity, "append").forEach((parts) ->
				filters.add(map("name", "AddResponseHeader", "args", map("name", parts[0], "value", parts[1])))));
	}

	/** One section (remove, rename, ...) of a transformer: its headers mapped, anything else reported. */
	private void transform(YamlNode config, String entity, String section,
			Consumer<List<String>> headers) {
		YamlNode part = config.mapping(section);
		if (part == null) {
			return;
		}
		headers.accept(part.strings("headers"));
		for (String key : part.keys()) {
			if (!key.equals("headers") && part.has(key)) {
				Object value = part.plain(key);
				boolean empty = (value instanceof List<?> list && list.isEmpty())
						|| (value instanceof Map<?, ?> map && map.isEmpty()) || "".equals(value);
				if (!empty) {
					this.report.leftOut(entity, section + "." + key, "Tollgate's transformers change headers only");
				}
			}
		}
	}

}
