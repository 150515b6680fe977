package io.tollgate.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A Tollgate configuration directory being written by an import: {@code application.yml} (built as plain maps and
 * lists, in the layout of {@code config-repo/}), the files it refers to, and the report.
 */
final class ConfigOutput {

	/** Where {@code application.yml} finds the files written beside it, whatever the working directory. */
	static final String DIR = "${TOLLGATE_CONFIG_DIR:./config-repo}";

	final List<Map<String, Object>> routes = new ArrayList<>();

	final List<Map<String, Object>> consumers = new ArrayList<>();

	final Map<String, Object> plans = new LinkedHashMap<>();

	/** {@code spring.cloud.discovery.client.simple.instances}: static instances of {@code lb://} services. */
	final Map<String, Object> instances = new LinkedHashMap<>();

	/** {@code spring.cloud.gateway.server.webflux.globalcors.cors-configurations}. */
	final Map<String, Object> globalCors = new LinkedHashMap<>();

	/** Other settings, by full property path ({@code tollgate.rate-limiting.store}). */
	final Map<String, Object> settings = new LinkedHashMap<>();

	/** Files beside application.yml, by relative path. */
	final Map<String, String> files = new LinkedHashMap<>();

	/** Writes the directory (created if need be); files already there with other names are left alone. */
	void write(Path dir, String header, ImportReport report) throws IOException {
		String yaml = yaml(); // first: a value that cannot be written leaves nothing written
		Files.createDirectories(dir);
		Path root = dir.toRealPath();
		for (Map.Entry<String, String> file : this.files.entrySet()) {
			Path target = root.resolve(file.getKey()).normalize();
			Files.createDirectories(target.getParent());
			// Real paths: a symbolic link under DIR must not take a file elsewhere.
			if (!target.startsWith(root) || !target.getParent().toRealPath().startsWith(root)) {
				throw new IOException("refusing to write outside " + dir + ": " + file.getKey());
			}
			Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
		}
		Files.writeString(dir.resolve("application.yml"), header + yaml, StandardCharsets.UTF_8);
		Files.writeString(dir.resolve("IMPORT-REPORT.md"), report.markdown(), StandardCharsets.UTF_8);
	}

	String yaml() {
		Map<String, Object> root = new LinkedHashMap<>();
		for (Map.Entry<String, Object> setting : this.settings.entrySet()) {
			put(root, setting.getKey(), setting.getValue());
		}
		if (!this.consumers.isEmpty()) {
			put(root, "tollgate.consumers", this.consumers);
		}
		if (!this.plans.isEmpty()) {
			put(root, "tollgate.plans", this.plans);
		}
		if (!this.instances.isEmpty()) {
			put(root, "spring.cloud.discovery.client.simple.instances", this.instances);
		}
		if (!this.globalCors.isEmpty()) {
			put(root, "spring.cloud.gateway.server.webflux.globalcors.cors-configurations", this.globalCors);
		}
		put(root, "spring.cloud.gateway.server.webflux.routes", this.routes);
		Object escaped = escape(root, "");
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		options.setIndent(2);
		options.setIndicatorIndent(0);
		options.setWidth(120);
		options.setSplitLines(false);
		options.setDereferenceAliases(true); // routes that share a filter's arguments spell them out each time
		return new Yaml(options).dump(escaped);
	}

	/**
	 * Values come from someone else's file: Spring must read them as they are. {@code ${...}} would be resolved as a
	 * placeholder (a header value {@code ${SPRING_DATA_REDIS_PASSWORD}} would send the password upstream), so it is
	 * escaped ({@code \${...}}); the gateway evaluates filter arguments that start with {@code #{} as SpEL, and
	 * there is no escape for that, so such a value stops the import. Only the placeholder this class writes itself
	 * ({@link #DIR}) stays a placeholder.
	 */
	private static Object escape(Object value, String where) {
		if (value instanceof String text) {
			if (text.startsWith("#{")) {
				throw new ImportException(where + ": the value '" + text + "' would be evaluated as a Spring "
						+ "expression; change it in the source");
			}
			if (text.startsWith(DIR)) {
				return DIR + text.substring(DIR.length()).replace("${", "\\${");
			}
			return text.replace("${", "\\${");
		}
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> copy = new LinkedHashMap<>();
			map.forEach((key, item) -> copy.put(String.valueOf(escape(String.valueOf(key), where)),
					escape(item, where.isEmpty() ? String.valueOf(key) : where + "." + key)));
			return copy;
		}
		if (value instanceof List<?> list) {
			List<Object> copy = new ArrayList<>();
			for (int i = 0; i < list.size(); i++) {
				copy.add(escape(list.get(i), where + "[" + i + "]"));
			}
			return copy;
		}
		return value;
	}

	@SuppressWarnings("unchecked")
	private static void put(Map<String, Object> root, String path, Object value) {
		String[] parts = path.split("\\.");
		Map<String, Object> map = root;
		for (int i = 0; i < parts.length - 1; i++) {
			map = (Map<String, Object>) map.computeIfAbsent(parts[i], (key) -> new LinkedHashMap<String, Object>());
		}
		map.put(parts[parts.length - 1], value);
	}

}
