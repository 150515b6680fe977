package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * A real Redis Sentinel set on loopback: a master, a replica and three sentinels (quorum 2) of the {@code
 * redis-server} binary shipped in embedded-redis. The sentinels call the master down after 1 s without an answer.
 */
public final class RealRedisSentinel implements AutoCloseable {

	public static final String MASTER_NAME = "tollgate-master";

	private final int masterPort;

	private final int replicaPort;

	private final RedisServer master;

	private final RedisServer replica;

	private final List<Integer> sentinelPorts = new ArrayList<>();

	private final List<RedisSentinel> sentinels = new ArrayList<>();

	private RealRedisSentinel() throws IOException {
		this.masterPort = freePort();
		this.replicaPort = freePort();
		this.master = server(this.masterPort, null);
		this.replica = server(this.replicaPort, this.masterPort);
	}

	public static RealRedisSentinel start() {
		RealRedisSentinel set = null;
		try {
			set = new RealRedisSentinel();
			set.master.start();
			set.replica.start();
			for (int i = 0; i < 3; i++) {
				int port = freePort();
				RedisSentinel sentinel = RedisSentinel.newRedisSentinel()
					.bind("127.0.0.1")
					.port(port)
					.masterName(MASTER_NAME)
					.masterPort(set.masterPort)
					.quorumSize(2)
					.downAfterMilliseconds(1000)
					.failOverTimeout(3000)
					.parallelSyncs(1)
					.build();
				sentinel.start();
				set.sentinelPorts.add(port);
				set.sentinels.add(sentinel);
			}
			RealRedisSentinel started = set;
			RealRedisCluster.waitFor(() -> RealRedisCluster.command(started.replicaPort, "INFO", "replication")
				.contains("master_link_status:up"), "the replica to sync");
			for (int port : started.sentinelPorts) {
				// Each sentinel knows the replica and the two other sentinels: a failover can reach its quorum.
				RealRedisCluster.waitFor(() -> RealRedisCluster.command(port, "SENTINEL", "REPLICAS", MASTER_NAME).equals("1")
						&& RealRedisCluster.command(port, "SENTINEL", "SENTINELS", MASTER_NAME).equals("2"),
						"sentinel " + port + " to see the replica and the other sentinels");
			}
			return set;
		}
		catch (IOException | RuntimeException ex) {
			if (set != null) {
				set.close();
			}
			throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
		}
	}

	/** {@code spring.data.redis.sentinel.nodes}. */
	public String sentinelNodes() {
		return this.sentinelPorts.stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	public int masterPort() {
		return this.masterPort;
	}

	public int replicaPort() {
		return this.replicaPort;
	}

	/** Kills the master, as a crash would (no failover command): the sentinels notice and promote the replica. */
	public void killMaster() {
		try {
			this.master.stop();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** True once the sentinels name the replica as the master. */
	public boolean replicaPromoted() {
		try {
			return RealRedisCluster.command(this.replicaPort, "INFO", "replication").contains("role:master");
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		for (RedisSentinel sentinel : this.sentinels) {
			stopQuietly(sentinel);
		}
		stopQuietly(this.replica);
		stopQuietly(this.master);
	}

	private static void stopQuietly(redis.embedded.Redis redis) {
		try {
			redis.stop();
		}
		catch (IOException | RuntimeException ex) {
			// stopping anyway
		}
	}

	private static RedisServer server(int port, Integer masterPort) throws IOException {
		var builder = RedisServer.newRedisServer()
			.port(port)
			.bind("127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no");
		if (masterPort != null) {
			builder.setting("replicaof 127.0.0.1 " + masterPort);
		}
		return builder.build();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
