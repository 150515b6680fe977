package io.tollgate.reload;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ConsulContractDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.reload.ConfigReloadTest.config;
import static io.tollgate.reload.ConfigReloadTest.consumer;
import static io.tollgate.reload.ConfigReloadTest.keyAuthRoute;
import static io.tollgate.reload.ConfigReloadTest.eventually;
import static io.tollgate.reload.ConfigReloadTest.get;
import static io.tollgate.reload.ConfigReloadTest.reloads;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many replicas, one configuration: Consul's key/value store through Spring Cloud Consul Config, with the shipped
 * {@code consul-kv} profile (config-repo/application-consul-kv.yml). Against the Consul contract double, which
 * answers the key/value API and its blocking queries as Consul documents them; ConsulKeyValueContainerTest runs the
 * same scenario against a real Consul where Docker exists.
 */
class ConsulKeyValueConfigTest {

	private static final String KEY = "config/tollgate/data";

	@TempDir
	Path dir;

	@Test
	void twoReplicasTakeTheirRoutesAndKeysFromConsulAndReloadWhenTheKeyChanges() throws Exception {
		try (ConsulContractDouble consul = ConsulContractDouble.start()) {
			twoReplicasReloadWhenTheKeyChanges(new Store("127.0.0.1", consul.port(), consul::putKeyValue), this.dir);
		}
	}

	/** Where the configuration key lives: the contract double here, a real Consul in ConsulKeyValueContainerTest. */
	record Store(String host, int port, BiConsumer<String, String> put) {
	}

	/** The scenario, against either store. */
	static void twoReplicasReloadWhenTheKeyChanges(Store consul, Path dir) throws Exception {
		Files.copy(Path.of("config-repo/application-consul-kv.yml"), dir.resolve("application-consul-kv.yml"));
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		consul.put().accept(KEY, config(keyAuthRoute("kv-a", "/a/**"), consumer("alice", "alice-key-0001")));
		try (ConfigurableApplicationContext first = start(consul, dir); ConfigurableApplicationContext second = start(consul, dir)) {
			assertThat(get(http, first, "/a/1", "alice-key-0001")).isEqualTo(200);
			assertThat(get(http, second, "/a/1", "alice-key-0001")).isEqualTo(200);
			assertThat(get(http, second, "/b/1", "bob-key-0002")).isEqualTo(404);

			consul.put().accept(KEY, config(keyAuthRoute("kv-a", "/a/**") + keyAuthRoute("kv-b", "/b/**"),
					consumer("alice") + consumer("bob", "bob-key-0002")));
			assertThat(within(http, first, "/b/1", "bob-key-0002", 200)).as("first replica").isTrue();
			assertThat(within(http, second, "/b/1", "bob-key-0002", 200)).as("second replica").isTrue();
			assertThat(get(http, first, "/a/1", "alice-key-0001")).as("the removed key").isEqualTo(401);
			assertThat(first.getBean(ConfigStatus.class).version())
				.isEqualTo(second.getBean(ConfigStatus.class).version());

			// A bad change in the store is rejected on every replica; they keep serving the last good one.
			consul.put().accept(KEY, config(keyAuthRoute("kv-a", "/a/**") + keyAuthRoute("kv-b", "/b/**"),
					consumer("bob", "bob-key-0002") + consumer("mallory", "bob-key-0002")));
			assertThat(rejectedWithin(first)).isTrue();
			assertThat(rejectedWithin(second)).isTrue();
			assertThat(get(http, first, "/b/1", "bob-key-0002")).isEqualTo(200);
			assertThat(get(http, second, "/b/1", "bob-key-0002")).isEqualTo(200);
		}
	}

	private static ConfigurableApplicationContext start(Store consul, Path dir) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("consul-kv")
			.run("--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + dir,
					"--CONSUL_HOST=" + consul.host(), "--CONSUL_PORT=" + consul.port());
	}

	/** Up to 3 s: the watch's 1 s delay between queries, then the reload. */
	private static boolean within(HttpClient http, ConfigurableApplicationContext gateway, String path, String key,
			int status) throws Exception {
		return eventually(Duration.ofSeconds(3), () -> get(http, gateway, path, key) == status);
	}

	private static boolean rejectedWithin(ConfigurableApplicationContext gateway) throws Exception {
		return eventually(Duration.ofSeconds(3), () -> reloads(gateway, "rejected") > 0);
	}

}
