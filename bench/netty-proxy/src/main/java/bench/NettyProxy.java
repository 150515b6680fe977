package bench;

import java.util.Set;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * A bare reverse proxy on Reactor Netty: what a JVM gateway costs before any framework. Every request (method, path
 * and query, headers, body) goes to the nginx upstream and its response streams back. No routing, no filters, no
 * WebFlux; hop-by-hop headers are dropped, nothing else is touched. Not a gateway: it exists to be measured.
 */
public final class NettyProxy {

	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
			"transfer-encoding", "te", "trailer", "upgrade", "host");

	private NettyProxy() {
	}

	public static void main(String[] args) {
		String upstream = System.getProperty("upstream", "http://127.0.0.1:18080");
		int port = Integer.getInteger("port", 18300);
		// Unbounded like Spring Cloud Gateway's default (elastic) pool, so the pool is not what is measured.
		ConnectionProvider pool = ConnectionProvider.builder("upstream").maxConnections(1024)
			.pendingAcquireMaxCount(-1).build();
		HttpClient client = HttpClient.create(pool).baseUrl(upstream);
		DisposableServer server = HttpServer.create().host("127.0.0.1").port(port)
			.handle((request, response) -> forward(client, request, response))
			.bindNow();
		System.out.println("netty-proxy on " + server.host() + ":" + server.port() + " -> " + upstream);
		server.onDispose().block();
	}

	private static Mono<Void> forward(HttpClient client, HttpServerRequest request, HttpServerResponse response) {
		HttpHeaders headers = copy(request.requestHeaders());
		boolean hasBody = request.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
				|| request.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
		HttpClient.RequestSender sender = client.headers((h) -> h.set(headers)).request(request.method()).uri(request.uri());
		HttpClient.ResponseReceiver<?> receiver = hasBody ? sender.send(request.receive().retain()) : sender;
		return receiver.response((upstreamResponse, body) -> response.status(upstreamResponse.status())
			.headers(copy(upstreamResponse.responseHeaders()))
			.send(body.retain()))
			.then()
			.onErrorResume((ex) -> response.status(HttpResponseStatus.BAD_GATEWAY).send());
	}

	private static HttpHeaders copy(HttpHeaders from) {
		HttpHeaders to = new DefaultHttpHeaders();
		from.forEach((header) -> {
			if (!HOP_BY_HOP.contains(header.getKey().toLowerCase())) {
				to.add(header.getKey(), header.getValue());
			}
		});
		return to;
	}

}
