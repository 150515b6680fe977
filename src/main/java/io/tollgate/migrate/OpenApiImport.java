package io.tollgate.migrate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.atlassian.oai.validator.OpenApiInteractionValidator;

/**
 * Builds routes from an OpenAPI 3.0 or 3.1 document: one route per path (with its methods; split where operations
 * differ in security), each validating requests against the document ({@code ValidateRequest} with
 * {@code openapi}) and authenticating as its security schemes say: {@code apiKey} in a header or the query becomes
 * {@code KeyAuth}, {@code http bearer}, {@code oauth2} and {@code openIdConnect} become {@code JwtAuth}.
 */
final class OpenApiImport {

	private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
			"trace");

	private static final Pattern VARIABLE = Pattern.compile("\\{([^}]*)}");

	private static final Pattern SAFE_ID = Pattern.compile("[^A-Za-z0-9_-]+");

	private final String file;

	private final ImportReport report = new ImportReport("OpenAPI import report");

	private final ConfigOutput output = new ConfigOutput();

	private final Set<String> routeIds = new HashSet<>();

	private OpenApiImport(String file) {
		this.file = file;
	}

	record Result(ConfigOutput output, ImportReport report) {
	}

	/** @throws ImportException for input that is not an OpenAPI 3 document, naming the line */
	static Result read(String text, String file, String upstream) {
		OpenApiImport openapi = new OpenApiImport(file);
		openapi.run(text, YamlNode.parse(text, file), upstream);
		return new Result(openapi.output, openapi.report);
	}

	private void run(String text, YamlNode root, String upstream) {
		YamlNode version = root.get("openapi");
		if (version == null) {
			String hint = root.has("swagger") ? "; this is Swagger 2.0: convert it to OpenAPI 3 first" : "";
			throw new ImportException(this.file + ":" + root.line() + ": not an OpenAPI 3 document (no 'openapi' field)"
					+ hint);
		}
		if (!version.scalar().startsWith("3.0") && !version.scalar().startsWith("3.1")) {
			throw new ImportException(this.file + ":" + version.line() + ": unsupported OpenAPI version '"
					+ version.scalar() + "'; supported: 3.0, 3.1");
		}
		try {
			OpenApiInteractionValidator.createForInlineApiSpecification(text).build();
		}
		catch (RuntimeException ex) {
			throw new ImportException(this.file + ": the document does not load: " + ex.getMessage());
		}
		URI target = upstream(upstream);
		String name = Path.of(this.file).getFileName().toString();
		String documentPath = "openapi/" + name;
		this.output.files.put(documentPath, text);
		String document = ConfigOutput.DIR + "/" + documentPath;
		String basePath = basePath(root);
		Map<String, YamlNode> schemes = new LinkedHashMap<>();
		YamlNode components = root.get("components");
		YamlNode securitySchemes = (components != null) ? components.get("securitySchemes") : null;
		if (securitySchemes != null) {
			for (String scheme : securitySchemes.keys()) {
				schemes.put(scheme, securitySchemes.get(scheme));
			}
		}
		YamlNode globalSecurity = root.get("security");
		YamlNode paths = root.get("paths");
		List<Map<String, Object>> routes = new ArrayList<>();
		if (paths != null) {
			for (String path : paths.keys()) {
				YamlNode item = paths.get(path);
				if (item == null || !item.isMapping()) {
					this.report.leftOut("path " + path, "no operations", "nothing to route");
					continue;
				}
				if (item.has("$ref")) {
					this.report.leftOut("path " + path + " (line " + item.line() + ")", "$ref path item",
							"write the path item in place");
					continue;
				}
				// Operations grouped by the security they need: one route per group.
				Map<String, List<String>> methodsBySecurity = new LinkedHashMap<>();
				Map<String, List<Object>> authBySecurity = new LinkedHashMap<>();
				Map<String, String> operationIds = new LinkedHashMap<>();
				for (String method : METHODS) {
					YamlNode operation = item.get(method);
					if (operation == null) {
						continue;
					}
					YamlNode security = operation.has("security") ? operation.get("security") : globalSecurity;
					String entity = method.toUpperCase(Locale.ROOT) + " " + path + " (line " + operation.line() + ")";
					List<Object> auth = auth(security, schemes, entity);
					if (auth == null) {
						this.report.leftOut(entity, "the operation", "none of its security requirements can be checked "
								+ "by Tollgate; written without them it would be open to everyone");
						continue;
					}
					String key = auth.toString();
					methodsBySecurity.computeIfAbsent(key, (k) -> new ArrayList<>()).add(method.toUpperCase(Locale.ROOT));
					authBySecurity.putIfAbsent(key, auth);
					if (operation.has("operationId")) {
						operationIds.putIfAbsent(key, operation.string("operationId"));
					}
				}
				for (Map.Entry<String, List<String>> group : methodsBySecurity.entrySet()) {
					Map<String, Object> route = new LinkedHashMap<>();
					String id = operationIds.getOrDefault(group.getKey(), path);
					route.put("id", uniqueId(safeId(id)));
					route.put("uri", target.getScheme() + "://" + target.getRawAuthority());
					route.put("predicates", List.of("Path=" + basePath + path, // {id} is the same in both
							"Method=" + String.join(",", group.getValue())));
					List<Object> filters = new ArrayList<>(authBySecurity.get(group.getKey()));
					filters.add(KongImport.map("name", "ValidateRequest", "args", KongImport.map("openapi", document)));
					String prefix = target.getRawPath();
					if (prefix != null && !prefix.isEmpty() && !prefix.equals("/")) {
						filters.add("PrefixPath=" + (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1)
								: prefix));
					}
					route.put("filters", filters);
					routes.add(route);
				}
			}
		}
		// Literal paths before templated ones (/users/me before /users/{id}): the first match wins.
		routes.sort(Comparator.comparingInt((Map<String, Object> route) -> variables(route)));
		this.output.routes.addAll(routes);
		this.report.summary("Source: " + this.file + " (OpenAPI " + version.scalar() + "), upstream " + upstream
				+ ((basePath.isEmpty()) ? "" : ", base path " + basePath + " (from servers[0])"));
		this.report.summary(routes.size() + " routes; each validates requests against " + documentPath
				+ " (written beside application.yml)");
		this.report.summary("Consumers are not part of an OpenAPI document: add them (tollgate.consumers or the "
				+ "Admin API) for routes that authenticate.");
	}

	private URI upstream(String upstream) {
		try {
			URI uri = new URI(upstream);
			if (uri.getScheme() == null || uri.getHost() == null
					|| !(uri.getScheme().equals("http") || uri.getScheme().equals("https")
							|| uri.getScheme().equals("lb"))) {
				throw new ImportException("--upstream must be an http://, https:// or lb:// URL, not '" + upstream + "'");
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			throw new ImportException("--upstream is not a URL: " + upstream);
		}
	}

	/** The path of the first server's URL (its variables at their defaults), without a trailing slash. */
	private String basePath(YamlNode root) {
		List<YamlNode> servers = root.list("servers");
		if (servers.isEmpty()) {
			return "";
		}
		YamlNode server = servers.get(0);
		String url = server.string("url", "/");
		YamlNode variables = server.get("variables");
		Matcher matcher = VARIABLE.matcher(url);
		StringBuilder resolved = new StringBuilder();
		while (matcher.find()) {
			YamlNode variable = (variables != null) ? variables.get(matcher.group(1)) : null;
			String value = (variable != null) ? variable.string("default", "") : "";
			matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
		}
		matcher.appendTail(resolved);
		String path;
		try {
			URI uri = new URI(resolved.toString());
			path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		}
		catch (URISyntaxException ex) {
			throw new ImportException(this.file + ":" + server.line() + ": servers[0].url is not a URL: " + url);
		}
		if (servers.size() > 1) {
			this.report.difference("servers (line " + server.line() + ")", servers.size() + " servers",
					"routes use the first server's base path '" + path + "'");
		}
		return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

	/** The filters an operation's security requirements need (the first alternative Tollgate can check). */
	private List<Object> auth(YamlNode security, Map<String, YamlNode> schemes, String entity) {
		if (security == null) {
			return List.of();
		}
		if (security.isMapping()) {
			throw new ImportException(this.file + ":" + security.line() + ": security must be a list of requirements");
		}
		List<String> alternatives = new ArrayList<>();
		List<Object> chosen = null;
		for (YamlNode requirement : security.items()) {
			alternatives.add(String.join("+", requirement.keys()));
			if (requirement.keys().isEmpty()) {
				chosen = (chosen == null) ? List.of() : chosen; // {}: anonymous access allowed
				continue;
			}
			List<Object> filters = new ArrayList<>();
			boolean usable = true;
			for (String name : requirement.keys()) {
				YamlNode scheme = schemes.get(name);
				Object filter = (scheme != null) ? filter(name, scheme, entity) : null;
				if (filter == null) {
					usable = false;
					if (scheme == null) {
						this.report.leftOut(entity, "security scheme '" + name + "'", "not in components.securitySchemes");
					}
				}
				else {
					filters.add(filter);
				}
			}
			if (usable && chosen == null) {
				chosen = filters;
			}
		}
		if (alternatives.size() > 1) {
			this.report.difference(entity, "security alternatives " + alternatives,
					"the route checks the first one Tollgate supports: " + chosen);
		}
		return (chosen != null || alternatives.isEmpty()) ? ((chosen != null) ? chosen : List.of()) : null;
	}

	private Object filter(String name, YamlNode scheme, String entity) {
		String type = scheme.string("type", "");
		switch (type) {
			case "apiKey" -> {
				String in = scheme.string("in", "");
				if (in.equals("cookie")) {
					this.report.leftOut(entity, "apiKey '" + name + "' in a cookie", "KeyAuth reads headers and the query");
					return null;
				}
				String keyName = scheme.string("name");
				if (keyName == null || keyName.isBlank()) {
					throw new ImportException(this.file + ":" + scheme.line() + ": apiKey scheme '" + name
							+ "' has no name");
				}
				return KongImport.map("name", "KeyAuth", "args", KongImport.map("key-names", List.of(keyName)));
			}
			case "http" -> {
				if (scheme.string("scheme", "").equalsIgnoreCase("bearer")) {
					this.report.difference(entity, "http bearer '" + name + "'", "JwtAuth with per-consumer secrets "
							+ "(consumers' jwt-secrets); for an identity provider's tokens set jwk-set-uri or "
							+ "issuer-uri, and audiences");
					return "JwtAuth";
				}
				this.report.leftOut(entity, "http " + scheme.string("scheme", "") + " '" + name + "'",
						"Tollgate authenticates with API keys and JWTs only");
				return null;
			}
			case "openIdConnect" -> {
				String discovery = scheme.string("openIdConnectUrl", "");
				String issuer = discovery.replaceFirst("/\\.well-known/openid-configuration$", "");
				this.report.difference(entity, "openIdConnect '" + name + "'",
						"JwtAuth with issuer-uri " + issuer + "; set audiences to this API's audience");
				return KongImport.map("name", "JwtAuth", "args", KongImport.map("issuer-uri", issuer));
			}
			case "oauth2" -> {
				this.report.difference(entity, "oauth2 '" + name + "'", "JwtAuth with per-consumer secrets; for an "
						+ "authorization server's tokens set jwk-set-uri or issuer-uri, and audiences");
				return "JwtAuth";
			}
			default -> {
				this.report.leftOut(entity, type + " '" + name + "'", "no Tollgate counterpart");
				return null;
			}
		}
	}

	private static int variables(Map<String, Object> route) {
		String path = String.valueOf(((List<?>) route.get("predicates")).get(0));
		int count = 0;
		for (int i = path.indexOf('{'); i >= 0; i = path.indexOf('{', i + 1)) {
			count++;
		}
		return count;
	}

	private String uniqueId(String id) {
		String unique = id;
		for (int n = 2; !this.routeIds.add(unique); n++) {
			unique = id + "-" + n;
		}
		return unique;
	}

	private static String safeId(String name) {
		String id = SAFE_ID.matcher(name).replaceAll("-").replaceAll("^-+|-+$", "");
		return id.isEmpty() ? "root" : id;
	}

}
