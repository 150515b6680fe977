package io.tollgate.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * An upstream that reads paths as leniently as the servers behind real gateways do, so that a path trick that
 * gets through the gateway shows up as "the protected handler answered". Before routing it: strips
 * {@code ;parameters} from each segment (Tomcat, Jetty), percent-decodes the path, including {@code %2F} and
 * {@code %5C} (nginx decodes, IIS and some frameworks too), reads {@code \} as {@code /} (Windows servers), cuts at
 * NUL, merges {@code //} and resolves {@code .} and {@code ..} (nginx, Tomcat). A second round of decoding is
 * applied too, as an upstream that decodes twice would.
 * <p>
 * Paths that then start with {@code /secure/} reach the "protected" handler, which counts its hits; everything
 * else gets "open". Both answer 200 with the normalised path in the body.
 */
public final class NormalisingUpstream implements AutoCloseable {

	private final LoopResources loops = LoopResources.create("normalising-upstream", 1, true);

	private final DisposableServer server;

	private final List<String> protectedHits = new CopyOnWriteArrayList<>();

	private final List<String> rawPaths = new CopyOnWriteArrayList<>();

	public NormalisingUpstream() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops).handle((request, response) -> {
			String raw = request.uri();
			int query = raw.indexOf('?');
			String rawPath = (query >= 0) ? raw.substring(0, query) : raw;
			this.rawPaths.add(rawPath);
			String path = normalise(rawPath);
			if (path.startsWith("/secure/")) {
				this.protectedHits.add(rawPath);
				return response.sendString(Mono.just("protected " + path)).then();
			}
			return response.sendString(Mono.just("open " + path)).then();
		}).bindNow();
	}

	public String uri() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/** The raw paths whose normalised form reached the protected handler. */
	public List<String> protectedHits() {
		return this.protectedHits;
	}

	/** Every raw path received. */
	public List<String> rawPaths() {
		return this.rawPaths;
	}

	public void clear() {
		this.protectedHits.clear();
		this.rawPaths.clear();
	}

	/** The lenient reading described above. */
	public static String normalise(String rawPath) {
		StringBuilder withoutParameters = new StringBuilder();
		for (String segment : rawPath.split("/", -1)) {
			int semicolon = segment.indexOf(';');
			withoutParameters.append((semicolon >= 0) ? segment.substring(0, semicolon) : segment).append('/');
		}
		String path = withoutParameters.substring(0, withoutParameters.length() - 1);
		path = decode(decode(path));
		int nul = path.indexOf('\0');
		if (nul >= 0) {
			path = path.substring(0, nul);
		}
		path = path.replace('\\', '/');
		Deque<String> segments = new ArrayDeque<>();
		for (String segment : path.split("/")) {
			if (segment.isEmpty() || segment.equals(".")) {
				continue;
			}
			if (segment.equals("..")) {
				segments.pollLast();
				continue;
			}
			segments.addLast(segment);
		}
		String joined = "/" + String.join("/", segments);
		return (path.endsWith("/") && !joined.endsWith("/")) ? joined + "/" : joined;
	}

	private static String decode(String path) {
		byte[] out = new byte[path.length()];
		int n = 0;
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c == '%' && i + 2 < path.length() && Character.digit(path.charAt(i + 1), 16) >= 0
					&& Character.digit(path.charAt(i + 2), 16) >= 0) {
				out[n++] = (byte) Integer.parseInt(path.substring(i + 1, i + 3), 16);
				i += 2;
			}
			else {
				out[n++] = (byte) c;
			}
		}
		return new String(out, 0, n, StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.dispose();
	}

}
