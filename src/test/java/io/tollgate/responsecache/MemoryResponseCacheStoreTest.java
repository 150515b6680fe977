package io.tollgate.responsecache;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The memory store's URI index: it finds every entry of a URI, and it never holds more than the entries do. */
class MemoryResponseCacheStoreTest {

	@Test
	void invalidateRemovesEveryEntryOfOneUriAndOnlyThose() {
		MemoryResponseCacheStore store = new MemoryResponseCacheStore(1 << 20);
		String a = CacheKeys.uriTag("h", "/items/1", null);
		String b = CacheKeys.uriTag("h", "/items/2", null);
		for (int i = 0; i < 5; i++) {
			store.put(CacheKeys.key(a, "variant " + i), entry(10), Duration.ofMinutes(1)).block();
			store.put(CacheKeys.key(b, "variant " + i), entry(10), Duration.ofMinutes(1)).block();
		}

		assertThat(store.invalidate(a, 0).block()).isEqualTo(5);
		assertThat(store.invalidate(a, 0).block()).isZero();
		assertThat(store.get(CacheKeys.key(a, "variant 0")).block()).isNull();
		assertThat(store.get(CacheKeys.key(b, "variant 0")).block()).isNotNull();
		assertThat(store.indexedUris()).isEqualTo(1);
	}

	@Test
	void theIndexForgetsEntriesThatExpireOrAreEvicted() {
		MemoryResponseCacheStore store = new MemoryResponseCacheStore(20_000);
		for (int i = 0; i < 1000; i++) {
			// 1000 URIs of ~1 KB each in 20 KB: most are evicted at once, the rest expire.
			store.put(CacheKeys.key(CacheKeys.uriTag("h", "/items/" + i, null), "v"), entry(1000), Duration.ofMillis(50))
				.block();
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
			store.weightedBytes(); // runs Caffeine's maintenance, which expires
			return store.indexedUris() == 0;
		});
	}

	@Test
	void aResponseFetchedBeforeAWriteToItsUriIsNotStoredAndAUriHoldsABoundedNumberOfVariants() {
		MemoryResponseCacheStore store = new MemoryResponseCacheStore(64 << 20);
		String tag = CacheKeys.uriTag("h", "/items/1", null);
		store.invalidate(tag, 1_000).block();
		store.put(CacheKeys.key(tag, "before"), entry(10), Duration.ofMinutes(1), 999).block();
		store.put(CacheKeys.key(tag, "same instant"), entry(10), Duration.ofMinutes(1), 1_000).block();
		store.put(CacheKeys.key(tag, "after"), entry(10), Duration.ofMinutes(1), 1_001).block();
		assertThat(store.get(CacheKeys.key(tag, "before")).block()).isNull();
		assertThat(store.get(CacheKeys.key(tag, "same instant")).block()).isNull();
		assertThat(store.get(CacheKeys.key(tag, "after")).block()).isNotNull();

		String busy = CacheKeys.uriTag("h", "/busy", null);
		for (int i = 0; i < ResponseCacheStore.MAX_VARIANTS_PER_URI + 50; i++) {
			store.put(CacheKeys.key(busy, "variant " + i), entry(10), Duration.ofMinutes(1)).block();
		}
		assertThat(store.invalidate(busy, 2_000).block()).isEqualTo(ResponseCacheStore.MAX_VARIANTS_PER_URI);
		assertThat(store.get(CacheKeys.key(busy, "variant 0")).block()).isNull();
	}

	private static CachedResponse entry(int size) {
		return new CachedResponse(200, List.of(Map.entry("Content-Type", "application/json")), new byte[size], 0,
				Long.MAX_VALUE, Long.MAX_VALUE, Map.of());
	}

}
