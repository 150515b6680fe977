package io.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends one command to the test Redis over a plain socket and returns the first line of the reply. */
public final class RawRedis {

	private RawRedis() {
	}

	public static String command(RealRedis.Server server, String... words) throws IOException {
		StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
		for (String word : words) {
			resp.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word).append("\r\n");
		}
		try (Socket socket = new Socket(server.host(), server.port())) {
			OutputStream out = socket.getOutputStream();
			out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
				line.append((char) c);
			}
			return line.toString();
		}
	}

}
