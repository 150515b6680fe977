package io.tollgate.reload;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.tollgate.config.InvalidConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.refresh.ConfigDataContextRefresher;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Reloads the configuration, all or nothing. Spring Cloud's refresher re-reads every configuration source as at
 * startup ({@code TOLLGATE_CONFIG_DIR}, Consul KV, a Config Server); this one then checks the result as startup does
 * ({@link ConfigCheck}) before anything is put in force. A configuration that fails a check is rolled back out of
 * the environment, the running one keeps serving, and the reason is logged (WARN, naming the property) and shown in
 * the health component {@code config}. One that passes is put in force by {@link ConfigSwap}, each part with one
 * write, and Spring Cloud Gateway rebuilds its routes (the refresh-scope event it listens to).
 * <p>
 * Every trigger comes here: the directory watch ({@link ConfigDirectoryWatcher}), {@code POST /actuator/refresh}, and
 * Spring Cloud's {@code RefreshEvent} (Consul KV's watch).
 */
public class ConfigReloader extends ConfigDataContextRefresher {

	private static final Log logger = LogFactory.getLog(ConfigReloader.class);

	/**
	 * Properties a reload puts in force (logging levels by Spring Cloud's own rebinder), and the Config Server's
	 * commit id (config.client.version), which is not a setting; a change to any other is logged as taking effect at
	 * the next restart. Matched in canonical form, so that tollgate.rateLimiting.faultTolerant counts too.
	 */
	private static final List<ConfigurationPropertyName> RELOADABLE = Stream
		.of(GatewayProperties.PREFIX + ".routes", GatewayProperties.PREFIX + ".default-filters",
				GatewayProperties.PREFIX + ".globalcors.cors-configurations", "tollgate.consumers",
				"tollgate.consumers-file", "tollgate.plans", "tollgate.policies", "tollgate.client-ip", "tollgate.admin.users",
				"tollgate.rate-limiting.fault-tolerant", "tollgate.rate-limiting.redis-timeout",
				"tollgate.response-cache.redis-timeout", "tollgate.response-cache.lock-timeout", "logging.level",
				"config.client")
		.map(ConfigurationPropertyName::of)
		.toList();

	/** The property that names every source (the directory, Consul, a Config Server): a read failure is its. */
	private static final String IMPORT = "spring.config.import";

	private final ObjectProvider<ConfigCheck> check;

	private final ConfigSwap swap;

	private final ObjectProvider<ConfigStatus> status;

	/** Set by {@link #updateEnvironment()} for the refresh under way (guarded by this object's lock). */
	private Outcome outcome;

	/** The property sources before the refresh under way, to put back if it fails after the check. */
	private List<PropertySource<?>> before;

	private String trigger = "refresh";

	ConfigReloader(ConfigurableApplicationContext context, RefreshScope scope,
			RefreshAutoConfiguration.RefreshProperties properties, ObjectProvider<ConfigCheck> check,
			ConfigSwap swap, ObjectProvider<ConfigStatus> status) {
		super(context, scope, properties);
		this.check = check;
		this.swap = swap;
		this.status = status;
	}

	/** Reloads, saying what asked for it (in the logs and the health details). */
	public synchronized Set<String> reload(String trigger) {
		this.trigger = trigger;
		try {
			return refresh();
		}
		finally {
			this.trigger = "refresh";
		}
	}

	@Override
	public synchronized Set<String> refresh() {
		this.outcome = null;
		this.before = null;
		ConfigStatus status = this.status.getObject();
		Set<String> keys;
		try {
			keys = refreshEnvironment();
		}
		catch (RuntimeException ex) {
			// Checked, then refused by a later step (Spring Cloud rebinding a settings bean of Spring's own, say):
			// put the previous sources back and rebind again, so that nothing of the change stays.
			if (this.before != null) {
				restore(getContext().getEnvironment().getPropertySources(), this.before);
				getContext().publishEvent(new EnvironmentChangeEvent(getContext(), Set.of()));
			}
			this.outcome = new Outcome(null, null, new InvalidConfigurationException(IMPORT, describe(ex)));
			keys = Set.of();
		}
		Outcome outcome = this.outcome;
		if (outcome == null) { // the environment was not re-read (cannot happen with Spring Cloud's refresher)
			return keys;
		}
		if (outcome.rejected() != null) {
			InvalidConfigurationException reason = outcome.rejected();
			logger.warn("Configuration change rejected (" + this.trigger + "); version " + status.version()
					+ " keeps serving. " + reason.property() + ": " + reason.reason());
			status.rejected(this.trigger, reason);
			return Set.of();
		}
		if (outcome.version().equals(status.version())) {
			status.unchanged(this.trigger);
			return keys;
		}
		this.swap.putInForce(outcome.candidate());
		List<String> needRestart = needRestart(keys);
		status.applied(outcome.version(), this.trigger, needRestart);
		getScope().refreshAll(); // Spring Cloud Gateway rebuilds its routes (and their filters) on this event
		logger.info("Configuration version " + outcome.version() + " in force (" + this.trigger + "): "
				+ outcome.candidate().gateway().getRoutes().size() + " routes, " + outcome.candidate().consumers().size() + " consumers, "
				+ keys.size() + " properties changed");
		if (!needRestart.isEmpty()) {
			logger.warn("Changed, but in force only after a restart: " + needRestart);
		}
		return keys;
	}

	/** Re-reads every source, then checks the result; a failed check puts the previous sources back. */
	@Override
	protected void updateEnvironment() {
		ConfigurableEnvironment environment = getContext().getEnvironment();
		MutablePropertySources sources = environment.getPropertySources();
		List<PropertySource<?>> before = sources.stream().toList();
		this.before = before;
		boolean accepted = false;
		try {
			super.updateEnvironment();
			ConfigCheck.Candidate candidate = this.check.getObject().check(environment);
			this.outcome = new Outcome(candidate, ConfigVersion.of(environment, ConfigFiles.of(environment)), null);
			accepted = true;
		}
		catch (InvalidConfigurationException ex) {
			this.outcome = new Outcome(null, null, ex);
		}
		catch (RuntimeException ex) { // a source that cannot be read: bad YAML, a Config Server or Consul away
			this.outcome = new Outcome(null, null, new InvalidConfigurationException(IMPORT, describe(ex)));
		}
		finally {
			if (!accepted) { // an Error too: never leave a half-read environment behind
				restore(sources, before);
			}
		}
	}

	/**
	 * What went wrong, for a log line and the health details, without the value that was wrong: a YAML error by its
	 * line and column (the parser's own message quotes the line, which may hold a key), anything else by its first
	 * line.
	 */
	static String describe(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
				return "not valid YAML at line " + (yaml.getProblemMark().getLine() + 1) + ", column "
						+ (yaml.getProblemMark().getColumn() + 1)
						+ ((yaml.getProblem() != null) ? ": " + yaml.getProblem() : "");
			}
		}
		String message = ex.getMessage();
		if (message == null) {
			return ex.getClass().getSimpleName();
		}
		int newline = message.indexOf('\n');
		return (newline >= 0) ? message.substring(0, newline) : message;
	}

	private static void restore(MutablePropertySources sources, List<PropertySource<?>> before) {
		Set<String> names = new HashSet<>();
		before.forEach((source) -> names.add(source.getName()));
		for (PropertySource<?> source : sources.stream().toList()) {
			if (!names.contains(source.getName())) {
				sources.remove(source.getName());
			}
		}
		String previous = null;
		for (PropertySource<?> source : before) {
			if (sources.contains(source.getName())) {
				sources.replace(source.getName(), source);
			}
			else if (previous == null) {
				sources.addFirst(source);
			}
			else {
				sources.addAfter(previous, source);
			}
			previous = source.getName();
		}
	}

	private static List<String> needRestart(Set<String> keys) {
		List<String> needRestart = new ArrayList<>();
		for (String key : keys) {
			ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
			if (RELOADABLE.stream().noneMatch((reloadable) -> reloadable.equals(name) || reloadable.isAncestorOf(name))) {
				needRestart.add(key);
			}
		}
		needRestart.sort(null);
		return needRestart;
	}

	private record Outcome(ConfigCheck.Candidate candidate, String version, InvalidConfigurationException rejected) {
	}

}
