package io.tollgate.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways under constant load (requests that take 6 s upstream: with {@code server.shutdown=immediate} the
 * requests in flight are cut, and this test fails; graceful shutdown completes them); one is taken out of the load balancer's
 * rotation and sent SIGTERM at once, as Kubernetes does after the preStop delay: no request fails, and the requests
 * it was serving when the signal came complete. The stopped gateway runs in a JVM of its own (a real process gets
 * the signal; and closing a Spring context would dispose Reactor Netty's global event loops, which the other
 * gateway in this JVM serves on).
 */
class GracefulShutdownTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private record Outcome(boolean toStopped, long startedNs, long endedNs, int status) {
	}

	@Test
	void stoppingOneOfTwoGatewaysUnderLoadFailsNoRequest() throws Exception {
		int stoppedPort = freePort();
		Path log = Files.createTempFile("graceful-gateway", ".log");
		Process stopped = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				TollgateApplication.class.getName(), "--spring.profiles.active=test,graceful", "--server.port=" + stoppedPort,
				"--management.server.port=0", "--upstream.uri=" + upstream.uri(), "--refused.port=1")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		ExecutorService load = Executors.newFixedThreadPool(8);
		try (ConfigurableApplicationContext other = new SpringApplicationBuilder(TollgateApplication.class)
			.profiles("test", "graceful")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(),
					"--refused.port=1")) {
			int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
			awaitUp(http, stoppedPort, stopped, log);

			ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
			boolean[] removed = { false };
			long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
			for (int worker = 0; worker < 8; worker++) {
				load.submit(() -> {
					while (System.nanoTime() < end) {
						boolean toStopped = !removed[0];
						long started = System.nanoTime();
						int status;
						try {
							status = http.send(HttpRequest
								.newBuilder(URI.create("http://127.0.0.1:" + (toStopped ? stoppedPort : otherPort)
										+ "/g/slow/6000"))
								.timeout(Duration.ofSeconds(10))
								.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
						}
						catch (IOException | InterruptedException ex) {
							status = -1;
						}
						outcomes.add(new Outcome(toStopped, started, System.nanoTime(), status));
					}
					return null;
				});
			}
			Thread.sleep(1500);
			// The load balancer stops sending to it (preStop), then the signal: SIGTERM.
			removed[0] = true;
			long signalled = System.nanoTime();
			stopped.destroy();
			load.shutdown();
			assertThat(load.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
			assertThat(stopped.waitFor(20, TimeUnit.SECONDS)).as("the stopped gateway exits").isTrue();

			List<Outcome> all = new ArrayList<>(outcomes);
			assertThat(all).hasSizeGreaterThanOrEqualTo(8);
			assertThat(all).as("every request, to either gateway").allMatch((outcome) -> outcome.status() == 200);
			assertThat(all).as("requests in flight on the stopped gateway when the signal came, completed")
				.anyMatch((outcome) -> outcome.toStopped() && outcome.startedNs() < signalled
						&& outcome.endedNs() > signalled);
			assertThat(all).anyMatch((outcome) -> !outcome.toStopped() && outcome.startedNs() > signalled);
		}
		finally {
			load.shutdownNow();
			stopped.destroyForcibly();
		}
	}

	private static void awaitUp(HttpClient http, int port, Process process, Path log) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new AssertionError("the gateway exited: " + Files.readString(log));
			}
			try {
				if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/g/up")).build(),
						HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(100);
		}
		throw new AssertionError("the gateway did not start: " + Files.readString(log));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
