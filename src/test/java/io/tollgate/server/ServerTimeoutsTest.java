package io.tollgate.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Slowloris: connections that never finish a request head are closed; idle keep-alive ones after idle-timeout. */
@TestPropertySource(properties = { "tollgate.server.request-header-timeout=1s", "server.netty.idle-timeout=4s" })
class ServerTimeoutsTest extends GatewayTest {

	@Test
	void connectionThatSentHalfARequestLineIsClosedWithinTheHeaderTimeout() throws Exception {
		try (Socket socket = connect()) {
			long started = System.nanoTime();
			socket.getOutputStream().write("GET /open/x HT".getBytes(StandardCharsets.US_ASCII));

			assertThat(readUntilClosed(socket)).isTrue();
			assertThat(millisSince(started)).isLessThan(3000);
		}
	}

	@Test
	void headersDrippedAByteAtATimeAreCutOffAtTheHeaderTimeout() throws Exception {
		try (Socket socket = connect()) {
			long started = System.nanoTime();
			OutputStream out = socket.getOutputStream();
			byte[] head = "GET /open/x HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII);
			boolean closed = false;
			for (int i = 0; i < head.length && !closed; i++) {
				try {
					out.write(head[i]);
					out.flush();
					Thread.sleep(200);
				}
				catch (IOException ex) {
					closed = true;
				}
				closed |= millisSince(started) > 3000;
			}

			assertThat(readUntilClosed(socket)).isTrue();
			assertThat(millisSince(started)).isLessThan(3500);
		}
	}

	@Test
	void keepAliveConnectionIdleLongerThanTheHeaderTimeoutServesItsNextRequest() throws Exception {
		try (Socket socket = connect()) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(request(socket, in)).isEqualTo("HTTP/1.1 204 No Content");
			Thread.sleep(2000);

			assertThat(request(socket, in)).isEqualTo("HTTP/1.1 204 No Content");
		}
	}

	@Test
	void keepAliveConnectionIdleLongerThanTheIdleTimeoutIsClosed() throws Exception {
		try (Socket socket = connect()) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(request(socket, in)).isEqualTo("HTTP/1.1 204 No Content");
			long idleSince = System.nanoTime();

			assertThat(readUntilClosed(socket)).isTrue();
			assertThat(millisSince(idleSince)).isBetween(3000L, 7000L);
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", Integer.parseInt(this.baseUrl.substring(this.baseUrl.lastIndexOf(':') + 1)));
		socket.setSoTimeout(10_000);
		return socket;
	}

	/** Sends GET /open/empty and reads the 204 answer's head; returns its status line. */
	private static String request(Socket socket, BufferedReader in) throws IOException {
		socket.getOutputStream().write("GET /open/empty HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		String status = in.readLine();
		for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
			// headers
		}
		return status;
	}

	/** True when the server closed the connection (end of stream or reset) before the 10 s read timeout. */
	private static boolean readUntilClosed(Socket socket) {
		try {
			while (socket.getInputStream().read() != -1) {
				// whatever the server sends before closing (a 408, nothing) is fine
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	private static long millisSince(long started) {
		return (System.nanoTime() - started) / 1_000_000;
	}

}
