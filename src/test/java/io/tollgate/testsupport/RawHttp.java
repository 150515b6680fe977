package io.tollgate.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends a request exactly as written, byte for byte, over a fresh connection: for paths, methods and header names
 * that HTTP client libraries would encode, normalise or refuse. One request per connection
 * ({@code Connection: close}); a 5 second read timeout keeps a test from hanging.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/** The response to {@code method target HTTP/1.1} with these extra header lines (each "Name: value"). */
	public static Response send(int port, String method, String target, String... headerLines) {
		StringBuilder request = new StringBuilder();
		request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		request.append("Host: 127.0.0.1:").append(port).append("\r\n");
		for (String line : headerLines) {
			request.append(line).append("\r\n");
		}
		request.append("Connection: close\r\n\r\n");
		return exchange(port, request.toString().getBytes(StandardCharsets.ISO_8859_1));
	}

	/** The response to exactly these bytes. */
	public static Response exchange(int port, byte[] request) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(request);
			out.flush();
			return Response.parse(readAll(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("request failed: " + ex, ex);
		}
	}

	private static byte[] readAll(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int n;
		while ((n = in.read(buffer)) >= 0) {
			bytes.write(buffer, 0, n);
		}
		return bytes.toByteArray();
	}

	/**
	 * A response.
	 *
	 * @param status the status code (0 when the server closed without answering)
	 * @param headers header names in lower case; the last value wins
	 * @param body the body as text (chunked bodies are left as they came)
	 */
	public record Response(int status, Map<String, String> headers, String body) {

		static Response parse(byte[] bytes) {
			String text = new String(bytes, StandardCharsets.ISO_8859_1);
			int end = text.indexOf("\r\n\r\n");
			if (text.isEmpty() || end < 0) {
				return new Response(0, Map.of(), text);
			}
			String[] lines = text.substring(0, end).split("\r\n");
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
			}
			return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
		}

		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

}
