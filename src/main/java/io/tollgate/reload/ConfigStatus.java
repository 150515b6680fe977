package io.tollgate.reload;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tollgate.config.InvalidConfigurationException;

/**
 * What an operator sees of the configuration and its reloads: the version in force and when it was loaded, the
 * last reload's result, the counter {@code tollgate.config.reloads{result=applied|rejected|unchanged}} and the gauge
 * {@code tollgate.config.info{version}} (always 1; the label tells which replicas run which configuration).
 */
public class ConfigStatus {

	static final String APPLIED = "applied";

	static final String REJECTED = "rejected";

	static final String UNCHANGED = "unchanged";

	private final ConfigVersion version;

	private final MeterRegistry meters;

	private final MultiGauge info;

	private volatile Instant loadedAt = Instant.now();

	private volatile Map<String, Object> lastReload;

	ConfigStatus(ConfigVersion version, MeterRegistry meters) {
		this.version = version;
		this.meters = meters;
		this.info = MultiGauge.builder("tollgate.config.info")
			.description("The configuration version in force (value always 1)")
			.register(meters);
		for (String result : List.of(APPLIED, REJECTED, UNCHANGED)) {
			counter(result); // present at 0 from the start, so that rate() and alerts see them
		}
		showVersion();
	}

	public String version() {
		return this.version.current();
	}

	public Instant loadedAt() {
		return this.loadedAt;
	}

	/** The last reload (result, when, what triggered it, and why it was rejected), or null before the first. */
	public Map<String, Object> lastReload() {
		return this.lastReload;
	}

	void applied(String version, String trigger, List<String> needRestart) {
		this.version.set(version);
		this.loadedAt = Instant.now();
		showVersion();
		Map<String, Object> reload = reload(APPLIED, trigger);
		if (!needRestart.isEmpty()) {
			reload.put("restart-needed-for", needRestart);
		}
		this.lastReload = reload;
	}

	void rejected(String trigger, InvalidConfigurationException reason) {
		Map<String, Object> reload = reload(REJECTED, trigger);
		reload.put("property", reason.property());
		reload.put("reason", reason.reason());
		this.lastReload = reload;
	}

	void unchanged(String trigger) {
		this.lastReload = reload(UNCHANGED, trigger);
	}

	private Map<String, Object> reload(String result, String trigger) {
		counter(result).increment();
		Map<String, Object> reload = new LinkedHashMap<>();
		reload.put("result", result);
		reload.put("at", Instant.now().toString());
		reload.put("trigger", trigger);
		reload.put("version", this.version.current());
		return reload;
	}

	private Counter counter(String result) {
		return Counter.builder("tollgate.config.reloads")
			.description("Configuration reloads by result: applied, rejected (the running configuration kept), unchanged")
			.tag("result", result)
			.register(this.meters);
	}

	private void showVersion() {
		this.info.register(List.of(MultiGauge.Row.of(Tags.of("version", this.version.current()), 1)), true);
	}

}
