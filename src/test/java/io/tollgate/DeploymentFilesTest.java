package io.tollgate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and docker-compose.yml cannot be run here (no Docker engine), so they are read and checked: the
 * services, ports and settings the gateway needs are present and point at each other.
 */
class DeploymentFilesTest {

	@Test
	@SuppressWarnings("unchecked")
	void composeWiresTheGatewayToConsulRedisTracingAndTwoServices() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

		assertThat(services).containsKeys("gateway", "consul", "redis", "prometheus", "grafana", "jaeger", "orders-1",
				"orders-2");
		Map<String, Object> gateway = services.get("gateway");
		assertThat((List<String>) gateway.get("ports")).contains("8000:8000", "127.0.0.1:8001:8001");
		Map<String, String> env = (Map<String, String>) gateway.get("environment");
		assertThat(env).containsEntry("CONSUL_HOST", "consul")
			.containsEntry("SPRING_DATA_REDIS_HOST", "redis")
			.containsKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT")
			.containsKey("TOLLGATE_ADMIN_USERS_0_USERNAME")
			.containsKey("TOLLGATE_ADMIN_USERS_0_PASSWORD");
		assertThat(env.get("SPRING_PROFILES_ACTIVE")).contains("consul").contains("compose");
		assertThat(env.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT")).startsWith("http://jaeger:4318");
		assertThat((List<String>) gateway.get("depends_on")).contains("consul", "redis");
		assertThat(Path.of("config-repo/application-compose.yml")).exists();
		assertThat(Files.readString(Path.of("config-repo/application-compose.yml"))).contains("lb://orders");

		// The two sample services are registered in Consul, with checks.
		String consulServices = Files.readString(Path.of("deploy/consul/services.json"));
		assertThat(consulServices).contains("\"orders-1\"").contains("\"orders-2\"").contains("\"check\"");
		assertThat(services.get("consul").get("volumes").toString()).contains("./deploy/consul");

		// Prometheus scrapes the management port; Grafana gets the provisioned dashboard.
		assertThat(services.get("prometheus").get("volumes").toString()).contains("./grafana/prometheus.yml");
		Map<String, Object> prometheus = new Yaml().load(Files.readString(Path.of("grafana/prometheus.yml")));
		String scrape = prometheus.get("scrape_configs").toString();
		assertThat(scrape).contains("/actuator/prometheus").contains("gateway:8001").contains("basic_auth");
		assertThat(services.get("grafana").get("volumes").toString()).contains("./grafana/dashboards")
			.contains("./grafana/provisioning");
		assertThat(Path.of("grafana/dashboards/tollgate.json")).exists();
	}

	@Test
	@SuppressWarnings("unchecked")
	void composeHasAConsulKeyValueVariantSeededFromTheComposeConfiguration() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
		Map<String, String> env = (Map<String, String>) services.get("gateway-kv").get("environment");
		assertThat(env.get("SPRING_PROFILES_ACTIVE")).contains("consul-kv").doesNotContain("compose");
		assertThat(env).containsKeys("CONSUL_HOST", "TOLLGATE_ADMIN_USERS_0_PASSWORD", "COMPOSE_DEMO_KEY");
		assertThat(services.get("consul-seed").get("entrypoint").toString()).contains("config/tollgate/data")
			.contains("@/seed/application-compose.yml");
		assertThat(Files.readString(Path.of("config-repo/application-consul-kv.yml"))).contains("import: consul:")
			.contains("format: YAML")
			.contains("name: tollgate");
	}

	@Test
	@SuppressWarnings("unchecked")
	void composePublishesOnlyTheProxyPortToAllInterfacesAndHoldsNoFixedSecret() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

		// Redis is reachable on the compose network only; everything but the proxy port is bound to loopback.
		assertThat(services.get("redis")).doesNotContainKey("ports");
		services.forEach((name, service) -> {
			for (Object port : (List<Object>) service.getOrDefault("ports", List.of())) {
				if (!(name.equals("gateway") && port.equals("8000:8000"))) {
					assertThat(port.toString()).as(name + " publishes " + port).startsWith("127.0.0.1:");
				}
			}
		});

		// Secrets come from the environment, and compose refuses to start without them.
		String required = "\\$\\{[A-Z_]+:\\?[^}]+}";
		Map<String, String> env = (Map<String, String>) services.get("gateway").get("environment");
		assertThat(env.get("TOLLGATE_ADMIN_USERS_0_PASSWORD")).matches(required);
		assertThat(env.get("SPRING_DATA_REDIS_PASSWORD")).matches(required);
		assertThat(services.get("redis").get("command").toString()).contains("--requirepass").containsPattern(required);
		assertThat((Map<String, String>) services.get("grafana").get("environment"))
			.hasEntrySatisfying("GF_SECURITY_ADMIN_PASSWORD", (password) -> assertThat(password).matches(required));
		// Prometheus reads the admin password from a compose secret, not from a file in the repository.
		assertThat(Files.readString(Path.of("grafana/prometheus.yml"))).contains("password_file:")
			.doesNotContainPattern("(?m)^\\s*password:");
	}

	@Test
	void dockerfileIsMultiStageLayeredNonRootAndHealthChecked() throws IOException {
		List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
		String dockerfile = String.join("\n", lines);

		assertThat(lines.stream().filter((line) -> line.startsWith("FROM "))).hasSize(2);
		assertThat(dockerfile).contains("-Djarmode=tools").contains("--layers")
			.contains("COPY --from=build /layers/dependencies/")
			.contains("COPY --from=build /layers/application/");
		assertThat(lines.stream().filter((line) -> line.startsWith("USER ")).findFirst()).hasValueSatisfying(
				(user) -> assertThat(user).isNotEqualTo("USER root").isNotEqualTo("USER 0"));
		assertThat(dockerfile).contains("EXPOSE 8000 8001").contains("HEALTHCHECK")
			.contains("8001/actuator/health").contains("MaxRAMPercentage");
	}

}
