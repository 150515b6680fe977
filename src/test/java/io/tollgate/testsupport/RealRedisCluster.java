package io.tollgate.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import redis.embedded.RedisServer;

/**
 * A real Redis Cluster on loopback: three masters and three replicas of the {@code redis-server} binary shipped in
 * embedded-redis, formed by this class the way {@code redis-cli --cluster create} does (CLUSTER ADDSLOTS, MEET,
 * REPLICATE), in seconds. Each node keeps its {@code nodes.conf} in a temporary directory of its own.
 */
public final class RealRedisCluster implements AutoCloseable {

	private static final int SLOTS = 16384;

	private final List<Integer> ports = new ArrayList<>();

	private final List<RedisServer> servers = new ArrayList<>();

	private RealRedisCluster() {
	}

	/** Starts six nodes that call a node failed after 5 s without an answer (no failover a busy CPU could cause). */
	public static RealRedisCluster start() {
		return start(5000);
	}

	/**
	 * Starts six nodes and forms the cluster; waits until every node says {@code cluster_state:ok}.
	 *
	 * @param nodeTimeoutMs {@code cluster-node-timeout}: how long a master may be silent before its replica takes over
	 */
	public static RealRedisCluster start(int nodeTimeoutMs) {
		RealRedisCluster cluster = new RealRedisCluster();
		try {
			for (int i = 0; i < 6; i++) {
				int port = freePort();
				Path dir = Files.createTempDirectory("redis-cluster-" + port);
				RedisServer server = RedisServer.newRedisServer()
					.port(port)
					.bind("127.0.0.1")
					.setting("save \"\"")
					.setting("appendonly no")
					.setting("cluster-enabled yes")
					.setting("cluster-config-file " + dir.resolve("nodes.conf"))
					.setting("cluster-node-timeout " + nodeTimeoutMs)
					.build();
				server.start();
				cluster.ports.add(port);
				cluster.servers.add(server);
			}
			cluster.form();
			return cluster;
		}
		catch (IOException | RuntimeException ex) {
			cluster.close();
			throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
		}
	}

	private void form() throws IOException {
		for (int master = 0; master < 3; master++) {
			int from = master * SLOTS / 3;
			int to = (master + 1) * SLOTS / 3;
			List<String> words = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			for (int slot = from; slot < to; slot++) {
				words.add(Integer.toString(slot));
			}
			command(this.ports.get(master), words.toArray(String[]::new));
		}
		for (int i = 1; i < 6; i++) {
			command(this.ports.get(0), "CLUSTER", "MEET", "127.0.0.1", Integer.toString(this.ports.get(i)));
		}
		waitFor(() -> {
			for (int port : this.ports) {
				if (command(port, "CLUSTER", "NODES").lines().count() < 6) {
					return false;
				}
			}
			return true;
		}, "every node to know the others");
		for (int replica = 3; replica < 6; replica++) {
			String masterId = command(this.ports.get(replica - 3), "CLUSTER", "MYID");
			int port = this.ports.get(replica);
			// A node may list another still in handshake, under a temporary id: retried until it knows the master.
			waitFor(() -> {
				try {
					command(port, "CLUSTER", "REPLICATE", masterId);
					return true;
				}
				catch (IllegalStateException ex) {
					return false;
				}
			}, "node " + port + " to know its master");
		}
		waitFor(() -> {
			for (int port : this.ports) {
				if (!command(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
					return false;
				}
			}
			return command(this.ports.get(0), "CLUSTER", "NODES").lines().filter((line) -> line.contains("slave")).count() == 3;
		}, "the cluster to be ok, with three replicas");
	}

	/** {@code spring.data.redis.cluster.nodes}: every node. */
	public String nodes() {
		return this.ports.stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	public List<Integer> ports() {
		return List.copyOf(this.ports);
	}

	/** The master that holds a key matching {@code pattern} ({@code KEYS} on each master), or -1. */
	public int masterHolding(String pattern) {
		for (int i = 0; i < 3; i++) {
			if (!command(this.ports.get(i), "KEYS", pattern).equals("0")) {
				return this.ports.get(i);
			}
		}
		return -1;
	}

	/** Kills one node, as a crash would: its replica is promoted once the others agree it is gone. */
	public void kill(int port) {
		try {
			this.servers.get(this.ports.indexOf(port)).stop();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * True once a node other than {@code dead} has marked it failed and reports every slot served again: its replica
	 * took its slots over.
	 */
	public boolean failedOver(int dead) {
		for (int port : this.ports) {
			if (port != dead) {
				try {
					boolean marked = command(port, "CLUSTER", "NODES").lines()
						.anyMatch((line) -> line.contains(":" + dead + "@") && line.contains("master,fail")
								&& !line.contains("fail?"));
					return marked && command(port, "CLUSTER", "INFO").contains("cluster_state:ok");
				}
				catch (RuntimeException ex) {
					return false;
				}
			}
		}
		return false;
	}

	@Override
	public void close() {
		for (RedisServer server : this.servers) {
			try {
				server.stop();
			}
			catch (IOException ex) {
				// stopping anyway
			}
		}
	}

	/**
	 * Sends one command and returns the reply: a status, an integer, a bulk string's text, or an array's length.
	 */
	public static String command(int port, String... words) {
		StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
		for (String word : words) {
			resp.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
		}
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			String first = in.readLine();
			if (first.startsWith("-")) {
				throw new IllegalStateException("Redis on " + port + " answered " + first);
			}
			if (!first.startsWith("$")) {
				return first.substring(1);
			}
			int length = Integer.parseInt(first.substring(1));
			char[] body = new char[length];
			int read = 0;
			while (read < length) {
				read += in.read(body, read, length - read);
			}
			return new String(body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void waitFor(java.util.function.BooleanSupplier condition, String what) {
		long deadline = System.nanoTime() + 30_000_000_000L;
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Redis: timed out waiting for " + what);
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	/** A free port whose cluster bus port (+10000) is free too. */
	private static int freePort() throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				int port = socket.getLocalPort();
				if (port + 10000 > 65535) {
					continue;
				}
				try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getLoopbackAddress())) {
					return port;
				}
				catch (IOException busy) {
					// try another
				}
			}
		}
		throw new IOException("no free port pair for a cluster node");
	}

}
