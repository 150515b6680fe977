package io.tollgate.reload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * Reloads when a configuration file changes: every {@code tollgate.config.watch-interval} it compares the size and
 * modification time of the files in {@code TOLLGATE_CONFIG_DIR} and of {@code tollgate.consumers-file}, on a thread
 * of its own (a reload reads files: never on an event loop).
 * <p>
 * It polls instead of using the JDK's {@code WatchService}: a Kubernetes ConfigMap volume changes by swapping a
 * symbolic link, which directory events report unreliably, and a few {@code stat} calls a second cost nothing. An
 * editor that saves in two steps may show a half-written file: that reload is rejected (the running configuration
 * stays), and the next look, a moment later, sees the finished file.
 */
class ConfigDirectoryWatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ConfigDirectoryWatcher.class);

	private final Environment environment;

	private final ConfigReloader reloader;

	private final Duration interval;

	private ScheduledExecutorService executor;

	private String fingerprint;

	ConfigDirectoryWatcher(Environment environment, ConfigReloader reloader, Duration interval) {
		this.environment = environment;
		this.reloader = reloader;
		this.interval = interval;
	}

	@Override
	public synchronized void start() {
		this.fingerprint = ConfigFiles.fingerprint(ConfigFiles.of(this.environment));
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "tollgate-config-watch");
			thread.setDaemon(true);
			return thread;
		});
		long millis = this.interval.toMillis();
		this.executor.scheduleWithFixedDelay(this::look, millis, millis, TimeUnit.MILLISECONDS);
		Path directory = ConfigFiles.directory(this.environment).toAbsolutePath().normalize();
		logger.info("Watching " + directory + " for configuration changes (every " + this.interval.toMillis() + " ms)");
	}

	/** One look at the files; reloads when they changed since the last look. */
	void look() {
		try {
			// The consumers file may itself have been renamed by the change: list the files again each time.
			List<Path> files = ConfigFiles.of(this.environment);
			String now = ConfigFiles.fingerprint(files);
			if (!now.equals(this.fingerprint)) {
				this.fingerprint = now;
				this.reloader.reload("file change in " + ConfigFiles.directory(this.environment));
			}
		}
		catch (Throwable ex) { // never let one failure end the watch: a scheduled task that throws is not run again
			logger.warn("Configuration reload after a file change failed: " + ConfigReloader.describe(ex));
		}
	}

	@Override
	public synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

}
