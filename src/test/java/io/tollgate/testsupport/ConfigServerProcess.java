package io.tollgate.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.example.configserver.GitConfigServer;

/**
 * A real Spring Cloud Config Server ({@link GitConfigServer}) serving a git repository, in a JVM of its own on
 * loopback, protected by HTTP Basic as a production server would be. Its classpath is the full test classpath that
 * the build writes to target/config-server.classpath; its console goes to target/config-server-&lt;port&gt;.log.
 */
public final class ConfigServerProcess implements AutoCloseable {

	public static final String USERNAME = "gateway";

	public static final String PASSWORD = "config-password";

	private final Process process;

	private final int port;

	private ConfigServerProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/** Starts a server over the repository (a local git directory) and waits until it serves it. */
	public static ConfigServerProcess start(Path repository, String branch, Path workDir) throws Exception {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
				"-Dparent.pid=" + ProcessHandle.current().pid(), "-cp", classpath(),
				GitConfigServer.class.getName(), "--spring.config.name=config-server", "--server.port=" + port,
				"--server.address=127.0.0.1", "--spring.cloud.config.server.git.uri=" + repository.toUri(),
				"--spring.cloud.config.server.git.default-label=" + branch,
				"--spring.cloud.config.server.git.basedir=" + workDir, "--spring.cloud.consul.enabled=false",
				"--spring.security.user.name=" + USERNAME, "--spring.security.user.password=" + PASSWORD));
		Path log = Path.of("target", "config-server-" + port + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		ConfigServerProcess server = new ConfigServerProcess(process, port);
		try {
			server.awaitServing(Duration.ofSeconds(90), log);
		}
		catch (Exception ex) {
			server.close();
			throw ex;
		}
		return server;
	}

	public int port() {
		return this.port;
	}

	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/** Stops the server at once, as a crash would. */
	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	private void awaitServing(Duration within, Path log) throws Exception {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/tollgate/default"))
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString((USERNAME + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
			.timeout(Duration.ofSeconds(5))
			.build();
		Instant deadline = Instant.now().plus(within);
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Config Server exited: " + Files.readString(log));
			}
			try {
				if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException("Config Server not serving after " + within + "; see " + log);
	}

	private static String classpath() throws IOException {
		Path file = Path.of("target", "config-server.classpath");
		return Path.of("target", "test-classes") + System.getProperty("path.separator") + Files.readString(file).strip();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
