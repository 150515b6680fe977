package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real Redis for tests: a Testcontainers {@code redis} container where Docker runs, else the real
 * {@code redis-server} binary shipped in embedded-redis, on a free loopback port. One server serves the whole
 * run and is shut down at its end.
 * <pre>
 * &#64;ExtendWith(RealRedis.class)
 * &#64;SpringBootTest
 * class MyTest {
 *     &#64;DynamicPropertySource
 *     static void redis(DynamicPropertyRegistry registry) { RealRedis.register(registry); }
 * }
 * </pre>
 */
public final class RealRedis implements BeforeAllCallback {

	private static Server server;

	@Override
	public void beforeAll(ExtensionContext context) {
		Server started = server();
		// The root store closes what it holds when the whole run ends.
		context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).computeIfAbsent(RealRedis.class, (key) -> started);
	}

	/** The run's Redis, started on first use. */
	public static synchronized Server server() {
		if (server == null) {
			server = DockerClientFactory.instance().isDockerAvailable() ? new ContainerServer() : new BinaryServer();
			Runtime.getRuntime().addShutdownHook(new Thread(server::close));
		}
		return server;
	}

	/** Points Spring Data Redis (and so Tollgate) at the run's Redis. */
	public static void register(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> server().host());
		registry.add("spring.data.redis.port", () -> server().port());
	}

	/** A running Redis that a test may stop and start again (to simulate an outage). */
	public interface Server extends AutoCloseable {

		String host();

		int port();

		void stop();

		void start();

		@Override
		void close();

	}

	private static final class BinaryServer implements Server {

		private final int port = freePort();

		private final RedisServer redis;

		private boolean running;

		BinaryServer() {
			try {
				this.redis = RedisServer.newRedisServer()
					.port(this.port)
					.bind("127.0.0.1")
					.setting("save \"\"")
					.setting("appendonly no")
					.build();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			start();
		}

		@Override
		public String host() {
			return "127.0.0.1";
		}

		@Override
		public int port() {
			return this.port;
		}

		@Override
		public synchronized void stop() {
			if (this.running) {
				try {
					this.redis.stop();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				this.running = false;
			}
		}

		@Override
		public synchronized void start() {
			if (!this.running) {
				try {
					this.redis.start();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				this.running = true;
			}
		}

		@Override
		public void close() {
			stop();
		}

		private static int freePort() {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	private static final class ContainerServer implements Server {

		@SuppressWarnings("resource")
		private final GenericContainer<?> container = new GenericContainer<>("redis:7.4-alpine").withExposedPorts(6379);

		ContainerServer() {
			this.container.start();
		}

		@Override
		public String host() {
			return this.container.getHost();
		}

		@Override
		public int port() {
			return this.container.getMappedPort(6379);
		}

		@Override
		public void stop() {
			// Pausing keeps the mapped port, so clients can reconnect to the same address after start().
			this.container.getDockerClient().pauseContainerCmd(this.container.getContainerId()).exec();
		}

		@Override
		public void start() {
			this.container.getDockerClient().unpauseContainerCmd(this.container.getContainerId()).exec();
		}

		@Override
		public void close() {
			this.container.stop();
		}

	}

}
