package io.tollgate.validation;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.tollgate.testsupport.GatewayTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Body size limits, declared or streamed, per route and global, and what they cost the gateway's memory. */
@ActiveProfiles("validation")
class BodySizeLimitTest extends GatewayTest {

	@Autowired
	private BufferedBodies buffered;

	@Test
	void declaredLengthOverTheRouteLimitIs413() {
		this.client.post().uri("/v/size").bodyValue(new byte[2048]).exchange()
			.expectStatus().isEqualTo(413)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.detail").isEqualTo("Request size limit exceeded");
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void chunkedBodyGrowingPastTheRouteLimitIs413() {
		this.client.post().uri("/v/size").body(chunks(4, 512), DataBuffer.class).exchange()
			.expectStatus().isEqualTo(413)
			.expectBody().jsonPath("$.detail").isEqualTo("Request size limit exceeded");
	}

	@Test
	void bodiesWithinTheLimitPassWhetherDeclaredOrChunked() {
		this.client.post().uri("/v/size").bodyValue(new byte[1024]).exchange().expectStatus().isOk();
		assertThat(upstreamRequest().body()).hasSize(1024);
		this.client.post().uri("/v/size").body(chunks(2, 500), DataBuffer.class).exchange().expectStatus().isOk();
		assertThat(upstreamRequest().body()).hasSize(1000);
	}

	@Test
	void globalDefaultLimitAppliesToRoutesWithoutValidateRequest() {
		this.client.post().uri("/v/default").bodyValue(new byte[65 * 1024]).exchange().expectStatus().isEqualTo(413);
		this.client.post().uri("/v/default").body(chunks(5, 16 * 1024), DataBuffer.class).exchange()
			.expectStatus().isEqualTo(413);
		this.client.post().uri("/v/default").bodyValue(new byte[60 * 1024]).exchange().expectStatus().isOk();
	}

	@Test
	void routeLimitOverridesTheGlobalDefault() {
		// v-orders allows 1MB, over the 64KB default.
		String big = "{\"id\":\"ORD-1\",\"status\":\"new\",\"items\":[],\"note\":\"" + "x".repeat(200 * 1024) + "\"}";
		this.client.post().uri("/v/orders").contentType(MediaType.APPLICATION_JSON).bodyValue(big).exchange()
			.expectStatus().isOk();
	}

	@Test
	void tenGigabyteDeclarationIsRefusedWithoutReadingTheBody() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(this.baseUrl.substring(this.baseUrl.lastIndexOf(':') + 1)))) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /v/orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
					+ "Content-Length: 10737418240\r\n\r\n{\"id\":").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));

			assertThat(in.readLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
		}
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void twoHundredConcurrentFiveMegabyteBodiesAreAll413WithBoundedBuffering() {
		WebClient client = WebClient.create(this.baseUrl);
		byte[] chunk = new byte[64 * 1024];

		List<Integer> statuses = Flux.range(0, 200)
			.flatMap((i) -> client.post()
				.uri("/v/orders")
				.contentType(MediaType.APPLICATION_JSON)
				.body(Flux.range(0, 80).map((n) -> DefaultDataBufferFactory.sharedInstance.wrap(chunk)), DataBuffer.class)
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
				.onErrorReturn(-1), 200)
			.collectList()
			.block(Duration.ofMinutes(2));

		assertThat(statuses).hasSize(200).containsOnly(413);
		// Never more than each request's limit (1MB) plus the chunk in flight, and all of it given back.
		assertThat(this.buffered.peak()).isLessThanOrEqualTo(200L * (1024 * 1024 + 64 * 1024));
		assertThat(this.buffered.current()).isZero();
		assertThat(upstream.receivedCount()).isZero();
	}

	private static Flux<DataBuffer> chunks(int count, int size) {
		return Flux.range(0, count).map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[size]));
	}

}
