package io.tollgate.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;

/**
 * Runtime consumers in Redis, the source of truth every replica reads: one hash of consumers (username to JSON),
 * one hash of claims (an id, custom id, key digest or JWT key to the username that holds it), a sorted set of
 * usernames for paging, and a version counter. Every change goes through one script that checks, writes, counts
 * and publishes the username at once ({@code write_consumer.lua}). The keys share one hash tag, so the script
 * also runs on Redis Cluster.
 */
public class RedisConsumerStore {

	private static final Log logger = LogFactory.getLog(RedisConsumerStore.class);

	static final String CONSUMERS = "{tollgate:consumers}:data";

	static final String CLAIMS = "{tollgate:consumers}:claims";

	static final String USERNAMES = "{tollgate:consumers}:usernames";

	static final String VERSION = "{tollgate:consumers}:version";

	static final String LAST_USED = "{tollgate:consumers}:last-used";

	/** Where every change is announced ({@code <version> <username>}); replicas re-read that consumer. */
	public static final String CHANNEL = "tollgate:consumers:changes";

	private static final RedisScript<String> WRITE = RedisScript
		.of(new ClassPathResource("io/tollgate/consumer/write_consumer.lua"), String.class);

	private final ReactiveStringRedisTemplate redis;

	private final Duration timeout;

	public RedisConsumerStore(ReactiveStringRedisTemplate redis, Duration timeout) {
		this.redis = redis;
		this.timeout = timeout;
	}

	/** The consumer with this username, if any. */
	public Mono<StoredConsumer> get(String username) {
		return getJson(username).map(StoredConsumer::fromJson);
	}

	/** The consumer with this username as stored (what {@link #write} compares with), if any. */
	public Mono<String> getJson(String username) {
		return this.redis.<String, String>opsForHash().get(CONSUMERS, username).timeout(this.timeout);
	}

	/** The consumer with this username, or else with this id (Kong accepts either in a path), as stored. */
	public Mono<String> findJson(String usernameOrId) {
		return getJson(usernameOrId).switchIfEmpty(Mono.defer(() -> ownerOf("id:" + usernameOrId).flatMap(this::getJson)));
	}

	/** Who holds a claim ({@link StoredConsumer#claims()}), if anyone. */
	public Mono<String> ownerOf(String claim) {
		return this.redis.<String, String>opsForHash().get(CLAIMS, claim).timeout(this.timeout);
	}

	/**
	 * The next {@code size} usernames after {@code after} (null: from the first), and those of them that still
	 * exist. The last username is where the next page starts, even if that consumer was deleted meanwhile.
	 */
	public Mono<Page> page(String after, int size) {
		Range<String> range = (after != null) ? Range.rightUnbounded(Range.Bound.exclusive(after))
				: Range.unbounded();
		return this.redis.opsForZSet()
			.rangeByLex(USERNAMES, range, Limit.limit().count(size))
			.collectList()
			.flatMap((names) -> names.isEmpty() ? Mono.just(new Page(names, List.of()))
					: this.redis.<String, String>opsForHash()
						.multiGet(CONSUMERS, names)
						.map((values) -> new Page(names, parse(values))))
			.timeout(this.timeout);
	}

	/**
	 * One page of consumers.
	 *
	 * @param usernames the usernames read
	 * @param consumers the consumers of those that exist
	 */
	public record Page(List<String> usernames, List<StoredConsumer> consumers) {
	}

	/**
	 * Every runtime consumer, read in batches (a replica's startup and resync). A value that cannot be read is
	 * skipped (and logged), not the whole set.
	 */
	public Flux<StoredConsumer> all() {
		return this.redis.<String, String>opsForHash()
			.scan(CONSUMERS, ScanOptions.scanOptions().count(1000).build())
			.mapNotNull((entry) -> parseOrSkip(entry.getKey(), entry.getValue()));
	}

	/** A counter raised by every change: a replica that missed one reloads everything. */
	public Mono<Long> version() {
		return this.redis.opsForValue().get(VERSION).map(Long::parseLong).defaultIfEmpty(0L).timeout(this.timeout);
	}

	/**
	 * Writes {@code next} (null: deletes the consumer) if the consumer is still {@code expectedJson} as read (null:
	 * absent); {@code expected} is that value parsed, for the claims to give up.
	 *
	 * @return {@code ok}, {@code changed} (someone wrote meanwhile: read again and retry), or {@code taken:<claim>}
	 */
	public Mono<String> write(String username, String expectedJson, StoredConsumer expected, StoredConsumer next) {
		Set<String> held = (next != null) ? new LinkedHashSet<>(next.claims()) : Set.of();
		List<String> released = new ArrayList<>();
		if (expected != null) {
			for (String claim : expected.claims()) {
				if (!held.contains(claim)) {
					released.add(claim);
				}
			}
		}
		List<String> args = new ArrayList<>();
		args.add(CHANNEL);
		args.add(username);
		args.add((expectedJson != null) ? expectedJson : "");
		args.add((next != null) ? next.toJson() : "");
		args.add(Integer.toString(held.size()));
		args.addAll(held);
		args.addAll(released);
		return this.redis.execute(WRITE, List.of(CONSUMERS, CLAIMS, USERNAMES, VERSION), args)
			.next()
			.timeout(this.timeout);
	}

	/** Subscribes to the changes; completes once subscribed, with every change from then on. */
	public Mono<Flux<Change>> changes() {
		return this.redis.listenToLater(ChannelTopic.of(CHANNEL))
			.map((messages) -> messages.map((message) -> Change.parse(message.getMessage())));
	}

	/**
	 * One change, as published.
	 *
	 * @param version the version counter after it
	 * @param username whose consumer changed
	 */
	public record Change(long version, String username) {

		static Change parse(String message) {
			int space = message.indexOf(' ');
			return new Change(Long.parseLong(message.substring(0, space)), message.substring(space + 1));
		}

	}

	/** Records when keys were last used (credential id to epoch seconds), in one command. */
	public Mono<Boolean> recordLastUsed(Map<String, Long> lastUsed) {
		Map<String, String> values = new HashMap<>();
		lastUsed.forEach((id, seconds) -> values.put(id, Long.toString(seconds)));
		return this.redis.<String, String>opsForHash().putAll(LAST_USED, values).timeout(this.timeout);
	}

	/** When these keys were last used (epoch seconds), as far as replicas have recorded it. */
	public Mono<Map<String, Long>> lastUsed(Collection<String> credentialIds) {
		if (credentialIds.isEmpty()) {
			return Mono.just(Map.of());
		}
		List<String> ids = List.copyOf(credentialIds);
		return this.redis.<String, String>opsForHash().multiGet(LAST_USED, ids).map((values) -> {
			Map<String, Long> result = new HashMap<>();
			for (int i = 0; i < ids.size(); i++) {
				if (values.get(i) != null) {
					result.put(ids.get(i), Long.parseLong(values.get(i)));
				}
			}
			return result;
		}).timeout(this.timeout);
	}

	/** Forgets when deleted keys were last used. */
	public Mono<Long> forgetLastUsed(Collection<String> credentialIds) {
		if (credentialIds.isEmpty()) {
			return Mono.just(0L);
		}
		return this.redis.<String, String>opsForHash().remove(LAST_USED, credentialIds.toArray()).timeout(this.timeout);
	}

	private static List<StoredConsumer> parse(List<String> values) {
		List<StoredConsumer> consumers = new ArrayList<>(values.size());
		for (String value : values) {
			if (value != null) { // deleted between the two reads
				StoredConsumer consumer = parseOrSkip(null, value);
				if (consumer != null) {
					consumers.add(consumer);
				}
			}
		}
		return consumers;
	}

	private static StoredConsumer parseOrSkip(String username, String value) {
		try {
			return StoredConsumer.fromJson(value);
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Runtime consumer " + ((username != null) ? "'" + username + "' " : "")
					+ "skipped: its value in Redis cannot be read (" + ex.getMessage() + ")");
			return null;
		}
	}

}
