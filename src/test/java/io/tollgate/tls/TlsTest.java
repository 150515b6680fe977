package io.tollgate.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.ssl.ClientAuth;
import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.TestCertificates;
import io.tollgate.tls.TlsClientHello.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.http.server.HttpServer;
import reactor.util.function.Tuple2;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * HTTPS on the proxy port (HTTP/2 by ALPN), an upstream that requires a client certificate (mTLS), and the plain-HTTP
 * policy, with certificates made for this run.
 */
class TlsTest {

	private static final TestCertificates certificates = new TestCertificates();

	private static DisposableServer mtlsUpstream;

	private static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void start() throws Exception {
		mtlsUpstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.secure((spec) -> spec.sslContext(Http11SslContextSpec
				.forServer(certificates.file("server.crt").toFile(), certificates.file("server.key").toFile())
				.configure((builder) -> builder.trustManager(certificates.ca()).clientAuth(ClientAuth.REQUIRE))))
			.handle((request, response) -> response.sendString(Mono.just("mtls ok")))
			.bindNow();
		String pem = "spring.ssl.bundle.pem.";
		gateway = new SpringApplicationBuilder(TollgateApplication.class).run("--server.port=0",
				"--management.server.port=0", "--server.ssl.bundle=gateway", "--server.http2.enabled=true",
				"--" + pem + "gateway.options.enabled-protocols=TLSv1.3,TLSv1.2",
				"--" + pem + "gateway.keystore.certificate=" + certificates.file("server.crt").toUri(),
				"--" + pem + "gateway.keystore.private-key=" + certificates.file("server.key").toUri(),
				"--" + pem + "upstream.truststore.certificate=" + certificates.file("ca.crt").toUri(),
				"--" + pem + "upstream.keystore.certificate=" + certificates.file("client.crt").toUri(),
				"--" + pem + "upstream.keystore.private-key=" + certificates.file("client.key").toUri(),
				"--spring.cloud.gateway.server.webflux.httpclient.ssl.ssl-bundle=upstream",
				"--spring.cloud.gateway.server.webflux.routes[0].id=mtls",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=https://localhost:" + mtlsUpstream.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/mtls/**",
				"--tollgate.tls.plain-http=redirect", "--tollgate.client-ip.trusted-proxies[0]=127.0.0.1/32");
	}

	@AfterAll
	static void stop() {
		gateway.close();
		mtlsUpstream.disposeNow();
	}

	@Test
	void httpsWithHttp2NegotiatedByAlpnReachesAnUpstreamThatRequiresAClientCertificate() {
		Tuple2<String, String> answer = client().protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
			.secure((spec) -> spec.sslContext(Http2SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(certificates.ca()))))
			.get()
			.uri("https://localhost:" + port() + "/mtls/x")
			.responseSingle((response, body) -> body.asString()
				.map((text) -> reactor.util.function.Tuples.of(response.version().text() + " " + response.status().code(), text)))
			.block(Duration.ofSeconds(10));

		assertThat(answer.getT1()).isEqualTo("HTTP/2.0 200");
		assertThat(answer.getT2()).isEqualTo("mtls ok");
	}

	@Test
	void tlsOlderThan12IsRefused() throws IOException {
		// Hand-built: a JDK 17 client refuses to offer TLS 1.1 itself, whatever the gateway would accept.
		assertThat(TlsClientHello.send("localhost", port(), TlsClientHello.TLS_1_1)).isIn(Answer.ALERT, Answer.CLOSED);
	}

	@Test
	void tls12HelloBuiltTheSameWayGetsAServerHello() throws IOException {
		// The control of tlsOlderThan12IsRefused: the same hand-built hello, only its version differs.
		assertThat(TlsClientHello.send("localhost", port(), TlsClientHello.TLS_1_2)).isEqualTo(Answer.SERVER_HELLO);
	}

	@Test
	void upstreamRefusesAClientWithoutTheCertificate() {
		Throwable failure = catchThrowable(() -> HttpClient.create()
			.secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(certificates.ca()))))
			.get()
			.uri("https://localhost:" + mtlsUpstream.port() + "/")
			.responseSingle((response, body) -> body.asString())
			.block(Duration.ofSeconds(10)));

		// The upstream's TLS stack refuses the empty certificate chain with an alert, not some other failure.
		assertThat(failure).hasRootCauseInstanceOf(SSLHandshakeException.class);
		assertThat(failure).rootCause().hasMessageContaining("bad_certificate");
	}

	@Test
	void upstreamServesAClientWithTheCertificate() {
		// The control of upstreamRefusesAClientWithoutTheCertificate: the same client, with the certificate.
		String answer = HttpClient.create()
			.secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
				.configure((builder) -> builder.trustManager(certificates.ca())
					.keyManager(certificates.file("client.crt").toFile(), certificates.file("client.key").toFile()))))
			.get()
			.uri("https://localhost:" + mtlsUpstream.port() + "/")
			.responseSingle((response, body) -> body.asString())
			.block(Duration.ofSeconds(10));

		assertThat(answer).isEqualTo("mtls ok");
	}

	@Test
	void plainHttpAsReportedByATrustedProxyIsRedirectedToHttps() {
		String location = client().secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
			.configure((builder) -> builder.trustManager(certificates.ca()))))
			.headers((headers) -> headers.set("X-Forwarded-Proto", "http"))
			.get()
			.uri("https://localhost:" + port() + "/mtls/x?a=1")
			.responseSingle((response, body) -> Mono.just(response.status().code() + " "
					+ response.responseHeaders().get("Location")))
			.block(Duration.ofSeconds(10));

		assertThat(location).startsWith("308 https://localhost").endsWith("/mtls/x?a=1");
	}

	@Test
	void redirectKeepsBracketedQueryThatIsNotStrictUriSyntax() {
		String location = client().secure((spec) -> spec.sslContext(Http11SslContextSpec.forClient()
			.configure((builder) -> builder.trustManager(certificates.ca()))))
			.headers((headers) -> headers.set("X-Forwarded-Proto", "http"))
			.get()
			.uri("https://localhost:" + port() + "/mtls/x?a[]=1&b=%5B2%5D")
			.responseSingle((response, body) -> Mono.just(response.status().code() + " "
					+ response.responseHeaders().get("Location")))
			.block(Duration.ofSeconds(10));

		assertThat(location).startsWith("308 https://localhost").containsAnyOf("/mtls/x?a[]=1&b=%5B2%5D",
				"/mtls/x?a%5B%5D=1&b=%5B2%5D");
	}

	@Test
	void plainHttpIsNotServedOnTheTlsPort() {
		Throwable failure = catchThrowable(() -> client().get()
			.uri("http://localhost:" + port() + "/mtls/x")
			.responseSingle((response, body) -> Mono.just(response.status().code()))
			.block(Duration.ofSeconds(10)));

		assertThat(failure).hasRootCauseInstanceOf(PrematureCloseException.class)
			.hasMessageContaining("Connection prematurely closed BEFORE response");
	}

	@Test
	void plainHttpRequestOnTheTlsPortIsClosedWithoutAByteOfAnswer() throws IOException {
		try (Socket socket = new Socket("localhost", port())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write("GET /mtls/x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

			// Read to the end: a server that kept the connection open would time out here.
			assertThat(socket.getInputStream().readAllBytes()).isEmpty();
		}
	}

	private static HttpClient client() {
		return HttpClient.create();
	}

	private static int port() {
		return ((WebServerApplicationContext) gateway).getWebServer().getPort();
	}

}
