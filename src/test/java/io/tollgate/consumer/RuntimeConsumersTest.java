package io.tollgate.consumer;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runtime consumers behind the configured ones: how a look-up finds them, and how a change is applied. */
class RuntimeConsumersTest {

	private static final long NOW = System.currentTimeMillis() / 1000;

	@Test
	void aRuntimeConsumerWhoseUsernameConfigurationTookCannotAuthenticateAsIt() {
		ConsumerRegistry registry = registry(new ConsumerProperties.ConsumerDefinition("zed", null, null, List.of(),
				null, List.of(new ConsumerProperties.ApiKeyDefinition(null, "configured-zed-key", null, null)),
				List.of()));
		RuntimeConsumers runtime = new RuntimeConsumers(registry::planLimits);
		registry.attach(runtime);
		runtime.put(consumer("zed", null, "runtime-zed-key"));
		runtime.put(consumer("amy", "crm-1", "runtime-amy-key"));

		assertThat(registry.findByKey("configured-zed-key").consumer().id()).isEqualTo(Consumer.derivedId("zed"));
		assertThat(registry.findByKey("runtime-zed-key")).isNull();
		assertThat(registry.findByKey("runtime-amy-key").consumer().username()).isEqualTo("amy");
		assertThat(registry.findByUsernameOrCustomId("crm-1").username()).isEqualTo("amy");
	}

	@Test
	void aChangeToAConsumerNeverDropsTheKeysItKeeps() {
		ConsumerRegistry registry = registry();
		RuntimeConsumers runtime = new RuntimeConsumers(registry::planLimits);
		registry.attach(runtime);
		StoredConsumer amy = consumer("amy", null, "amy-key-1");
		runtime.put(amy);
		StoredConsumer.Key second = key("amy-key-2");
		runtime.put(amy.withKey(second).withIdentity("amy", "crm-9", List.of("tag")));

		assertThat(registry.findByKey("amy-key-1")).isNotNull();
		assertThat(registry.findByKey("amy-key-2").consumer().customId()).isEqualTo("crm-9");
		assertThat(registry.find(amy.id()).customId()).isEqualTo("crm-9");

		runtime.put(amy.withKey(second).withoutKeys((key) -> !key.id().equals(second.id())));
		assertThat(registry.findByKey("amy-key-1")).isNull();
		assertThat(registry.findByKey("amy-key-2")).isNotNull();
		assertThat(registry.find(amy.id())).isNotNull();

		runtime.remove("amy");
		assertThat(registry.findByKey("amy-key-2")).isNull();
		assertThat(registry.find(amy.id())).isNull();
		assertThat(runtime.size()).isZero();
	}

	@Test
	void aKeyWithAnUnreadableDigestIsSkippedNotTheConsumer() {
		ConsumerRegistry registry = registry();
		RuntimeConsumers runtime = new RuntimeConsumers(registry::planLimits);
		registry.attach(runtime);
		StoredConsumer.Key broken = new StoredConsumer.Key(UUID.randomUUID().toString(), "not-hex", NOW, null, null);
		runtime.replaceAll(List.of(consumer("amy", null, "amy-key").withKey(broken)));

		assertThat(registry.findByKey("amy-key")).isNotNull();
		assertThat(registry.find("amy")).isNotNull();
	}

	@Test
	void unknownFieldsInAStoredValueAreIgnored() {
		String json = consumer("amy", null, "amy-key").toJson().replaceFirst("\\{", "{\"added_later\":[1,2],");
		assertThat(StoredConsumer.fromJson(json).username()).isEqualTo("amy");
	}

	private static ConsumerRegistry registry(ConsumerProperties.ConsumerDefinition... consumers) {
		return new ConsumerRegistry(new ConsumerProperties(List.of(consumers), null, Map.of()));
	}

	private static StoredConsumer consumer(String username, String customId, String key) {
		return new StoredConsumer(UUID.randomUUID().toString(), username, customId, null, NOW, null, List.of(),
				List.of(key(key)), List.of());
	}

	private static StoredConsumer.Key key(String key) {
		return new StoredConsumer.Key(UUID.randomUUID().toString(), Sha256.hex(key), NOW, null, null);
	}

}
