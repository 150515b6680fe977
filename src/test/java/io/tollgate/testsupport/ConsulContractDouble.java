package io.tollgate.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

/**
 * A contract double of Consul's HTTP API, for machines without Docker (and so without a real Consul): an in-JVM
 * server on loopback that answers the documented {@code /v1/...} endpoints the Spring Cloud Consul client uses
 * ({@code status/leader}, {@code agent/self}, {@code catalog/services}, {@code health/service/{name}} with
 * {@code passing} and blocking {@code index}/{@code wait}, service register/deregister, and the key/value store's
 * {@code kv/{key}?recurse} with blocking queries, as Spring Cloud Consul Config's watch sends them) with responses
 * shaped as Consul's documentation gives them. Where Docker exists, the same scenarios run against a real Consul.
 */
public final class ConsulContractDouble implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, Instance> instances = new ConcurrentHashMap<>();

	private final Map<String, KeyValue> keyValues = new java.util.concurrent.ConcurrentSkipListMap<>();

	private final AtomicLong index = new AtomicLong(1);

	private final LoopResources loops = LoopResources.create("consul-double", 1, true);

	private final DisposableServer server;

	private ConsulContractDouble() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops).handle(this::handle).bindNow();
	}

	public static ConsulContractDouble start() {
		return new ConsulContractDouble();
	}

	public int port() {
		return this.server.port();
	}

	/** Registers a service instance whose check passes. */
	public void register(String service, String id, String host, int port) {
		this.instances.put(id, new Instance(service, id, host, port, "passing"));
		this.index.incrementAndGet();
	}

	/** Sets the status of an instance's check: {@code passing}, {@code warning} or {@code critical}. */
	public void setStatus(String id, String status) {
		Instance old = this.instances.get(id);
		this.instances.put(id, new Instance(old.service, old.id, old.host, old.port, status));
		this.index.incrementAndGet();
	}

	/** Writes a key of the key/value store (as {@code consul kv put}); blocking queries on it return at once. */
	public void putKeyValue(String key, String value) {
		long modifyIndex = this.index.incrementAndGet();
		KeyValue old = this.keyValues.get(key);
		this.keyValues.put(key, new KeyValue(key, value, (old != null) ? old.createIndex : modifyIndex, modifyIndex));
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		QueryStringDecoder uri = new QueryStringDecoder(request.uri());
		String path = uri.path();
		response.header("X-Consul-Index", Long.toString(this.index.get()))
			.header("X-Consul-KnownLeader", "true")
			.header("X-Consul-LastContact", "0")
			.header("Content-Type", "application/json");
		Object body;
		if (path.equals("/v1/status/leader")) {
			body = "127.0.0.1:8300";
		}
		else if (path.equals("/v1/status/peers")) {
			body = List.of("127.0.0.1:8300");
		}
		else if (path.equals("/v1/agent/self")) {
			body = Map.of("Config", Map.of("Datacenter", "dc1", "NodeName", "double", "Version", "1.22.0"), "Member",
					Map.of("Name", "double", "Addr", "127.0.0.1", "Port", 8301));
		}
		else if (path.equals("/v1/catalog/datacenters")) {
			body = List.of("dc1");
		}
		else if (path.equals("/v1/catalog/services")) {
			Map<String, List<String>> services = new LinkedHashMap<>();
			this.instances.values().forEach((instance) -> services.put(instance.service, List.of()));
			body = services;
		}
		else if (path.startsWith("/v1/health/service/")) {
			String service = path.substring("/v1/health/service/".length());
			boolean passingOnly = "true".equals(first(uri, "passing"));
			List<Object> entries = new ArrayList<>();
			this.instances.values()
				.stream()
				.filter((instance) -> instance.service.equals(service))
				.filter((instance) -> !passingOnly || instance.status.equals("passing"))
				.forEach((instance) -> entries.add(instance.toHealthService()));
			body = entries;
		}
		else if (path.startsWith("/v1/kv/")) {
			return keyValues(path.substring("/v1/kv/".length()), uri, response);
		}
		else if (path.startsWith("/v1/agent/service/register") || path.startsWith("/v1/agent/service/deregister")
				|| path.startsWith("/v1/agent/check/")) {
			return request.receive().then(response.status(200).send());
		}
		else {
			return response.status(404).sendString(Mono.just("no such endpoint in the contract double")).then();
		}
		Mono<Void> wait = Mono.empty();
		String blockingIndex = first(uri, "index");
		if (blockingIndex != null && blockingIndex.equals(Long.toString(this.index.get()))) {
			// Blocking query with nothing new: Consul holds it up to "wait"; the double holds it briefly.
			wait = Mono.delay(Duration.ofMillis(200)).then();
		}
		byte[] json = JSON.writeValueAsBytes(body);
		return wait.then(response.sendByteArray(Mono.just(json)).then());
	}

	/**
	 * {@code GET /v1/kv/{key}} ({@code ?recurse}: every key under it), answered with the highest {@code ModifyIndex}
	 * among them as {@code X-Consul-Index}, 404 when there is none. A blocking query ({@code ?index=} equal to that)
	 * is held until a key under it changes, or for at most a second (Consul: up to {@code wait}).
	 */
	private Mono<Void> keyValues(String key, QueryStringDecoder uri, HttpServerResponse response) {
		boolean recurse = uri.parameters().containsKey("recurse");
		String blockingIndex = first(uri, "index");
		long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
		return Mono.defer(() -> Mono.just(matching(key, recurse)))
			.repeatWhen((again) -> again.delayElements(Duration.ofMillis(20)))
			.filter((found) -> blockingIndex == null || !blockingIndex.equals(Long.toString(kvIndex(found)))
					|| System.nanoTime() > deadline)
			.next()
			.flatMap((found) -> {
				response.header("X-Consul-Index", Long.toString(kvIndex(found)));
				if (found.isEmpty()) {
					return response.status(404).send();
				}
				List<Object> body = new ArrayList<>();
				found.forEach((entry) -> body.add(entry.toJson()));
				return response.sendByteArray(Mono.just(JSON.writeValueAsBytes(body))).then();
			});
	}

	private List<KeyValue> matching(String key, boolean recurse) {
		return this.keyValues.values()
			.stream()
			.filter((entry) -> recurse ? entry.key.startsWith(key) : entry.key.equals(key))
			.toList();
	}

	private long kvIndex(List<KeyValue> found) {
		return found.stream().mapToLong(KeyValue::modifyIndex).max().orElse(this.index.get());
	}

	private static String first(QueryStringDecoder uri, String name) {
		List<String> values = uri.parameters().get(name);
		return (values == null || values.isEmpty()) ? null : values.get(0);
	}

	private record KeyValue(String key, String value, long createIndex, long modifyIndex) {

		Map<String, Object> toJson() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("LockIndex", 0);
			json.put("Key", this.key);
			json.put("Flags", 0);
			json.put("Value", java.util.Base64.getEncoder()
				.encodeToString(this.value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
			json.put("CreateIndex", this.createIndex);
			json.put("ModifyIndex", this.modifyIndex);
			return json;
		}

	}

	private record Instance(String service, String id, String host, int port, String status) {

		Map<String, Object> toHealthService() {
			Map<String, Object> node = new LinkedHashMap<>();
			node.put("ID", "00000000-0000-0000-0000-000000000001");
			node.put("Node", "double");
			node.put("Address", "127.0.0.1");
			node.put("Datacenter", "dc1");
			node.put("TaggedAddresses", Map.of());
			node.put("Meta", Map.of());
			Map<String, Object> svc = new LinkedHashMap<>();
			svc.put("ID", this.id);
			svc.put("Service", this.service);
			svc.put("Tags", List.of());
			svc.put("Address", this.host);
			svc.put("Port", this.port);
			svc.put("Meta", Map.of());
			Map<String, Object> check = new LinkedHashMap<>();
			check.put("Node", "double");
			check.put("CheckID", "service:" + this.id);
			check.put("Name", "Service '" + this.service + "' check");
			check.put("Status", this.status);
			check.put("ServiceID", this.id);
			check.put("ServiceName", this.service);
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("Node", node);
			entry.put("Service", svc);
			entry.put("Checks", List.of(check));
			return entry;
		}

	}

}
