package io.tollgate.reload;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.ConfigServerProcess;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.tollgate.reload.ConfigReloadTest.config;
import static io.tollgate.reload.ConfigReloadTest.consumer;
import static io.tollgate.reload.ConfigReloadTest.keyAuthRoute;
import static io.tollgate.reload.ConfigReloadTest.reloads;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many replicas, one configuration from git: a real Spring Cloud Config Server, in a JVM of its own on loopback,
 * serves a local git repository laid out like config-repo/; the gateway reads it with the shipped
 * {@code config-server} profile (config-repo/application-config-server.yml) and reloads on
 * {@code POST /actuator/refresh}, as a git host's push webhook would call it.
 */
class ConfigServerTest {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path repository;

	@TempDir
	Path configDir;

	@TempDir
	Path serverWorkDir;

	@Test
	void twoReplicasTakeTheirRoutesAndKeysFromGitAndReloadOnRefresh() throws Exception {
		Files.copy(Path.of("config-repo/application-config-server.yml"),
				this.configDir.resolve("application-config-server.yml"));
		try (Git git = Git.init().setDirectory(this.repository.toFile()).setInitialBranch("main").call()) {
			commit(git, config(keyAuthRoute("git-a", "/a/**"), consumer("alice", "alice-key-0001")));
			ConfigServerProcess server = ConfigServerProcess.start(this.repository, "main", this.serverWorkDir);
			try (ConfigurableApplicationContext first = start(server); ConfigurableApplicationContext second = start(server)) {
				assertThat(get(first, "/a/1", "alice-key-0001")).isEqualTo(200);
				assertThat(get(second, "/a/1", "alice-key-0001")).isEqualTo(200);
				assertThat(get(second, "/b/1", "bob-key-0002")).isEqualTo(404);

				// A push: nothing changes until the refresh (the webhook); then both replicas run the new commit.
				commit(git, config(keyAuthRoute("git-a", "/a/**") + keyAuthRoute("git-b", "/b/**"),
						consumer("alice") + consumer("bob", "bob-key-0002")));
				assertThat(get(first, "/b/1", "bob-key-0002")).isEqualTo(404);
				assertThat(refresh(first)).isEqualTo(200);
				assertThat(refresh(second)).isEqualTo(200);
				assertThat(within(first, "/b/1", "bob-key-0002", 200)).as("first replica").isTrue();
				assertThat(within(second, "/b/1", "bob-key-0002", 200)).as("second replica").isTrue();
				assertThat(get(first, "/a/1", "alice-key-0001")).as("the removed key").isEqualTo(401);
				// The new commit id (config.client.version) is not a setting: nothing is waiting for a restart.
				assertThat(first.getBean(ConfigStatus.class).lastReload()).containsEntry("result", "applied")
					.doesNotContainKey("restart-needed-for");
				assertThat(first.getBean(ConfigStatus.class).version())
					.isEqualTo(second.getBean(ConfigStatus.class).version());

				// A bad commit is rejected on every replica; they keep serving the last good one.
				String good = first.getBean(ConfigStatus.class).version();
				commit(git, config(keyAuthRoute("git-a", "/a/**") + keyAuthRoute("git-b", "/b/**"),
						consumer("bob", "bob-key-0002") + consumer("mallory", "bob-key-0002")));
				assertThat(refresh(first)).isEqualTo(200);
				assertThat(refresh(second)).isEqualTo(200);
				assertThat(reloads(first, "rejected")).isEqualTo(1);
				assertThat(reloads(second, "rejected")).isEqualTo(1);
				assertThat(get(first, "/b/1", "bob-key-0002")).isEqualTo(200);
				assertThat(first.getBean(ConfigStatus.class).version()).isEqualTo(good);

				// The server goes away: a refresh fails, and the running configuration stays.
				server.close();
				assertThat(refresh(first)).isEqualTo(200);
				assertThat(reloads(first, "rejected")).isEqualTo(2);
				assertThat(first.getBean(ConfigStatus.class).lastReload()).containsEntry("result", "rejected")
					.containsEntry("property", "spring.config.import");
				assertThat(get(first, "/b/1", "bob-key-0002")).isEqualTo(200);
				assertThat(get(first, "/a/1", "alice-key-0001")).isEqualTo(401);
				assertThat(first.getBean(ConfigStatus.class).version()).isEqualTo(good);
			}
			finally {
				server.close();
			}
		}
	}

	/** Commits application.yml, as an operator pushing to the configuration repository would. */
	private void commit(Git git, String yaml) throws Exception {
		Files.writeString(this.repository.resolve("application.yml"), yaml, StandardCharsets.UTF_8);
		git.add().addFilepattern("application.yml").call();
		git.commit().setMessage("configuration").setAuthor("ops", "ops@example.com").setSign(false).call();
	}

	/** A gateway replica with the shipped profile, reading the server's repository. */
	private ConfigurableApplicationContext start(ConfigServerProcess server) {
		return new SpringApplicationBuilder(TollgateApplication.class).profiles("config-server")
			.run("--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + this.configDir,
					"--CONFIG_SERVER_URL=" + server.url(), "--spring.cloud.config.username=" + ConfigServerProcess.USERNAME,
					"--spring.cloud.config.password=" + ConfigServerProcess.PASSWORD,
					"--tollgate.admin.users[0].username=ops", "--tollgate.admin.users[0].password=ops-password");
	}

	private int get(ConfigurableApplicationContext gateway, String path, String key) throws Exception {
		return ConfigReloadTest.get(this.http, gateway, path, key);
	}

	/** Up to 2 s: the routes are rebuilt after the refresh has answered. */
	private boolean within(ConfigurableApplicationContext gateway, String path, String key, int status)
			throws Exception {
		return ConfigReloadTest.eventually(Duration.ofSeconds(2), () -> get(gateway, path, key) == status);
	}

	private int refresh(ConfigurableApplicationContext gateway) throws Exception {
		String credentials = Base64.getEncoder().encodeToString("ops:ops-password".getBytes(StandardCharsets.UTF_8));
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.management.port")
					+ "/actuator/refresh"))
			.header("Authorization", "Basic " + credentials)
			.timeout(Duration.ofSeconds(20))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

}
