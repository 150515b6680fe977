package io.tollgate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package structure the design promises, read from the sources' imports: policies never import each other
 * (their order lives in one class), and no two packages depend on each other, directly or round a cycle.
 */
class ArchitectureTest {

	private static final Set<String> POLICIES = Set.of("keyauth", "jwt", "acl", "iprestriction", "ratelimit",
			"validation", "responsecache");

	private static final Pattern PACKAGE = Pattern.compile("^package (io\\.tollgate[\\w.]*);", Pattern.MULTILINE);

	private static final Pattern IMPORT = Pattern
		.compile("^import (?:static )?(io\\.tollgate(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

	@Test
	void noPolicyPackageImportsAnother() throws IOException {
		List<String> violations = new ArrayList<>();
		dependencies().forEach((from, targets) -> targets.forEach((to) -> {
			if (POLICIES.contains(last(from)) && POLICIES.contains(last(to))) {
				violations.add(from + " -> " + to);
			}
		}));
		assertThat(violations).isEmpty();
	}

	@Test
	void packagesFormNoCycle() throws IOException {
		Map<String, Set<String>> graph = dependencies();
		List<List<String>> cycles = new ArrayList<>();
		for (String start : graph.keySet()) {
			findCycle(graph, start, start, new ArrayList<>(List.of(start)), cycles);
		}
		assertThat(cycles).as("package cycles").isEmpty();
	}

	private static void findCycle(Map<String, Set<String>> graph, String start, String at, List<String> path,
			List<List<String>> cycles) {
		for (String next : graph.getOrDefault(at, Set.of())) {
			if (next.equals(start)) {
				List<String> cycle = new ArrayList<>(path);
				cycle.add(start);
				// Report each cycle once, from its smallest package.
				if (start.equals(path.stream().min(String::compareTo).orElseThrow())) {
					cycles.add(cycle);
				}
			}
			else if (!path.contains(next) && path.size() < 12) {
				path.add(next);
				findCycle(graph, start, next, path, cycles);
				path.remove(path.size() - 1);
			}
		}
	}

	/** Package to the io.tollgate packages its main sources import. */
	static Map<String, Set<String>> dependencies() throws IOException {
		Map<String, Set<String>> graph = new TreeMap<>();
		try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".java")).toList()) {
				String source = Files.readString(file);
				Matcher declared = PACKAGE.matcher(source);
				if (!declared.find()) {
					continue;
				}
				String from = declared.group(1);
				Set<String> targets = graph.computeIfAbsent(from, (key) -> new TreeSet<>());
				Matcher imported = IMPORT.matcher(source);
				while (imported.find()) {
					if (!imported.group(1).equals(from)) {
						targets.add(imported.group(1));
					}
				}
			}
		}
		return graph;
	}

	private static String last(String packageName) {
		return packageName.substring(packageName.lastIndexOf('.') + 1);
	}

}
