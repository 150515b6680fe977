package io.tollgate.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis's {@code MONITOR} on a plain socket: every command the server runs, with who sent it. Commands that a
 * Lua script runs are marked {@code lua}, so a test can count the round trips clients made.
 */
public final class RedisMonitor implements AutoCloseable {

	/** {@code +1700000000.123456 [0 127.0.0.1:5000] "evalsha" "..."}: the source and the command name. */
	private static final Pattern LINE = Pattern.compile("^\\+\\d+\\.\\d+ \\[\\d+ ([^\\]]+)\\] \"([^\"]+)\"");

	private final Socket socket;

	private final BlockingQueue<String> clientCommands = new LinkedBlockingQueue<>();

	private RedisMonitor(Socket socket) {
		this.socket = socket;
	}

	public static RedisMonitor start(RealRedis.Server server) throws IOException {
		Socket socket = new Socket(server.host(), server.port());
		RedisMonitor monitor = new RedisMonitor(socket);
		OutputStream out = socket.getOutputStream();
		out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
		out.flush();
		BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		String ok = in.readLine();
		if (!"+OK".equals(ok)) {
			throw new IOException("MONITOR answered " + ok);
		}
		Thread reader = new Thread(() -> monitor.read(in), "redis-monitor");
		reader.setDaemon(true);
		reader.start();
		return monitor;
	}

	private void read(BufferedReader in) {
		try {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				Matcher matcher = LINE.matcher(line);
				// Runtime consumers' sync (every gateway with Redis checks a version counter now and then) aside.
				if (matcher.find() && !matcher.group(1).equals("lua") && !line.contains("{tollgate:consumers}")) {
					this.clientCommands.add(matcher.group(2).toLowerCase(Locale.ROOT));
				}
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

	/** The client commands seen: waits for {@code expected} of them, then a little longer for any extra. */
	public List<String> clientCommands(int expected) throws InterruptedException {
		List<String> seen = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (seen.size() < expected && System.nanoTime() < deadline) {
			String command = this.clientCommands.poll(100, TimeUnit.MILLISECONDS);
			if (command != null) {
				seen.add(command);
			}
		}
		for (String extra = this.clientCommands.poll(300, TimeUnit.MILLISECONDS); extra != null;
				extra = this.clientCommands.poll(300, TimeUnit.MILLISECONDS)) {
			seen.add(extra);
		}
		return seen;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
