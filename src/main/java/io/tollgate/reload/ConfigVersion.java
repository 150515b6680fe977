package io.tollgate.reload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The version of the configuration in force: a hash of its content, so that two replicas on the same configuration
 * report the same version, whatever their host names or start times. Shown in the startup and reload logs,
 * {@code /actuator/info}, the {@code tollgate.config.info} gauge and the access log.
 * <p>
 * Hashed: every property from a configuration source (files, Consul KV, a Config Server, the command line) and the
 * content of every configuration file (schemas and the consumers file too, which are not properties). Left out:
 * what differs per replica or per run and cannot be reloaded anyway (system properties, environment variables,
 * random values, the ports a server bound).
 */
public final class ConfigVersion {

	private static final Set<String> PER_PROCESS = Set.of(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, "random", "cachedrandom", "server.ports",
			"configurationProperties", "springCloudClientHostInfo", "Management Server", "applicationInfo",
			// the Config Server's commit id: a commit that changes nothing of this gateway's is the same version
			"configClient");

	private volatile String current;

	ConfigVersion(String initial) {
		this.current = initial;
	}

	/** The version in force: 12 hexadecimal characters. */
	public String current() {
		return this.current;
	}

	void set(String version) {
		this.current = version;
	}

	static String of(ConfigurableEnvironment environment, List<Path> files) {
		MessageDigest digest = sha256();
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (PER_PROCESS.contains(source.getName()) || !(source instanceof EnumerablePropertySource<?> enumerable)) {
				continue;
			}
			String[] names = enumerable.getPropertyNames().clone();
			Arrays.sort(names);
			for (String name : names) {
				update(digest, name + '=' + enumerable.getProperty(name) + '\n');
			}
			update(digest, "\n");
		}
		for (Path file : files) {
			update(digest, file.getFileName() + "\n");
			try (InputStream in = Files.newInputStream(file)) {
				byte[] buffer = new byte[8192];
				for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
					digest.update(buffer, 0, read);
				}
			}
			catch (IOException ex) {
				update(digest, "missing\n");
			}
		}
		return HexFormat.of().formatHex(digest.digest(), 0, 6);
	}

	private static void update(MessageDigest digest, String text) {
		digest.update(text.getBytes(StandardCharsets.UTF_8));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
