package io.tollgate.testsupport;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;

/**
 * A real HTTP server on loopback that records every request it receives, so tests assert what the upstream
 * saw. It answers with a JSON echo of the request; {@code /status/<code>} answers that status,
 * {@code /delay/<ms>} answers after that many milliseconds, {@code /bytes/<n>} answers a JSON string of n bytes,
 * and a path ending in {@code /empty} gets a bare 204 (cheap, for tests that send many requests). Each query
 * parameter {@code h=Name:Value} adds that header to the answer; {@link #failWith} makes every answer a failure;
 * {@link #overrideHeader} sets a header on every answer. A GET or HEAD whose {@code If-None-Match} names the answer's
 * {@code ETag} (or whose {@code If-Modified-Since} is not before its {@code Last-Modified}) gets a 304, as an origin
 * server's conditional GET would (RFC 9110 section 13.2).
 */
public final class RecordingUpstream implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int KEPT = 1000;

	private static RecordingUpstream shared;

	private final BlockingDeque<RecordedRequest> received = new LinkedBlockingDeque<>(KEPT);

	private final DisposableServer server;

	private volatile int failWith;

	private final java.util.Map<String, String> overrides = new java.util.concurrent.ConcurrentHashMap<>();

	private final LoopResources loops = LoopResources.create("recording-upstream", 2, true);

	private RecordingUpstream(int port) {
		// Its own event loops: an application context that closes disposes Reactor Netty's global ones.
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.runOn(this.loops)
			.handle(this::handle)
			.bindNow();
	}

	/** A new upstream on a free port. */
	public static RecordingUpstream start() {
		return new RecordingUpstream(0);
	}

	public static RecordingUpstream start(int port) {
		return new RecordingUpstream(port);
	}

	/** One upstream for the whole test run (tests that share a Spring context share it too). */
	public static synchronized RecordingUpstream shared() {
		if (shared == null) {
			shared = start();
		}
		return shared;
	}

	public String uri() {
		return "http://127.0.0.1:" + this.server.port();
	}

	public int port() {
		return this.server.port();
	}

	/** The next request received, waiting up to 5 seconds; fails if none came. */
	public RecordedRequest takeRequest() {
		try {
			RecordedRequest request = this.received.pollFirst(5, TimeUnit.SECONDS);
			if (request == null) {
				throw new AssertionError("the upstream received no request");
			}
			return request;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/** From now on every request is answered with this status (0: answer normally again). */
	public void failWith(int status) {
		this.failWith = status;
	}

	/** From now on (until {@link #clear}) every answer has this header with this value instead of any other. */
	public void overrideHeader(String name, String value) {
		this.overrides.put(name, value);
	}

	public int receivedCount() {
		return this.received.size();
	}

	public void clear() {
		this.received.clear();
		this.overrides.clear();
	}

	@Override
	public void close() {
		this.server.disposeNow();
		// Also ends connections still open (a gateway's keep-alive pool), so the upstream is really gone.
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap((body) -> {
			RecordedRequest recorded = record(request, body);
			while (!this.received.offerLast(recorded)) {
				this.received.pollFirst();
			}
			String path = recorded.path();
			if (this.failWith != 0) {
				return response.status(this.failWith).sendString(Mono.just("failing")).then();
			}
			new io.netty.handler.codec.http.QueryStringDecoder(request.uri()).parameters()
				.getOrDefault("h", List.of())
				.forEach((header) -> response.addHeader(header.substring(0, header.indexOf(':')),
						header.substring(header.indexOf(':') + 1)));
			this.overrides.forEach(response::header);
			if (path.startsWith("/bytes/")) {
				int size = Integer.parseInt(path.substring("/bytes/".length()));
				String json = "\"" + "x".repeat(Math.max(0, size - 2)) + "\"";
				if (!response.responseHeaders().contains("Content-Type")) {
					response.header("Content-Type", "application/json");
				}
				return response.sendString(Mono.just(json)).then();
			}
			if (path.endsWith("/empty")) {
				return response.status(HttpResponseStatus.NO_CONTENT).send();
			}
			if (path.startsWith("/status/")) {
				int status = Integer.parseInt(path.substring("/status/".length()));
				return response.status(status).sendString(Mono.just("status " + status)).then();
			}
			Mono<Void> delay = Mono.empty();
			if (path.startsWith("/delay/")) {
				delay = Mono.delay(Duration.ofMillis(Long.parseLong(path.substring("/delay/".length())))).then();
			}
			if (notModified(recorded, response.responseHeaders())) {
				return delay.then(response.status(HttpResponseStatus.NOT_MODIFIED).send().then());
			}
			byte[] echo = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(recorded.echo());
			if (!response.responseHeaders().contains("Content-Type")) {
				response.header("Content-Type", "application/json");
			}
			return delay.then(response.status(HttpResponseStatus.OK).sendByteArray(Mono.just(echo)).then());
		});
	}

	private static boolean notModified(RecordedRequest request, io.netty.handler.codec.http.HttpHeaders answer) {
		if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
			return false;
		}
		String tag = answer.get("ETag");
		String ifNoneMatch = request.headers().getFirst("If-None-Match");
		if (ifNoneMatch != null) {
			return tag != null && (ifNoneMatch.trim().equals("*") || java.util.Arrays.stream(ifNoneMatch.split(","))
				.map((t) -> t.trim().replace("W/", ""))
				.anyMatch(tag.replace("W/", "")::equals));
		}
		String lastModified = answer.get("Last-Modified");
		long since;
		try {
			since = request.headers().getFirstDate("If-Modified-Since");
		}
		catch (IllegalArgumentException ex) {
			since = -1;
		}
		if (lastModified != null && since >= 0) {
			try {
				return java.time.ZonedDateTime.parse(lastModified, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
					.toInstant().toEpochMilli() <= since;
			}
			catch (java.time.format.DateTimeParseException ex) {
				return false;
			}
		}
		return false;
	}

	private static RecordedRequest record(HttpServerRequest request, byte[] body) {
		URI uri = URI.create(request.uri());
		HttpHeaders headers = new HttpHeaders();
		request.requestHeaders().forEach((entry) -> headers.add(entry.getKey(), entry.getValue()));
		return new RecordedRequest(request.method().name(), uri.getRawPath(), uri.getRawQuery(), request.uri(),
				HttpHeaders.readOnlyHttpHeaders(headers), body);
	}

	/**
	 * What the upstream received.
	 *
	 * @param method the method
	 * @param path the raw path
	 * @param query the raw query string, or null
	 * @param requestUri path and query exactly as received
	 * @param headers the headers
	 * @param body the body bytes
	 */
	public record RecordedRequest(String method, String path, String query, String requestUri, HttpHeaders headers,
			byte[] body) {

		public String bodyAsString() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		Map<String, Object> echo() {
			Map<String, Object> echo = new LinkedHashMap<>();
			echo.put("method", this.method);
			echo.put("uri", this.requestUri);
			Map<String, Object> headerMap = new LinkedHashMap<>();
			this.headers.forEach((name, values) -> headerMap.put(name, (values.size() == 1) ? values.get(0) : values));
			echo.put("headers", headerMap);
			if (this.body.length > 0) {
				echo.put("body", bodyAsString());
			}
			return echo;
		}

		public List<String> header(String name) {
			List<String> values = this.headers.get(name);
			return (values != null) ? values : List.of();
		}

	}

}
