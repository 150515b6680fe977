package io.tollgate.reload;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ConsulContractDouble;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.reload.ConfigReloadTest.config;
import static io.tollgate.reload.ConfigReloadTest.consumer;
import static io.tollgate.reload.ConfigReloadTest.eventually;
import static io.tollgate.reload.ConfigReloadTest.reloads;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many replicas, one configuration: Consul's key/value store through Spring Cloud Consul Config, with the shipped
 * {@code consul-kv} profile (config-repo/application-consul-kv.yml). Against the Consul contract double, which
 * answers the key/value API and its blocking queries as Consul documents them.
 */
class ConsulKeyValueConfigTest {

	private static final String KEY = "config/tollgate/data";

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path dir;

	@Test
	void twoReplicasTakeTheirRoutesAndKeysFromConsulAndReloadWhenTheKeyChanges() throws Exception {
		Files.copy(Path.of("config-repo/application-consul-kv.yml"), this.dir.resolve("application-consul-kv.yml"));
		try (ConsulContractDouble consul = ConsulContractDouble.start()) {
			consul.putKeyValue(KEY, config(route("kv-a", "/a/**"), consumer("alice", "alice-key-0001")));
			try (ConfigurableApplicationContext first = start(consul); ConfigurableApplicationContext second = start(consul)) {
				assertThat(get(first, "/a/1", "alice-key-0001")).isEqualTo(200);
				assertThat(get(second, "/a/1", "alice-key-0001")).isEqualTo(200);
				assertThat(get(second, "/b/1", "bob-key-0002")).isEqualTo(404);

				consul.putKeyValue(KEY, config(route("kv-a", "/a/**") + route("kv-b", "/b/**"),
						consumer("alice") + consumer("bob", "bob-key-0002")));
				assertThat(within(first, "/b/1", "bob-key-0002", 200)).as("first replica").isTrue();
				assertThat(within(second, "/b/1", "bob-key-0002", 200)).as("second replica").isTrue();
				assertThat(get(first, "/a/1", "alice-key-0001")).as("the removed key").isEqualTo(401);
				assertThat(first.getBean(ConfigStatus.class).version())
					.isEqualTo(second.getBean(ConfigStatus.class).version());

				// A bad change in the store is rejected on every replica; they keep serving the last good one.
				consul.putKeyValue(KEY, config(route("kv-a", "/a/**") + route("kv-b", "/b/**"),
						consumer("bob", "bob-key-0002") + consumer("mallory", "bob-key-0002")));
				assertThat(rejectedWithin(first)).isTrue();
				assertThat(rejectedWithin(second)).isTrue();
				assertThat(get(first, "/b/1", "bob-key-0002")).isEqualTo(200);
				assertThat(get(second, "/b/1", "bob-key-0002")).isEqualTo(200);
			}
		}
	}

	private static String route(String id, String path) {
		return """
				        - id: %s
				          uri: %s
				          predicates: [ Path=%s ]
				          filters: [ KeyAuth ]
				""".formatted(id, upstream.uri(), path);
	}

	private ConfigurableApplicationContext start(ConsulContractDouble consul) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("consul-kv")
			.run("--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + this.dir,
					"--CONSUL_PORT=" + consul.port());
	}

	private int get(ConfigurableApplicationContext gateway, String path, String key) throws Exception {
		return ConfigReloadTest.get(this.http, gateway, path, key);
	}

	/** Up to 3 s: the watch's 1 s delay between queries, then the reload. */
	private boolean within(ConfigurableApplicationContext gateway, String path, String key, int status)
			throws Exception {
		return eventually(Duration.ofSeconds(3), () -> get(gateway, path, key) == status);
	}

	private static boolean rejectedWithin(ConfigurableApplicationContext gateway) throws Exception {
		return eventually(Duration.ofSeconds(3), () -> reloads(gateway, "rejected") > 0);
	}

}
