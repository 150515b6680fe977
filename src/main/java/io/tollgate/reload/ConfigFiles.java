package io.tollgate.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The files a configuration is read from: every regular file under {@code TOLLGATE_CONFIG_DIR} (YAML, schemas,
 * OpenAPI documents; symbolic links followed, as in a Kubernetes ConfigMap volume) and {@code tollgate.consumers-file}
 * wherever it lies.
 */
final class ConfigFiles {

	static final String CONFIG_DIR = "TOLLGATE_CONFIG_DIR";

	static final String DEFAULT_CONFIG_DIR = "./config-repo";

	/** Deep enough for config-repo/schemas/...; a directory tree is not walked without end. */
	private static final int MAX_DEPTH = 4;

	private ConfigFiles() {
	}

	static Path directory(Environment environment) {
		return Path.of(environment.getProperty(CONFIG_DIR, DEFAULT_CONFIG_DIR));
	}

	/** The files, sorted, so that two replicas with the same files list them alike. */
	static List<Path> of(Environment environment) {
		List<Path> files = new ArrayList<>();
		Path directory = directory(environment);
		if (Files.isDirectory(directory)) {
			try (Stream<Path> walk = Files.walk(directory, MAX_DEPTH, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
				// Kubernetes mounts a ConfigMap as ..data/ plus links to it; the links name the files once.
				walk.filter(Files::isRegularFile)
					.filter((path) -> !directory.relativize(path).toString().startsWith(".."))
					.sorted()
					.forEach(files::add);
			}
			catch (IOException | UncheckedIOException ex) {
				// a file removed while walking: the next look sees the settled directory
			}
		}
		String consumersFile = environment.getProperty("tollgate.consumers-file");
		if (StringUtils.hasText(consumersFile)) {
			Path file = Path.of(consumersFile.trim());
			if (files.stream().noneMatch((known) -> sameFile(known, file))) {
				files.add(file);
			}
		}
		return files;
	}

	/** Size and modification time of every file: cheap to take every second, and changed by any edit. */
	static String fingerprint(List<Path> files) {
		StringBuilder fingerprint = new StringBuilder();
		for (Path file : files) {
			fingerprint.append(file).append('|');
			try {
				BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
				fingerprint.append(attributes.size()).append('|').append(attributes.lastModifiedTime().toMillis());
			}
			catch (IOException ex) {
				fingerprint.append("missing");
			}
			fingerprint.append('\n');
		}
		return fingerprint.toString();
	}

	private static boolean sameFile(Path a, Path b) {
		try {
			return Files.exists(b) && Files.isSameFile(a, b);
		}
		catch (IOException ex) {
			return false;
		}
	}

}
