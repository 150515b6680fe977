package io.tollgate.migrate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.tollgate.consumer.Sha256;

/**
 * Reads a Kong declarative configuration ({@code _format_version} 2.1 or 3.0, as decK and
 * {@code kong config db_export} write it) and builds the Tollgate configuration that does the same: services and
 * routes become Spring Cloud Gateway routes, upstreams static {@code lb://} instances, consumers and their
 * credentials {@code tollgate.consumers} (API keys as SHA-256 digests only), plugins Tollgate's filters. What has
 * no counterpart goes into the report, with the entity, its line and why.
 */
final class KongImport {

	private static final Set<String> FORMATS = Set.of("2.1", "3.0");

	/** Top-level sections read below; any other is reported. */
	private static final Set<String> SECTIONS = Set.of("_format_version", "_transform", "_workspace", "_info",
			"_comment", "services", "routes", "consumers", "plugins", "upstreams", "targets", "keyauth_credentials",
			"jwt_secrets", "acls");

	/** Fields of any entity that carry no behaviour. */
	private static final String[] BOOKKEEPING = { "id", "created_at", "updated_at", "tags", "ws_id" };

	/** A 2.x path is a regex when it holds anything but these (Kong 2's own rule). */
	static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9._~/%-]*");

	private static final Pattern SAFE_ID = Pattern.compile("[^A-Za-z0-9_-]+");

	/** What a host name, and so an {@code lb://} service id, may hold. */
	private static final Pattern HOST_ID = Pattern.compile("[^A-Za-z0-9-]+");

	/** Kong's authentication plugins Tollgate has no counterpart for: a route that needs one is not written. */
	private static final Set<String> OTHER_AUTH = Set.of("basic-auth", "hmac-auth", "oauth2", "ldap-auth",
			"ldap-auth-advanced", "openid-connect", "mtls-auth", "session", "key-auth-enc", "oauth2-introspection",
			"vault-auth", "saml", "jwe-decrypt", "header-cert-auth");

	private final Set<String> serviceIds = new HashSet<>();

	private final Set<String> planNames = new HashSet<>();

	private final String file;

	private final ImportReport report = new ImportReport("Kong import report");

	private final ConfigOutput output = new ConfigOutput();

	private String format;

	private final Map<String, YamlNode> services = new LinkedHashMap<>();

	private final Map<String, String> serviceNames = new HashMap<>();

	private final List<RouteEntry> routes = new ArrayList<>();

	private final Map<String, ConsumerEntry> consumers = new LinkedHashMap<>();

	private final List<PluginEntry> plugins = new ArrayList<>();

	private final Map<String, UpstreamEntry> upstreams = new LinkedHashMap<>();

	private final Set<String> routeIds = new HashSet<>();

	private boolean prefixPaths;

	private final KongPlugins pluginMapper;

	private KongImport(String file) {
		this.file = file;
		this.pluginMapper = new KongPlugins(file, this.report, this.output, this::consumerRef);
	}

	record Result(ConfigOutput output, ImportReport report) {
	}

	/** @throws ImportException for input that is not a Kong declarative configuration, naming the line */
	static Result read(String text, String file) {
		KongImport kong = new KongImport(file);
		kong.run(YamlNode.parse(text, file));
		return new Result(kong.output, kong.report);
	}

	// ---------------------------------------------------------------------------------------------------- input

	private record RouteEntry(YamlNode node, String service, int index) {
	}

	private record PluginEntry(YamlNode node, String name, String service, String route, String consumer) {
	}

	private static final class ConsumerEntry {

		final YamlNode node;

		final String username;

		final Map<String, Object> out = new LinkedHashMap<>();

		final List<Object> keys = new ArrayList<>();

		final List<Object> jwts = new ArrayList<>();

		final Set<String> groups = new LinkedHashSet<>();

		ConsumerEntry(YamlNode node, String username) {
			this.node = node;
			this.username = username;
		}

	}

	private static final class UpstreamEntry {

		final YamlNode node;

		final String serviceId;

		final List<Map<String, Object>> instances = new ArrayList<>();

		UpstreamEntry(YamlNode node, String serviceId) {
			this.node = node;
			this.serviceId = serviceId;
		}

	}

	private void run(YamlNode root) {
		YamlNode version = root.get("_format_version");
		if (version == null) {
			throw error(root, "_format_version is missing; this reads Kong declarative files of format 2.1 or 3.0");
		}
		this.format = version.scalar();
		if (!FORMATS.contains(this.format)) {
			throw error(version, "unknown _format_version '" + this.format + "'; supported: 2.1, 3.0");
		}
		root.ignore("_transform", "_workspace", "_info", "_comment");
		for (String key : root.keys()) {
			if (!SECTIONS.contains(key)) {
				YamlNode section = root.get(key);
				if (section != null) {
					this.report.leftOut(key + " (line " + section.line() + ")", "the whole section",
							why(key));
				}
			}
		}
		readUpstreams(root);
		readServices(root);
		readConsumers(root);
		for (YamlNode route : root.list("routes")) {
			String service = ref(route, "service", this.serviceNames, "service");
			this.routes.add(new RouteEntry(route, service, this.routes.size()));
		}
		for (YamlNode plugin : root.list("plugins")) {
			String service = ref(plugin, "service", this.serviceNames, "service");
			String route = routeRef(plugin);
			String consumer = consumerRef(plugin, "consumer");
			addPlugin(plugin, service, route, consumer);
		}
		readNestedPlugins();
		readTopLevelCredentials(root);
		emitConsumers();
		emitRoutes();
		this.report.summary("Source: " + this.file + " (_format_version " + this.format + ")");
		this.report.summary(this.output.routes.size() + " routes (from " + this.routes.size()
				+ " Kong routes), " + this.output.consumers.size() + " consumers, " + this.output.plans.size()
				+ " plans, " + this.upstreams.size() + " upstreams");
		if (this.prefixPaths) {
			this.report.difference("every route with prefix paths", "/foo",
					"Kong's prefix /foo also matches /foobar; Tollgate's Path=/foo/** matches /foo and /foo/... only");
		}
		this.report.summary("API keys are written as SHA-256 digests (`sha256:`); the keys themselves are not in the "
				+ "output, and the clients keep using the same keys.");
	}

	private static String why(String section) {
		return switch (section) {
			case "certificates", "snis", "ca_certificates" ->
				"TLS is configured with Spring Boot SSL bundles (README: TLS and hardening)";
			case "basicauth_credentials", "hmacauth_credentials", "oauth2_credentials", "mtls_auth_credentials" ->
				"Tollgate authenticates with API keys and JWTs only";
			case "consumer_groups" -> "Tollgate has consumer groups for Acl (groups) and plans for limits; "
					+ "give the consumers a plan or groups";
			case "vaults" -> "use Spring placeholders (${ENV_VAR}) or a secret store for values";
			default -> "no Tollgate counterpart";
		};
	}

	private void readUpstreams(YamlNode root) {
		for (YamlNode upstream : root.list("upstreams")) {
			String name = required(upstream, "name");
			String serviceId = unique(this.serviceIds, hostId(name));
			UpstreamEntry entry = new UpstreamEntry(upstream, serviceId);
			this.upstreams.put(name, entry);
			upstream.ignore(BOOKKEEPING);
			upstream.ignore("slots", "hash_fallback", "hash_on_header", "hash_fallback_header", "hash_on_cookie",
					"hash_on_cookie_path", "hash_on_query_arg", "hash_fallback_query_arg", "hash_on_uri_capture",
					"hash_fallback_uri_capture", "use_srv_name", "host_header", "client_certificate");
			String algorithm = upstream.string("algorithm", "round-robin");
			if (!algorithm.equals("round-robin")) {
				this.report.difference(entity("upstream", name, upstream), "algorithm: " + algorithm,
						"Tollgate balances round robin, by weight");
			}
			String hashOn = upstream.string("hash_on", "none");
			if (!hashOn.equals("none")) {
				this.report.leftOut(entity("upstream", name, upstream), "hash_on: " + hashOn,
						"no consistent hashing in Tollgate's balancer");
			}
			YamlNode checks = upstream.get("healthchecks");
			if (checks != null && activeOrPassive(checks)) {
				this.report.difference(entity("upstream", name, upstream), "healthchecks",
						"Tollgate ejects failing instances passively (tollgate.upstream.outlier-detection); active "
								+ "checks are Consul's when instances come from Consul");
			}
			for (YamlNode target : upstream.list("targets")) {
				addTarget(entry, target);
			}
			this.report.unread(upstream, entity("upstream", name, upstream));
		}
		for (YamlNode target : root.list("targets")) {
			String upstream = required(target, "upstream");
			UpstreamEntry entry = this.upstreams.get(upstream);
			if (entry == null) {
				entry = this.upstreams.values().stream()
					.filter((candidate) -> upstream.equals(candidate.node.string("id")))
					.findFirst()
					.orElseThrow(() -> error(target, "target refers to upstream '" + upstream
							+ "', which is not in the file"));
			}
			addTarget(entry, target);
		}
		for (UpstreamEntry entry : this.upstreams.values()) {
			if (!entry.instances.isEmpty()) {
				this.output.instances.put(entry.serviceId, entry.instances);
			}
		}
	}

	private static boolean activeOrPassive(YamlNode checks) {
		Object plain = checks.plain();
		String text = String.valueOf(plain);
		// Kong exports default health checks with every interval and threshold at 0: those check nothing.
		return Pattern.compile("(interval|http_failures|tcp_failures|timeouts)=([1-9])").matcher(text).find();
	}

	private void addTarget(UpstreamEntry entry, YamlNode target) {
		target.ignore(BOOKKEEPING);
		target.ignore("upstream");
		String address = required(target, "target");
		long weight = (target.number("weight") != null) ? target.number("weight") : 100;
		if (weight == 0) {
			this.report.leftOut("target " + address + " (line " + target.line() + ")", "weight: 0",
					"a disabled target is not written");
			return;
		}
		String hostPort = address.contains(":") || address.startsWith("[") ? address : address + ":8000";
		if (hostPort.contains("_")) {
			this.report.leftOut("target " + address + " (line " + target.line() + ")", "host with '_'",
					"not a valid host in a URI; use its address or a DNS name without '_'");
			return;
		}
		Map<String, Object> instance = new LinkedHashMap<>();
		instance.put("uri", "http://" + hostPort);
		instance.put("metadata", map("weight", Long.toString(weight)));
		entry.instances.add(instance);
		this.report.unread(target, "target " + address + " (line " + target.line() + ")");
	}

	private void readServices(YamlNode root) {
		for (YamlNode service : root.list("services")) {
			String name = service.has("name") ? service.string("name") : "service-" + (this.services.size() + 1);
			if (this.services.containsKey(name)) {
				throw error(service, "service name '" + name + "' is used twice");
			}
			this.services.put(name, service);
			this.serviceNames.put(name, name);
			if (service.has("id")) {
				this.serviceNames.put(service.string("id"), name);
			}
		}
		for (Map.Entry<String, YamlNode> entry : this.services.entrySet()) {
			YamlNode service = entry.getValue();
			for (YamlNode route : service.list("routes")) {
				this.routes.add(new RouteEntry(route, entry.getKey(), this.routes.size()));
			}
		}
	}

	/** Plugins nested in services, routes and consumers, once every one of those is known. */
	private void readNestedPlugins() {
		for (Map.Entry<String, YamlNode> entry : this.services.entrySet()) {
			for (YamlNode plugin : entry.getValue().list("plugins")) {
				addPlugin(plugin, entry.getKey(), routeRef(plugin), consumerRef(plugin, "consumer"));
			}
		}
		for (RouteEntry route : this.routes) {
			for (YamlNode plugin : route.node.list("plugins")) {
				plugin.ignore("route", "service");
				addPlugin(plugin, null, routeKey(route), consumerRef(plugin, "consumer"));
			}
		}
		for (ConsumerEntry consumer : this.consumers.values()) {
			for (YamlNode plugin : consumer.node.list("plugins")) {
				plugin.ignore("consumer");
				addPlugin(plugin, ref(plugin, "service", this.serviceNames, "service"), routeRef(plugin),
						consumer.username);
			}
		}
	}

	private void readConsumers(YamlNode root) {
		for (YamlNode consumer : root.list("consumers")) {
			String username = consumer.string("username");
			String customId = consumer.string("custom_id");
			if (username == null && customId == null) {
				throw error(consumer, "a consumer needs a username or a custom_id");
			}
			if (username == null) {
				username = customId;
				this.report.difference(entity("consumer", customId, consumer), "no username",
						"Tollgate consumers need one: the custom_id is used as the username");
			}
			if (this.consumers.containsKey(username)) {
				throw error(consumer, "consumer username '" + username + "' is used twice");
			}
			ConsumerEntry entry = new ConsumerEntry(consumer, username);
			entry.out.put("username", username);
			if (consumer.has("id")) {
				entry.out.put("id", consumer.string("id"));
			}
			if (customId != null) {
				entry.out.put("custom-id", customId);
			}
			consumer.ignore("tags", "created_at", "updated_at", "ws_id");
			this.consumers.put(username, entry);
		}
		for (ConsumerEntry entry : this.consumers.values()) {
			YamlNode consumer = entry.node;
			for (YamlNode key : consumer.list("keyauth_credentials")) {
				addKey(entry, key);
			}
			for (YamlNode jwt : consumer.list("jwt_secrets")) {
				addJwt(entry, jwt);
			}
			for (YamlNode acl : consumer.list("acls")) {
				addAcl(entry, acl);
			}
			for (String credentials : List.of("basicauth_credentials", "hmacauth_credentials", "oauth2_credentials",
					"mtls_auth_credentials")) {
				if (consumer.has(credentials)) {
					this.report.leftOut(entity("consumer", entry.username, consumer), credentials, why(credentials));
					consumer.get(credentials);
				}
			}
		}
	}

	private void readTopLevelCredentials(YamlNode root) {
		for (YamlNode key : root.list("keyauth_credentials")) {
			addKey(this.consumers.get(consumerRef(key, "consumer", true)), key);
		}
		for (YamlNode jwt : root.list("jwt_secrets")) {
			addJwt(this.consumers.get(consumerRef(jwt, "consumer", true)), jwt);
		}
		for (YamlNode acl : root.list("acls")) {
			addAcl(this.consumers.get(consumerRef(acl, "consumer", true)), acl);
		}
	}

	private void addKey(ConsumerEntry consumer, YamlNode key) {
		key.ignore("created_at", "updated_at", "tags", "ws_id", "consumer");
		String value = required(key, "key");
		Map<String, Object> out = new LinkedHashMap<>();
		if (key.has("id")) {
			out.put("id", key.string("id"));
		}
		out.put("sha256", Sha256.hex(value));
		if (key.has("ttl")) {
			this.report.difference("key-auth credential of consumer '" + consumer.username + "' (line " + key.line()
					+ ")", "ttl: " + key.string("ttl"),
					"an entity ttl counts from its creation, unknown here: the key does not expire (set expires-at)");
		}
		consumer.keys.add(out);
		this.report.unread(key, "key-auth credential of consumer '" + consumer.username + "' (line " + key.line() + ")");
	}

	private void addJwt(ConsumerEntry consumer, YamlNode jwt) {
		jwt.ignore("id", "created_at", "updated_at", "tags", "ws_id", "consumer");
		String entity = "jwt credential of consumer '" + consumer.username + "' (line " + jwt.line() + ")";
		String key = required(jwt, "key");
		String algorithm = jwt.string("algorithm", "HS256");
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("key", key);
		out.put("algorithm", algorithm);
		if (algorithm.equals("HS256") || algorithm.equals("HS384") || algorithm.equals("HS512")) {
			String secret = jwt.string("secret");
			int needed = Integer.parseInt(algorithm.substring(2)) / 8;
			if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < needed) {
				this.report.leftOut(entity, "key '" + key + "' (" + algorithm + ")", "its secret is shorter than "
						+ needed + " bytes, which Tollgate refuses for " + algorithm + " (RFC 7518 section 3.2)");
				jwt.get("rsa_public_key");
				return;
			}
			out.put("secret", secret);
			jwt.get("rsa_public_key");
		}
		else if (algorithm.equals("RS256") || algorithm.equals("ES256")) {
			String publicKey = jwt.string("rsa_public_key");
			if (publicKey == null) {
				throw error(jwt, "jwt credential '" + key + "' (" + algorithm + ") has no rsa_public_key");
			}
			out.put("public-key", publicKey);
			jwt.get("secret");
		}
		else {
			this.report.leftOut(entity, "key '" + key + "' (" + algorithm + ")",
					"Tollgate verifies HS256/384/512, RS256 and ES256");
			jwt.get("secret");
			jwt.get("rsa_public_key");
			return;
		}
		consumer.jwts.add(out);
		this.report.unread(jwt, entity);
	}

	private void addAcl(ConsumerEntry consumer, YamlNode acl) {
		acl.ignore(BOOKKEEPING);
		acl.ignore("consumer");
		consumer.groups.add(required(acl, "group"));
		this.report.unread(acl, "acl of consumer '" + consumer.username + "' (line " + acl.line() + ")");
	}

	private void addPlugin(YamlNode plugin, String service, String route, String consumer) {
		String name = required(plugin, "name");
		plugin.ignore(BOOKKEEPING);
		plugin.ignore("service", "route", "consumer", "protocols", "instance_name", "ordering");
		plugin.mapping("config"); // its shape checked now, whether or not a route uses it
		if (!plugin.bool("enabled", true)) {
			this.report.leftOut(pluginEntity(name, plugin), "enabled: false", "a disabled plugin does nothing");
			return;
		}
		this.plugins.add(new PluginEntry(plugin, name, service, route, consumer));
	}

	// ---------------------------------------------------------------------------------------------------- consumers

	private void emitConsumers() {
		for (ConsumerEntry entry : this.consumers.values()) {
			// A consumer's own rate-limiting plugin becomes its plan (Kong: a consumer-scoped plugin wins over the
			// route's and the service's).
			for (PluginEntry plugin : this.plugins) {
				if (entry.username.equals(plugin.consumer) && plugin.route == null && plugin.service == null) {
					consumerPlugin(entry, plugin);
				}
			}
			for (PluginEntry plugin : this.plugins) {
				if (entry.username.equals(plugin.consumer) && (plugin.route != null || plugin.service != null)) {
					this.report.leftOut(pluginEntity(plugin.name, plugin.node), "scoped to consumer '" + entry.username
							+ "' on a " + ((plugin.route != null) ? "route" : "service"),
							"a plan applies to the consumer on every rate-limited route; scope it to the consumer only");
				}
			}
			if (!entry.groups.isEmpty()) {
				entry.out.put("groups", new ArrayList<>(entry.groups));
			}
			if (!entry.keys.isEmpty()) {
				entry.out.put("api-keys", entry.keys);
			}
			if (!entry.jwts.isEmpty()) {
				entry.out.put("jwt-secrets", entry.jwts);
			}
			entry.node.ignore("plugins", "keyauth_credentials", "jwt_secrets", "acls");
			this.report.unread(entry.node, entity("consumer", entry.username, entry.node));
			this.output.consumers.add(entry.out);
		}
	}

	private void consumerPlugin(ConsumerEntry entry, PluginEntry plugin) {
		if (!plugin.name.equals("rate-limiting")) {
			this.report.leftOut(pluginEntity(plugin.name, plugin.node), "scoped to consumer '" + entry.username + "'",
					"Tollgate's per-consumer settings are plans (rate limits) and groups");
			plugin.node.get("config");
			return;
		}
		YamlNode config = this.pluginMapper.config(plugin.node);
		Map<String, Object> limits = this.pluginMapper.windows(config, pluginEntity(plugin.name, plugin.node));
		config.ignore("limit_by", "policy", "fault_tolerant", "hide_client_headers", "header_name", "path",
				"sync_rate", "error_code", "error_message", "redis", "redis_host", "redis_port", "redis_password",
				"redis_username", "redis_database", "redis_timeout", "redis_ssl", "redis_ssl_verify",
				"redis_server_name");
		this.report.unread(config, pluginEntity(plugin.name, plugin.node));
		if (limits.isEmpty()) {
			return;
		}
		String plan = unique(this.planNames, safeId(entry.username));
		this.output.plans.put(plan, map("limits", limits));
		entry.out.put("plan", plan);
		this.report.difference(pluginEntity(plugin.name, plugin.node), "consumer '" + entry.username + "' -> plan '"
				+ plan + "'", "the plan replaces the route's limits on routes with a RateLimit that limits by "
						+ "consumer or credential; routes without a RateLimit do not limit this consumer");
	}

	// ---------------------------------------------------------------------------------------------------- routes

	/** A route of the output with its Kong matching priority. */
	private record Emitted(Map<String, Object> route, int conditions, boolean regex, long regexPriority,
			int prefixLength, int index) {
	}

	private void emitRoutes() {
		List<Emitted> emitted = new ArrayList<>();
		for (RouteEntry entry : this.routes) {
			emitted.addAll(route(entry));
		}
		// Kong tries routes with more kinds of condition first, regex paths (by regex_priority) before prefixes,
		// longer prefixes before shorter; Spring Cloud Gateway takes the first match in order.
		emitted.sort(Comparator.comparingInt(Emitted::conditions)
			.reversed()
			.thenComparing(Emitted::regex, Comparator.reverseOrder())
			.thenComparing(Emitted::regexPriority, Comparator.reverseOrder())
			.thenComparing(Emitted::prefixLength, Comparator.reverseOrder())
			.thenComparingInt(Emitted::index));
		for (Emitted route : emitted) {
			this.output.routes.add(route.route);
		}
		for (YamlNode service : this.services.values()) {
			service.ignore(BOOKKEEPING);
			service.ignore("name", "routes", "plugins");
		}
	}

	private List<Emitted> route(RouteEntry entry) {
		YamlNode route = entry.node;
		String name = route.has("name") ? route.string("name")
				: ((entry.service != null) ? entry.service : "route") + "-" + (entry.index + 1);
		String entity = entity("route", name, route);
		route.ignore(BOOKKEEPING);
		route.ignore("name", "service", "plugins");
		if (entry.service == null) {
			this.report.leftOut(entity, "no service", "Kong answers 503 on a route without a service");
			return List.of();
		}
		YamlNode service = this.services.get(entry.service);
		List<String> protocols = route.strings("protocols");
		if (!protocols.isEmpty() && protocols.stream().noneMatch((p) -> p.equals("http") || p.equals("https"))) {
			this.report.leftOut(entity, "protocols " + protocols, "Tollgate proxies HTTP only");
			return List.of();
		}
		if (!protocols.isEmpty() && !protocols.contains("http")) {
			this.report.difference(entity, "protocols: [https]", "plain HTTP is refused or redirected gateway-wide "
					+ "(tollgate.tls.plain-http), not per route");
		}
		String uri = upstreamUri(service, entry.service);
		if (uri == null) {
			return List.of();
		}
		List<Object> common = new ArrayList<>();
		List<String> hosts = route.strings("hosts");
		if (!hosts.isEmpty()) {
			List<String> patterns = new ArrayList<>();
			for (String host : hosts) {
				patterns.add(host);
				if (!host.contains(":")) {
					patterns.add(host + ":*"); // Kong matches a host without a port whatever port the request names
				}
			}
			common.add("Host=" + String.join(",", patterns));
		}
		List<String> methods = route.strings("methods");
		if (!methods.isEmpty()) {
			common.add("Method=" + String.join(",", methods));
		}
		YamlNode headers = route.mapping("headers");
		int headerCount = 0;
		if (headers != null) {
			for (String header : headers.keys()) {
				if (header.equalsIgnoreCase("host")) {
					continue;
				}
				List<String> values = headers.strings(header);
				List<String> alternatives = new ArrayList<>();
				for (String value : values) {
					if (!value.startsWith("~*")) {
						alternatives.add(Pattern.quote(value));
						continue;
					}
					try {
						Pattern.compile(value.substring(2));
						// Kong 3 searches a ~* regex in the value; the Header predicate matches the whole value.
						alternatives.add(".*(?:" + value.substring(2) + ").*");
					}
					catch (PatternSyntaxException ex) {
						throw error(headers, "header " + header + ": '" + value + "' is not a regular expression "
								+ "Java can read: " + ex.getDescription());
					}
				}
				common.add(map("name", "Header", "args",
						map("header", header, "regexp", "(?i)(" + String.join("|", alternatives) + ")")));
				headerCount++;
			}
		}
		int conditions = (hosts.isEmpty() ? 0 : 1) + (methods.isEmpty() ? 0 : 1) + (headerCount > 0 ? 1 : 0)
				+ (route.has("paths") ? 1 : 0);
		boolean strip = route.bool("strip_path", true);
		boolean preserveHost = route.bool("preserve_host", false);
		long regexPriority = (route.number("regex_priority") != null) ? route.number("regex_priority") : 0;
		route.ignore("path_handling", "request_buffering", "response_buffering", "https_redirect_status_code");
		for (String stream : List.of("snis", "sources", "destinations")) {
			if (route.has(stream)) {
				this.report.leftOut(entity, stream, "stream and TLS-SNI routing are not Tollgate's");
				route.get(stream);
			}
		}
		Map<String, List<String>> prefixes = new TreeMap<>();
		List<String> regexes = new ArrayList<>();
		for (String path : route.strings("paths")) {
			boolean regex = this.format.equals("3.0") ? path.startsWith("~") : !PLAIN_PATH.matcher(path).matches();
			if (regex) {
				String expression = path.startsWith("~") ? path.substring(1) : path;
				try {
					Pattern.compile(expression);
					regexes.add(expression);
				}
				catch (PatternSyntaxException ex) {
					this.report.leftOut(entity, "path " + path, "not a regular expression Java can read: "
							+ ex.getDescription());
				}
				continue;
			}
			if (path.contains("{") || path.contains("}") || path.contains("*") || path.contains("?")
					|| path.contains(",")) {
				this.report.leftOut(entity, "path " + path, "'{', '}', '*' and '?' are pattern characters in "
						+ "Tollgate's Path predicate, and ',' separates its patterns");
				continue;
			}
			String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
			String group = strip ? Integer.toString(segments(base)) : "all";
			prefixes.computeIfAbsent(group, (key) -> new ArrayList<>()).add(base);
			this.prefixPaths = true;
		}
		List<Filters> variants = new ArrayList<>();
		for (Map.Entry<String, List<String>> group : prefixes.entrySet()) {
			List<Object> predicates = new ArrayList<>();
			List<String> patterns = group.getValue().stream().map((base) -> base + "/**").toList();
			predicates.add("Path=" + String.join(",", patterns));
			predicates.addAll(common);
			List<Object> pathFilters = new ArrayList<>();
			if (strip && !group.getKey().equals("0")) {
				pathFilters.add("StripPrefix=" + group.getKey());
			}
			int longest = group.getValue().stream().mapToInt(String::length).max().orElse(0);
			variants.add(new Filters(predicates, pathFilters, false, longest));
		}
		for (String regex : regexes) {
			List<Object> predicates = new ArrayList<>();
			predicates.add(map("name", "PathRegex", "args", map("regexp", regex)));
			predicates.addAll(common);
			List<Object> pathFilters = new ArrayList<>();
			if (strip) {
				// $\{...}: Spring Cloud Gateway's escape, so that the property binder leaves ${...} alone.
				pathFilters.add(map("name", "RewritePath", "args", map("regexp",
						"^(?:" + regex + ")/?(?<tollgaterest>.*)$", "replacement", "/$\\{tollgaterest}")));
			}
			variants.add(new Filters(predicates, pathFilters, true, 0));
		}
		if (variants.isEmpty()) {
			if (route.has("paths")) {
				return List.of(); // every path was left out, reported above
			}
			if (common.isEmpty()) {
				this.report.leftOut(entity, "no paths, hosts, methods or headers", "matches nothing");
				return List.of();
			}
			variants.add(new Filters(new ArrayList<>(common), List.of(), false, 0));
		}
		Map<String, Object> metadata = serviceMetadata(service);
		List<Object> policies = policies(entry, name, entity, metadata, variants.size() > 1);
		if (policies == null) {
			return List.of(); // it needs an authentication Tollgate does not have: reported, not written open
		}
		List<Object> upstreamFilters = new ArrayList<>();
		String servicePath = servicePath(service);
		if (preserveHost) {
			upstreamFilters.add("PreserveHostHeader");
		}
		List<Object> retry = retry(service);
		List<Emitted> result = new ArrayList<>();
		for (int v = 0; v < variants.size(); v++) {
			Filters variant = variants.get(v);
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("id", uniqueId(safeId(name) + ((v == 0) ? "" : "-" + (v + 1))));
			out.put("uri", uri);
			out.put("predicates", variant.predicates);
			List<Object> filters = new ArrayList<>(policies);
			filters.addAll(variant.pathFilters);
			if (servicePath != null) {
				filters.add("PrefixPath=" + servicePath);
			}
			filters.addAll(upstreamFilters);
			filters.addAll(retry);
			if (!filters.isEmpty()) {
				out.put("filters", filters);
			}
			if (!metadata.isEmpty()) {
				out.put("metadata", metadata);
			}
			result.add(new Emitted(out, conditions, variant.regex, regexPriority, variant.prefixLength, entry.index));
		}
		this.report.unread(route, entity);
		return result;
	}

	private record Filters(List<Object> predicates, List<Object> pathFilters, boolean regex, int prefixLength) {
	}

	private static int segments(String base) {
		int count = 0;
		for (String segment : base.split("/")) {
			if (!segment.isEmpty()) {
				count++;
			}
		}
		return count;
	}

	/** {@code http://host:port}, or {@code lb://upstream} when the host names an upstream; null when unusable. */
	private String upstreamUri(YamlNode service, String name) {
		String entity = entity("service", name, service);
		String protocol;
		String host;
		Integer port;
		if (service.has("url")) {
			String url = service.string("url");
			URI parsed;
			try {
				parsed = new URI(url);
			}
			catch (URISyntaxException ex) {
				throw error(service, "service '" + name + "' has a url that cannot be read: " + url);
			}
			protocol = parsed.getScheme();
			if (protocol == null) {
				throw error(service, "service '" + name + "' has a url without a scheme: " + url);
			}
			host = parsed.getHost();
			port = (parsed.getPort() > 0) ? parsed.getPort() : null;
			if (host == null && parsed.getRawAuthority() != null) { // a name Java's URI refuses as a host: my_svc
				String authority = parsed.getRawAuthority();
				int colon = authority.lastIndexOf(':');
				host = (colon > 0) ? authority.substring(0, colon) : authority;
				port = (colon > 0) ? Integer.valueOf(authority.substring(colon + 1)) : null;
			}
			service.ignore("protocol", "host", "port", "path");
		}
		else {
			protocol = service.string("protocol", "http");
			host = service.string("host");
			port = (service.number("port") != null) ? service.number("port").intValue() : null;
		}
		if (host == null) {
			throw error(service, "service '" + name + "' has neither url nor host");
		}
		if (!protocol.equals("http") && !protocol.equals("https")) {
			this.report.leftOut(entity, "protocol " + protocol, "Tollgate proxies HTTP and HTTPS; its routes are not "
					+ "imported");
			return null;
		}
		UpstreamEntry upstream = this.upstreams.get(host);
		if (upstream == null && host.contains("_")) {
			this.report.leftOut(entity, "host " + host, "'_' is not allowed in a URI host; its routes are not "
					+ "imported (use the address or a DNS name without '_')");
			return null;
		}
		if (upstream != null) {
			if (protocol.equals("https")) {
				this.report.difference(entity, "https to upstream '" + host + "'",
						"static instances are written as http://; change their uri to https:// if the targets speak TLS");
			}
			return "lb://" + upstream.serviceId;
		}
		int effectivePort = (port != null) ? port : (protocol.equals("https") ? 443 : 80);
		return protocol + "://" + host + ":" + effectivePort;
	}

	private String servicePath(YamlNode service) {
		String path;
		if (service.has("url")) {
			try {
				path = new URI(service.string("url")).getRawPath();
			}
			catch (URISyntaxException ex) {
				path = null;
			}
		}
		else {
			path = service.string("path");
		}
		if (path == null || path.isEmpty() || path.equals("/")) {
			return null;
		}
		return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

	private Map<String, Object> serviceMetadata(YamlNode service) {
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("connect-timeout", orDefault(service.number("connect_timeout"), 60000L));
		metadata.put("response-timeout", orDefault(service.number("read_timeout"), 60000L));
		Long write = service.number("write_timeout");
		if (write != null && write != 60000L) {
			this.report.difference(entity("service", service.string("name"), service), "write_timeout: " + write,
					"Tollgate has connect and response timeouts; the response timeout covers the upload too");
		}
		service.ignore("enabled", "tls_verify", "tls_verify_depth", "client_certificate", "ca_certificates");
		return metadata;
	}

	private List<Object> retry(YamlNode service) {
		long retries = orDefault(service.number("retries"), 5L);
		if (retries <= 0) {
			return List.of();
		}
		// Kong retries connection failures and timeouts, not answers: no statuses, idempotent methods only.
		Map<String, Object> args = new LinkedHashMap<>();
		args.put("retries", retries);
		args.put("methods", "GET,HEAD,OPTIONS,PUT,DELETE");
		args.put("series", List.of());
		args.put("statuses", List.of());
		args.put("exceptions", List.of("java.io.IOException", "java.util.concurrent.TimeoutException"));
		return List.of(map("name", "Retry", "args", args));
	}

	static long orDefault(Long value, long fallback) {
		return (value != null) ? value : fallback;
	}

	private String uniqueId(String id) {
		return unique(this.routeIds, id);
	}

	// ---------------------------------------------------------------------------------------------------- plugins

	/** The route's policies: for each plugin, the route's own instance, else the service's, else the global one. */
	private List<Object> policies(RouteEntry entry, String routeName, String routeEntity, Map<String, Object> metadata,
			boolean split) {
		Map<String, PluginEntry> chosen = new LinkedHashMap<>();
		Map<String, String> level = new HashMap<>();
		for (PluginEntry plugin : this.plugins) {
			if (plugin.consumer != null) {
				continue;
			}
			String scope = (plugin.route != null) ? "route" : (plugin.service != null) ? "service" : "global";
			boolean applies = switch (scope) {
				case "route" -> plugin.route.equals(routeKey(entry));
				case "service" -> plugin.service.equals(entry.service);
				default -> true;
			};
			if (!applies) {
				continue;
			}
			String earlier = level.get(plugin.name);
			if (earlier == null || rank(scope) > rank(earlier)) {
				chosen.put(plugin.name, plugin);
				level.put(plugin.name, scope);
			}
		}
		for (String name : chosen.keySet()) {
			if (OTHER_AUTH.contains(name)) {
				this.report.leftOut(routeEntity, "the whole route (it needs " + name + ")", "Tollgate has no " + name
						+ "; written without it, the route would be open to everyone. Give it KeyAuth or JwtAuth");
				return null;
			}
		}
		List<Object> filters = new ArrayList<>();
		Map<String, Object> validate = new LinkedHashMap<>();
		for (PluginEntry plugin : chosen.values()) {
			String entity = pluginEntity(plugin.name, plugin.node);
			String scope = level.get(plugin.name);
			String group = switch (scope) {
				case "service" -> group("service-" + safeId(entry.service));
				case "route" -> split ? group("route-" + safeId(routeName)) : null;
				default -> null;
			};
			this.pluginMapper.apply(plugin.name, plugin.node, entity, scope, group, entry.service, filters, validate,
					metadata);
		}
		if (!validate.isEmpty()) {
			filters.add(map("name", "ValidateRequest", "args", validate));
		}
		boolean anonymous = filters.stream().anyMatch((filter) -> String.valueOf(filter).contains("anonymous="));
		boolean byConsumer = filters.stream().anyMatch((filter) -> String.valueOf(filter).contains("RateLimit")
				&& String.valueOf(filter).contains("limit-by=consumer"));
		if (anonymous && byConsumer) {
			this.report.difference(routeEntity, "anonymous consumer with rate-limiting by consumer",
					"Kong counts all anonymous requests as one consumer; Tollgate counts them per client IP");
		}
		return filters;
	}

	private static int rank(String scope) {
		return switch (scope) {
			case "route" -> 3;
			case "service" -> 2;
			default -> 1;
		};
	}

	/** The key plugins use to name this route: its name, or its id. */
	private String routeKey(RouteEntry entry) {
		return entry.node.has("name") ? entry.node.string("name")
				: entry.node.has("id") ? entry.node.string("id") : "#" + entry.index;
	}

	// ---------------------------------------------------------------------------------------------------- helpers

	private String ref(YamlNode node, String field, Map<String, String> names, String kind) {
		YamlNode value = node.get(field);
		if (value == null) {
			return null;
		}
		String reference = value.isMapping() ? firstOf(value, "name", "id") : value.scalar();
		String name = names.get(reference);
		if (name == null) {
			throw error(value, kind + " '" + reference + "' is not in the file");
		}
		return name;
	}

	private String routeRef(YamlNode plugin) {
		YamlNode value = plugin.get("route");
		if (value == null) {
			return null;
		}
		String reference = value.isMapping() ? firstOf(value, "name", "id") : value.scalar();
		for (RouteEntry route : this.routes) {
			if (reference.equals(route.node.string("name")) || reference.equals(route.node.string("id"))) {
				return routeKey(route);
			}
		}
		throw error(value, "route '" + reference + "' is not in the file");
	}

	private String consumerRef(YamlNode node, String field) {
		return consumerRef(node, field, false);
	}

	private String consumerRef(YamlNode node, String field, boolean required) {
		YamlNode value = node.get(field);
		if (value == null) {
			if (required) {
				throw error(node, field + " is missing");
			}
			return null;
		}
		String reference = value.isMapping() ? firstOf(value, "username", "id") : value.scalar();
		return consumerRef(reference, value);
	}

	private String consumerRef(String reference, YamlNode at) {
		if (this.consumers.containsKey(reference)) {
			return reference;
		}
		for (ConsumerEntry entry : this.consumers.values()) {
			if (reference.equals(entry.out.get("id")) || reference.equals(entry.out.get("custom-id"))) {
				return entry.username;
			}
		}
		throw error(at, "consumer '" + reference + "' is not in the file");
	}

	private static String firstOf(YamlNode node, String... keys) {
		for (String key : keys) {
			if (node.has(key)) {
				return node.string(key);
			}
		}
		throw new ImportException("line " + node.line() + ": " + node.path() + " names no " + String.join(" or ", keys));
	}

	private String required(YamlNode node, String field) {
		String value = node.string(field);
		if (value == null || value.isEmpty()) {
			throw error(node, (node.path().isEmpty() ? "" : node.path() + ": ") + field + " is missing");
		}
		return value;
	}

	private ImportException error(YamlNode node, String message) {
		return new ImportException(this.file + ":" + node.line() + ": " + message);
	}

	private static String entity(String kind, String name, YamlNode node) {
		return kind + " '" + name + "' (line " + node.line() + ")";
	}

	static String pluginEntity(String name, YamlNode node) {
		return "plugin " + name + " (line " + node.line() + ")";
	}

	/** A map in the order given: the written YAML reads as the README's examples do. */
	static Map<String, Object> map(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

	/** A service id for {@code lb://}: a host name, so no '_' or '.'. */
	private static String hostId(String name) {
		String id = HOST_ID.matcher(name).replaceAll("-");
		return id.isEmpty() ? "x" : id;
	}

	/** {@code id}, or {@code id-2}, {@code id-3}...: two names that map to one id keep apart. */
	private static String unique(Set<String> taken, String id) {
		String unique = id;
		for (int n = 2; !taken.add(unique); n++) {
			unique = id + "-" + n;
		}
		return unique;
	}

	/** A RateLimit group name: at most 64 characters, so a long name is shortened with a digest of itself. */
	static String group(String name) {
		return (name.length() <= 64) ? name : name.substring(0, 55) + "-" + Sha256.hex(name).substring(0, 8);
	}

	static String safeId(String name) {
		String id = SAFE_ID.matcher(name).replaceAll("-");
		return id.isEmpty() ? "x" : id;
	}

}
