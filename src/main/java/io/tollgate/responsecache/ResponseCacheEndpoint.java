package io.tollgate.responsecache;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/responsecache}: GET the store's size, DELETE to purge everything, DELETE
 * {@code /{key}} to purge one entry (the key is the response's {@code X-Cache-Key}). Not exposed unless listed in
 * {@code management.endpoints.web.exposure.include}.
 */
@Endpoint(id = "responsecache")
public class ResponseCacheEndpoint {

	private final ResponseCacheStore store;

	private final ResponseCacheProperties properties;

	ResponseCacheEndpoint(ResponseCacheStore store, ResponseCacheProperties properties) {
		this.store = store;
		this.properties = properties;
	}

	@ReadOperation
	public Mono<Map<String, Object>> stats() {
		return this.store.size().map((size) -> {
			Map<String, Object> stats = new LinkedHashMap<>();
			stats.put("store", this.properties.store().name().toLowerCase(java.util.Locale.ROOT));
			stats.put("entries", size[0]);
			if (size[1] >= 0) {
				stats.put("bytes", size[1]);
			}
			return stats;
		});
	}

	@DeleteOperation
	public Mono<Map<String, Object>> purgeAll() {
		return this.store.clear().map((removed) -> Map.of("removed", removed));
	}

	@DeleteOperation
	public Mono<Map<String, Object>> purge(@Selector String key) {
		return this.store.evict(key).map((removed) -> Map.of("key", key, "removed", removed));
	}

}
