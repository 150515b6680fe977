package io.tollgate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/kubernetes}: every manifest parses, and what it says about the application (ports, probe paths,
 * the configuration directory, secrets, shutdown timing, memory) agrees with the application itself. The
 * ConfigMap's configuration is started for real.
 */
class KubernetesManifestsTest {

	private static final Path BASE = Path.of("deploy/kubernetes/base");

	private static final Path OVERLAY = Path.of("deploy/kubernetes/overlays/example");

	@Test
	void everyManifestParsesAndEveryResourceAKustomizationNamesExists() throws IOException {
		List<Path> files;
		try (Stream<Path> walk = Files.walk(Path.of("deploy/kubernetes"))) {
			files = walk.filter((file) -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml")).toList();
		}
		assertThat(files).hasSizeGreaterThanOrEqualTo(7);
		for (Path file : files) {
			assertThat(documents(file)).as(file.toString()).isNotEmpty();
		}
		for (Path kustomization : List.of(BASE.resolve("kustomization.yaml"), OVERLAY.resolve("kustomization.yaml"))) {
			Map<String, Object> root = documents(kustomization).get(0);
			for (Object resource : list(root, "resources")) {
				assertThat(kustomization.getParent().resolve(resource.toString())).as(kustomization + ": " + resource)
					.exists();
			}
		}
	}

	@Test
	void theDeploymentUsesTheApplicationsPortsProbesAndConfigurationDirectory() throws IOException {
		Map<String, Object> application = documents(Path.of("src/main/resources/application.yml")).get(0);
		Map<String, Object> container = container();
		Map<String, Integer> ports = new HashMap<>();
		for (Object port : list(container, "ports")) {
			ports.put((String) map(port).get("name"), (Integer) map(port).get("containerPort"));
		}
		assertThat(ports).containsEntry("proxy", (Integer) at(application, "server", "port"))
			.containsEntry("management", (Integer) at(application, "management", "server", "port"));
		assertThat(at(application, "management", "endpoint", "health", "probes", "enabled")).isEqualTo(true);
		assertThat(at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
		assertThat(at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
		for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			assertThat(at(container, probe, "httpGet", "port")).as(probe).isEqualTo("management");
		}

		// The configuration directory: the ConfigMap the kustomization generates, mounted where the env var says.
		Map<String, String> env = env(container);
		String mountPath = null;
		for (Object mount : list(container, "volumeMounts")) {
			if ("config".equals(map(mount).get("name"))) {
				mountPath = (String) map(mount).get("mountPath");
			}
		}
		assertThat(env.get("TOLLGATE_CONFIG_DIR")).isEqualTo(mountPath).isNotNull();
		Map<String, Object> kustomization = documents(BASE.resolve("kustomization.yaml")).get(0);
		Map<String, Object> generated = map(list(kustomization, "configMapGenerator").get(0));
		Object volume = list(podSpec(), "volumes").stream()
			.filter((candidate) -> "config".equals(map(candidate).get("name")))
			.findFirst()
			.orElseThrow();
		assertThat(at(map(volume), "configMap", "name")).isEqualTo(generated.get("name"));
		assertThat(list(generated, "files")).containsExactly("config/application.yml");
		assertThat(at(kustomization, "generatorOptions", "disableNameSuffixHash"))
			.as("a fixed ConfigMap name, so an edit reloads in place instead of rolling the pods")
			.isEqualTo(true);
	}

	@Test
	void shutdownWaitsForTheLoadBalancerThenForInFlightRequests() throws IOException {
		Map<String, Object> container = container();
		Map<String, String> env = env(container);
		assertThat(env).containsEntry("SERVER_SHUTDOWN", "graceful");
		int drain = Integer.parseInt(env.get("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE").replace("s", ""));
		List<Object> command = list(map(at(container, "lifecycle", "preStop", "exec")), "command");
		assertThat(command.get(0)).isEqualTo("sleep");
		int preStop = Integer.parseInt(command.get(1).toString());
		assertThat(preStop).isPositive();
		assertThat((Integer) podSpec().get("terminationGracePeriodSeconds")).isGreaterThan(preStop + drain);
	}

	@Test
	void memoryMatchesTheMemoryTargetAndSecretsComeFromTheOverlaysSecret() throws IOException {
		Map<String, Object> container = container();
		assertThat(mebibytes(at(container, "resources", "limits", "memory").toString())).isGreaterThanOrEqualTo(512);
		assertThat(env(container).get("JAVA_TOOL_OPTIONS")).contains("-Xmx256m").contains("-XX:MaxDirectMemorySize=");

		Map<String, Object> overlay = documents(OVERLAY.resolve("kustomization.yaml")).get(0);
		Map<String, Object> secret = map(list(overlay, "secretGenerator").get(0));
		List<String> keys = new ArrayList<>();
		for (String line : Files.readAllLines(OVERLAY.resolve("secrets.env.example"))) {
			if (!line.startsWith("#") && line.contains("=")) {
				keys.add(line.substring(0, line.indexOf('=')));
			}
		}
		for (Object variable : list(container, "env")) {
			Object ref = map(variable).get("valueFrom");
			if (ref != null) {
				assertThat(at(map(ref), "secretKeyRef", "name")).isEqualTo(secret.get("name"));
				assertThat(keys).contains((String) at(map(ref), "secretKeyRef", "key"));
			}
		}
	}

	@Test
	void servicesPdbAndAutoscalerPointAtTheDeployment() throws IOException {
		Map<String, Object> deployment = documents(BASE.resolve("deployment.yaml")).get(0);
		Object labels = at(deployment, "spec", "template", "metadata", "labels");
		assertThat(at(deployment, "spec", "selector", "matchLabels")).isEqualTo(labels);
		List<Map<String, Object>> services = documents(BASE.resolve("service.yaml"));
		assertThat(services).hasSize(2);
		for (Map<String, Object> service : services) {
			assertThat(at(service, "spec", "selector")).isEqualTo(labels);
			for (Object port : list(map(service.get("spec")), "ports")) {
				assertThat(List.of("proxy", "management")).contains((String) map(port).get("targetPort"));
			}
		}
		assertThat(at(documents(BASE.resolve("pdb.yaml")).get(0), "spec", "selector", "matchLabels")).isEqualTo(labels);
		assertThat(at(documents(BASE.resolve("hpa.yaml")).get(0), "spec", "scaleTargetRef", "name"))
			.isEqualTo(at(deployment, "metadata", "name"));
		assertThat(at(deployment, "spec", "replicas")).as("the autoscaler owns the replica count").isNull();
	}

	@Test
	void theConfigMapsConfigurationStartsTheGateway() throws Exception {
		// The route's upstream is a cluster address; KeyAuth answers before it would be called.
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class)
			.run("--server.port=0", "--management.server.port=0", "--TOLLGATE_CONFIG_DIR=" + BASE.resolve("config"))) {
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/1")).build(),
						HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(401); // its route, with KeyAuth
		}
	}

	private static Map<String, Object> container() throws IOException {
		return map(list(podSpec(), "containers").get(0));
	}

	private static Map<String, Object> podSpec() throws IOException {
		return map(at(documents(BASE.resolve("deployment.yaml")).get(0), "spec", "template", "spec"));
	}

	private static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> env = new HashMap<>();
		for (Object variable : list(container, "env")) {
			env.put((String) map(variable).get("name"), (String) map(variable).get("value"));
		}
		return env;
	}

	private static int mebibytes(String quantity) {
		assertThat(quantity).endsWith("Mi");
		return Integer.parseInt(quantity.substring(0, quantity.length() - 2));
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> documents(Path file) throws IOException {
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
			if (document != null) {
				documents.add((Map<String, Object>) document);
			}
		}
		return documents;
	}

	private static Object at(Map<String, Object> root, String... path) {
		Object node = root;
		for (String key : path) {
			node = (node instanceof Map<?, ?> map) ? map.get(key) : null;
		}
		return node;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object node) {
		return (Map<String, Object>) node;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Map<String, Object> node, String key) {
		Object value = node.get(key);
		return (value != null) ? (List<Object>) value : List.of();
	}

}
