package io.tollgate.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tollgate.consumer.Consumer;
import io.tollgate.consumer.ConsumerRegistry;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/** {@code /actuator/consumers[/{username}]}: who may call the gateway, never their keys. */
@Endpoint(id = "consumers")
public class ConsumersEndpoint {

	private final ConsumerRegistry registry;

	ConsumersEndpoint(ConsumerRegistry registry) {
		this.registry = registry;
	}

	@ReadOperation
	public List<Map<String, Object>> consumers() {
		return this.registry.consumers().stream().map(this::describe).toList();
	}

	@ReadOperation
	public Map<String, Object> consumer(@Selector String username) {
		Consumer consumer = this.registry.find(username);
		return (consumer != null) ? describe(consumer) : null;
	}

	private Map<String, Object> describe(Consumer consumer) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("username", consumer.username());
		view.put("id", consumer.id());
		view.put("customId", consumer.customId());
		view.put("groups", consumer.groups());
		view.put("plan", consumer.plan());
		view.put("apiKeys", this.registry.apiKeyCount(consumer.username()));
		return view;
	}

}
