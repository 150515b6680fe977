package io.tollgate.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import static io.tollgate.reload.ConsulKeyValueConfigTest.twoReplicasReloadWhenTheKeyChanges;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ConsulKeyValueConfigTest's scenario against a real Consul (runs where Docker does: GitHub Actions): the key is
 * written through Consul's own HTTP API, and the replicas watch it with real blocking queries.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConsulKeyValueContainerTest {

	@Container
	static final ConsulContainer consul = new ConsulContainer("hashicorp/consul:1.22");

	private final HttpClient http = HttpClient.newHttpClient();

	@TempDir
	Path dir;

	@Test
	void twoReplicasTakeTheirRoutesAndKeysFromConsulAndReloadWhenTheKeyChanges() throws Exception {
		twoReplicasReloadWhenTheKeyChanges(
				new ConsulKeyValueConfigTest.Store(consul.getHost(), consul.getMappedPort(8500), this::put), this.dir);
	}

	private void put(String key, String value) {
		URI uri = URI.create("http://" + consul.getHost() + ":" + consul.getMappedPort(8500) + "/v1/kv/" + key);
		try {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
