package io.tollgate.consumer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each API key was last used, sampled: a request records its key only when the key's last record is older
 * than the resolution, so a busy key costs one map read per request, and the records are written to Redis in one
 * batch ({@link #drain}) instead of one write per request. {@code last_used_at} is thus exact to the resolution.
 * Only keys that authenticated are recorded, so the map is bounded by the number of keys, not by clients.
 */
public final class KeyUsage {

	private final long resolutionMs;

	/** False without Redis: nothing would ever write the records, so none are kept. */
	private final boolean enabled;

	/** Credential id to when it was last recorded (epoch ms). */
	private final Map<String, Long> recorded = new ConcurrentHashMap<>();

	/** Credential id to its use (epoch seconds) not yet written. */
	private final Map<String, Long> pending = new ConcurrentHashMap<>();

	public KeyUsage(long resolutionMs, boolean enabled) {
		this.resolutionMs = resolutionMs;
		this.enabled = enabled;
	}

	/** Called for each request a key authenticated. */
	public void used(Credential credential, long nowMs) {
		if (!this.enabled) {
			return;
		}
		String id = credential.id();
		Long last = this.recorded.get(id);
		if (last == null || nowMs - last >= this.resolutionMs) {
			this.recorded.put(id, nowMs);
			this.pending.put(id, nowMs / 1000);
		}
	}

	/** The uses recorded since the last drain, and forgets those older than the resolution. */
	public Map<String, Long> drain(long nowMs) {
		Map<String, Long> batch = new HashMap<>();
		for (String id : this.pending.keySet()) {
			Long seconds = this.pending.remove(id);
			if (seconds != null) {
				batch.put(id, seconds);
			}
		}
		this.recorded.values().removeIf((at) -> nowMs - at >= this.resolutionMs);
		return batch;
	}

}
