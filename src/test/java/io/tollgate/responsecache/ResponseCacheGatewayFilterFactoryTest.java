package io.tollgate.responsecache;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import io.tollgate.testsupport.GatewayTest;
import io.tollgate.testsupport.RecordingUpstream;
import io.tollgate.testsupport.TestClock;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** ResponseCache on the memory store, against an upstream that counts what it receives. */
@ActiveProfiles("cache")
@Import(TestClock.Config.class)
class ResponseCacheGatewayFilterFactoryTest extends GatewayTest {

	private static final RecordingUpstream staleUpstream = RecordingUpstream.start();

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ResponseCacheStore store;

	@Autowired
	private io.micrometer.core.instrument.MeterRegistry meters;

	private static int counter;

	private String path;

	@DynamicPropertySource
	static void staleUpstream(DynamicPropertyRegistry registry) {
		registry.add("stale.upstream.uri", staleUpstream::uri);
	}

	@AfterAll
	static void stopStaleUpstream() {
		staleUpstream.close();
	}

	@BeforeEach
	void freshKeyAtAKnownTime() {
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
		this.path = "/c/basic/item-" + (++counter);
	}

	@AfterEach
	void healthyUpstream() {
		upstream.failWith(0);
	}

	@Test
	void missThenHitWithOneUpstreamCall() {
		get(this.path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectHeader().exists("X-Cache-Key");
		get(this.path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().valueEquals("Age", "0");

		assertThat(upstream.receivedCount()).isEqualTo(1);
	}

	@Test
	void aClientsConditionalRequestMatchingAFreshEntryGets304FromTheCacheWithoutTheUpstream() {
		String path = this.path + "?h=ETag:\"v1\"&h=Last-Modified:Sun, 22 Nov 2026 09:00:00 GMT";
		missStored(path);
		String modified = "Sun, 22 Nov 2026 09:00:00 GMT";
		String before = "Sun, 22 Nov 2026 08:00:00 GMT";
		String after = "Sun, 22 Nov 2026 09:30:00 GMT";
		// request validators -> status (RFC 9110 section 13.1, 13.2.2; RFC 9111 section 4.3.2)
		Object[][] cases = {
				{ "If-None-Match", "\"v1\"", 304 },
				{ "If-None-Match", "W/\"v1\"", 304 }, // weak comparison
				{ "If-None-Match", "\"v0\", \"v1\"", 304 },
				{ "If-None-Match", "*", 304 },
				{ "If-None-Match", "\"v2\"", 200 },
				{ "If-None-Match", "v1", 200 }, // not an entity tag: no match
				{ "If-None-Match", "\"v1", 200 }, // unclosed quote: no match, no error
				{ "If-None-Match", "W/", 200 },
				{ "If-Modified-Since", modified, 304 },
				{ "If-Modified-Since", after, 304 },
				{ "If-Modified-Since", before, 200 },
				{ "If-Modified-Since", "not a date", 200 }, };
		for (Object[] row : cases) {
			var result = this.client.get().uri(path).header((String) row[0], (String) row[1]).exchange()
				.expectHeader().valueEquals("X-Cache-Status", "Hit")
				.expectBody().returnResult();
			assertThat(result.getStatus().value()).as(row[0] + ": " + row[1]).isEqualTo(row[2]);
			if ((int) row[2] == 304) {
				assertThat(result.getResponseBody()).as("no body").isNullOrEmpty();
				assertThat(result.getResponseHeaders().getETag()).isEqualTo("\"v1\"");
				assertThat(result.getResponseHeaders().getContentType()).isNull();
			}
		}
		// If-None-Match wins over If-Modified-Since: a changed tag is a 200 whatever the date says.
		this.client.get().uri(path).header("If-None-Match", "\"v2\"").header("If-Modified-Since", after)
			.exchange().expectStatus().isOk();
		assertThat(upstream.receivedCount()).isEqualTo(1);
	}

	@Test
	void theGatewaysTargetedFieldDecidesAndNeverReachesTheClient() {
		// "Browsers: no-store; gateway: 60 s" (RFC 9213): stored and served, the client sees only Cache-Control.
		String path = this.path + "?h=Cache-Control:no-store&h=Tollgate-Cache-Control:max-age=60";
		var miss = this.client.get().uri(path).exchange().expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectBody().returnResult();
		awaitStored(miss.getResponseHeaders().getFirst("X-Cache-Key"));
		var hit = this.client.get().uri(path).exchange().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectBody().returnResult();
		for (var result : List.of(miss, hit)) {
			assertThat(result.getResponseHeaders().getCacheControl()).isEqualTo("no-store");
			assertThat(result.getResponseHeaders().containsHeader("Tollgate-Cache-Control")).isFalse();
		}
		// CDN-Cache-Control is obeyed too, and passed on (for a CDN in front).
		String cdn = this.path + "-cdn?h=Cache-Control:max-age=60&h=CDN-Cache-Control:no-store";
		this.client.get().uri(cdn).exchange().expectHeader().valueEquals("X-Cache-Status", "Bypass")
			.expectHeader().valueEquals("CDN-Cache-Control", "no-store");
		this.client.get().uri(cdn).exchange().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void freshnessCountsTheUpstreamsAgeDateAndExpiresAndTheHeuristicAndTtlZero() {
		// The gateway's clock is 2026-11-22T10:00:00Z (Sun, 22 Nov 2026 10:00:00 GMT).
		String date = "&h=Date:Sun, 22 Nov 2026 10:00:00 GMT";
		// route path, upstream headers, seconds later, expected X-Cache-Status then (after a first request at 0).
		// Once expired, the same dated response fetched again is stale on arrival, so not stored: Bypass.
		Object[][] cases = {
				// Age already 50 of max-age 60: served with Age 50+, expired 10 s later (RFC 9111 section 4.2.3)
				{ "/c/basic/", "?h=Cache-Control:max-age=60&h=Age:50", 9, "Hit", "59" },
				{ "/c/basic/", "?h=Cache-Control:max-age=60&h=Age:50", 11, "Miss", null },
				// Date 20 s before arrival counts as age too (apparent age)
				{ "/c/basic/", "?h=Cache-Control:max-age=60&h=Date:Sun, 22 Nov 2026 09:59:40 GMT", 39, "Hit", "59" },
				{ "/c/basic/", "?h=Cache-Control:max-age=60&h=Date:Sun, 22 Nov 2026 09:59:40 GMT", 41, "Bypass", null },
				// Expires minus Date, over the route's ttl of 60 s
				{ "/c/basic/", "?h=Expires:Sun, 22 Nov 2026 10:00:30 GMT" + date, 29, "Hit", "29" },
				{ "/c/basic/", "?h=Expires:Sun, 22 Nov 2026 10:00:30 GMT" + date, 31, "Bypass", null },
				// max-age over Expires
				{ "/c/basic/", "?h=Cache-Control:max-age=5&h=Expires:Sun, 22 Nov 2026 10:00:30 GMT" + date, 6, "Bypass", null },
				// Heuristic: 10 % of the 1000 s since Last-Modified
				{ "/c/heuristic/", "?h=Last-Modified:Sun, 22 Nov 2026 09:43:20 GMT" + date, 99, "Hit", "99" },
				// ... then, being a validator, Last-Modified revalidates it: the upstream answers 304
				{ "/c/heuristic/", "?h=Last-Modified:Sun, 22 Nov 2026 09:43:20 GMT" + date, 101, "Revalidated", "101" },
				// Without Last-Modified the heuristic route's ttl applies
				{ "/c/heuristic/", "?x=1" + date, 59, "Hit", "59" },
				// ttl 0: only what the upstream says
				{ "/c/upstream-only/", "?h=Cache-Control:max-age=10", 9, "Hit", "9" }, };
		for (int i = 0; i < cases.length; i++) {
			Object[] row = cases[i];
			TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
			String path = row[0] + "fresh-" + counter + "-" + i + row[1];
			missStored(path);
			TestClock.INSTANCE.advance(Duration.ofSeconds((int) row[2]));
			var result = get(path).expectBody().returnResult();
			assertThat(result.getResponseHeaders().getFirst("X-Cache-Status")).as(Arrays.toString(row)).isEqualTo(row[3]);
			if (row[4] != null) {
				assertThat(result.getResponseHeaders().getFirst("Age")).as(Arrays.toString(row)).isEqualTo(row[4]);
			}
		}
		// The upstream's Date is kept on hits, never rewritten.
		String dated = "/c/basic/dated-" + counter + "?h=Cache-Control:max-age=60" + date;
		missStored(dated);
		get(dated).expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().valueEquals("Date", "Sun, 22 Nov 2026 10:00:00 GMT");
	}

	@Test
	void responsesWithNoFreshnessLeftOrAnUnreadableExpiresAreNotStored() {
		// stale on arrival (Age over max-age); an invalid Expires means already expired; ttl 0 with nothing stated
		for (String path : List.of(this.path + "?h=Cache-Control:max-age=60&h=Age:70",
				this.path + "?h=Expires:soon", "/c/upstream-only/plain-" + counter)) {
			get(path).expectHeader().valueEquals("X-Cache-Status", "Bypass");
			get(path).expectHeader().valueEquals("X-Cache-Status", "Bypass");
		}
		assertThat(upstream.receivedCount()).isEqualTo(6);
	}

	@Test
	void rangeRequestsAreConsistentlyPassedToTheUpstream() {
		missStored(this.path);
		for (int i = 0; i < 2; i++) {
			this.client.get().uri(this.path).header("Range", "bytes=0-3").exchange()
				.expectHeader().valueEquals("X-Cache-Status", "Bypass");
		}
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Hit");
		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void hitServesTheSameBodyAndHeaders() {
		byte[] first = get(this.path).expectBody().returnResult().getResponseBody();
		var second = get(this.path).expectBody().returnResult();

		assertThat(second.getResponseBody()).isEqualTo(first);
		assertThat(second.getResponseHeaders().getContentType().toString()).isEqualTo("application/json");
		assertThat(second.getResponseHeaders().get("X-Request-ID")).hasSize(1);
	}

	@Test
	void ageGrowsAndTheEntryExpiresAfterItsTtl() {
		missStored(this.path);
		TestClock.INSTANCE.advance(Duration.ofSeconds(42));
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().valueEquals("Age", "42");
		TestClock.INSTANCE.advance(Duration.ofSeconds(20));
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Miss");

		assertThat(upstream.receivedCount()).isEqualTo(2);
	}

	@Test
	void requestNoCacheIsIgnoredByDefaultAndAnsweredFromTheFreshEntry() {
		missStored(this.path);
		this.client.get().uri(this.path).header("Cache-Control", "no-cache").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Hit");
		this.client.get().uri(this.path).header("Pragma", "no-cache").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Hit");

		assertThat(upstream.receivedCount()).isEqualTo(1);
	}

	@Test
	void manyConcurrentNoCacheRequestsNeverReachTheUpstreamByDefault() {
		missStored(this.path);
		upstream.clear();

		List<String> statuses = concurrently(20, this.path, "no-cache");

		assertThat(upstream.receivedCount()).isZero();
		assertThat(statuses).hasSize(20).allMatch((status) -> status.equals("200 Hit"));
	}

	@Test
	void withRevalidateRequestNoCacheRefreshesTheEntry() {
		String path = "/c/revalidate/item-" + counter;
		missStored(path);
		// A refresh still being stored when the next no-cache request comes serves that one too (single flight,
		// "Hit", no upstream call): retry until the previous one has finished.
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> this.client.get().uri(path)
			.header("Cache-Control", "no-cache").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Refresh"));
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> this.client.get().uri(path)
			.header("Pragma", "no-cache").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Refresh"));
		get(path).expectHeader().valueEquals("X-Cache-Status", "Hit");

		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void withRevalidateConcurrentNoCacheRequestsShareOneUpstreamRequest() {
		String path = "/c/revalidate-slow/item-" + counter;
		missStored(path);
		upstream.clear();

		List<String> statuses = concurrently(20, path, "no-cache");

		assertThat(upstream.receivedCount()).isEqualTo(1);
		assertThat(statuses).hasSize(20).allMatch((status) -> status.startsWith("200 "));
		assertThat(statuses).filteredOn((status) -> status.endsWith("Refresh")).hasSize(1);
	}

	@Test
	void endUsersOfOneConsumerWithDifferentAuthorizationNeverSeeEachOthersResponse() {
		// One consumer (bob's app key); the end user's own token rides in Authorization; the upstream opts in.
		String path = "/c/auth/me-" + counter + "?h=Cache-Control:public, max-age=60";
		var firstResult = asBob(path, "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectBody(String.class).returnResult();
		String first = firstResult.getResponseBody();
		awaitStored(firstResult.getResponseHeaders().getFirst("X-Cache-Key"));
		String second = asBob(path, "Bearer user-two").expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectBody(String.class).returnResult().getResponseBody();
		String firstAgain = asBob(path, "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectBody(String.class).returnResult().getResponseBody();

		assertThat(first).contains("Bearer user-one");
		assertThat(second).contains("Bearer user-two").doesNotContain("user-one");
		assertThat(firstAgain).contains("Bearer user-one").doesNotContain("user-two");
		assertThat(upstream.receivedCount()).isEqualTo(2);
	}

	@Test
	void responseToAnAuthorizedRequestIsNotStoredUnlessPublicSMaxAgeOrMustRevalidate() {
		String path = "/c/auth/private-" + counter;
		asBob(path, "Bearer user-one").expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		asBob(path, "Bearer user-one").expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(2);

		for (String optIn : List.of("public", "s-maxage=60", "must-revalidate")) {
			String allowed = path + "?h=Cache-Control:" + optIn;
			asBob(allowed, "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Miss");
			Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> asBob(allowed, "Bearer user-one")
				.expectHeader().valueEquals("X-Cache-Status", "Hit"));
		}
		// Without Authorization the same consumer's responses are stored as before.
		missStored(this.path.replace("/c/basic/", "/c/auth/") + "?apikey=bob-secret-key-1234");
	}

	@Test
	void forcedCachingStillNeverStoresAnAuthorizedResponseTheUpstreamDidNotOptIn() {
		String path = "/c/forced/item-" + counter;
		asBob(path + "?h=Cache-Control:private", "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Bypass");
		asBob(path + "?h=Cache-Control:private", "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Bypass");
		asBob(path, "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(3);

		asBob(path + "?h=Cache-Control:public", "Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Miss");
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> asBob(path + "?h=Cache-Control:public",
				"Bearer user-one").expectHeader().valueEquals("X-Cache-Status", "Hit"));
		asBob(path + "?h=Cache-Control:public", "Bearer user-two").expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	@Test
	void getWithABodyIsForwardedButNeitherStoredNorAnsweredFromTheCache() {
		this.client.method(org.springframework.http.HttpMethod.GET).uri(this.path).bodyValue("poison").exchange()
			.expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstreamRequest().bodyAsString()).isEqualTo("poison");

		String clean = get(this.path).expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(clean).doesNotContain("poison");
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> get(this.path)
			.expectHeader().valueEquals("X-Cache-Status", "Hit"));

		upstream.clear();
		this.client.method(org.springframework.http.HttpMethod.GET).uri(this.path)
			.body(Flux.just("chun", "ked"), String.class).exchange()
			.expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		this.client.method(org.springframework.http.HttpMethod.HEAD).uri(this.path).bodyValue("poison").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(2);
	}

	@Test
	void headIsAnsweredFromTheGetEntryAndAHeadResponseIsNeverReplayed() {
		this.client.head().uri(this.path).exchange().expectStatus().isOk();
		assertThat(upstreamRequest().method()).isEqualTo("HEAD");
		var full = get(this.path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Miss")
			.expectBody().returnResult();
		assertThat(full.getResponseBody()).isNotEmpty();
		long length = full.getResponseBody().length;
		assertThat(full.getResponseHeaders().getContentLength()).isEqualTo(length);
		awaitStored(full.getResponseHeaders().getFirst("X-Cache-Key"));
		upstream.clear();

		this.client.head().uri(this.path).exchange().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().contentLength(length);
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().contentLength(length)
			.expectBody().consumeWith((body) -> assertThat(body.getResponseBody()).hasSize((int) length));
		assertThat(upstream.receivedCount()).isZero();
	}

	@Test
	void headFirstNeverLeavesAnEmptyEntryForGet() {
		this.client.head().uri(this.path).exchange().expectStatus().isOk();
		this.client.head().uri(this.path).exchange().expectStatus().isOk();
		byte[] body = get(this.path).expectStatus().isOk().expectBody().returnResult().getResponseBody();

		assertThat(body).isNotEmpty();
		assertThat(upstream.receivedCount()).isEqualTo(3);
	}

	@Test
	void requestNoStoreBypasses() {
		this.client.get().uri(this.path).header("Cache-Control", "max-age=60, no-store").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Bypass");
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	@Test
	void responseNoStorePrivateNoCacheSetCookieAndVaryStarAreNotStored() {
		for (String header : List.of("Cache-Control:no-store", "Cache-Control:private, max-age=60",
				"Cache-Control:no-cache", "Set-Cookie:session=1", "Vary:*")) {
			String path = this.path + "?h=" + header;
			get(path).expectHeader().valueEquals("X-Cache-Status", "Bypass");
			get(path).expectHeader().valueEquals("X-Cache-Status", "Bypass");
		}
		assertThat(upstream.receivedCount()).isEqualTo(10);
	}

	@Test
	void directivesAreReadFromEveryHeaderValueAndEveryCommaSeparatedPart() {
		get(this.path + "?h=Cache-Control:public&h=Cache-Control:no-store").expectHeader()
			.valueEquals("X-Cache-Status", "Bypass");
		get(this.path + "?h=Cache-Control:public, no-store, max-age=60").expectHeader()
			.valueEquals("X-Cache-Status", "Bypass");
	}

	@Test
	void responseMaxAgeAndSMaxAgeSetTheTtl() {
		String maxAge = this.path + "?h=Cache-Control:max-age=5";
		missStored(maxAge);
		TestClock.INSTANCE.advance(Duration.ofSeconds(4));
		get(maxAge).expectHeader().valueEquals("X-Cache-Status", "Hit");
		TestClock.INSTANCE.advance(Duration.ofSeconds(2));
		get(maxAge).expectHeader().valueEquals("X-Cache-Status", "Miss");

		String sMaxAge = this.path + "?h=Cache-Control:max-age=1, s-maxage=100";
		missStored(sMaxAge);
		TestClock.INSTANCE.advance(Duration.ofSeconds(50));
		get(sMaxAge).expectHeader().valueEquals("X-Cache-Status", "Hit");
	}

	@Test
	void jsonWithCharsetIsCachedAndOtherMediaTypesAreNot() {
		String json = this.path + "?h=Content-Type:application/json; charset=utf-8";
		get(json).expectHeader().valueEquals("X-Cache-Status", "Miss");
		get(json).expectHeader().valueEquals("X-Cache-Status", "Hit");
		String html = this.path + "?h=Content-Type:text/html";
		get(html).expectHeader().valueEquals("X-Cache-Status", "Bypass");
		get(html).expectHeader().valueEquals("X-Cache-Status", "Bypass");
	}

	@Test
	void gzipAndIdentityAreKeptApart() {
		// The upstream answers gzip (declared only: the test client must not try to inflate it).
		String gzip = this.path + "?h=Content-Encoding:gzip&h=Vary:Accept-Encoding";
		encoded(gzip, "gzip").expectHeader().valueEquals("X-Cache-Status", "Miss");
		encoded(gzip, "gzip, deflate;q=0").expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().valueEquals("Content-Encoding", "gzip");
		// gzip to a client that did not accept it is the upstream's doing: passed on, never stored for others.
		encoded(gzip, "identity").expectHeader().valueEquals("X-Cache-Status", "Bypass");
		encoded(gzip, "identity").expectHeader().valueEquals("X-Cache-Status", "Bypass");
		String plain = this.path + "-plain?h=Vary:Accept-Encoding";
		encoded(plain, "gzip").expectHeader().valueEquals("X-Cache-Status", "Miss");
		encoded(plain, "identity").expectHeader().valueEquals("X-Cache-Status", "Miss");
		encoded(plain, "identity").expectHeader().valueEquals("X-Cache-Status", "Hit");
		assertThat(upstream.receivedCount()).isEqualTo(5);
	}

	private ResponseSpec encoded(String path, String acceptEncoding) {
		return WebTestClient.bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
				reactor.netty.http.client.HttpClient.create().compress(false)))
			.baseUrl(this.baseUrl)
			.build()
			.get()
			.uri(path)
			.header("Accept-Encoding", acceptEncoding)
			.exchange();
	}

	@Test
	void responseVaryOnOtherHeadersIsHonoured() {
		String varying = this.path + "?h=Vary:X-Lang";
		this.client.get().uri(varying).header("X-Lang", "en").exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri(varying).header("X-Lang", "en").exchange().expectHeader().valueEquals("X-Cache-Status", "Hit");
		this.client.get().uri(varying).header("X-Lang", "fr").exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	@Test
	void configuredVaryHeadersAreInTheKey() {
		String path = "/c/vary/item-" + counter;
		this.client.get().uri(path).header("X-Tenant", "a").exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri(path).header("X-Tenant", "b").exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri(path).header("X-Tenant", "a").exchange().expectHeader().valueEquals("X-Cache-Status", "Hit");
	}

	@Test
	void twoConsumersNeverShareAnEntry() {
		String path = "/c/auth/item-" + counter;
		this.client.get().uri(path).header("apikey", "bob-secret-key-1234").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri(path).header("apikey", "alice-secret-key-5678").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Miss");
		var bobAgain = this.client.get().uri(path).header("apikey", "bob-secret-key-1234").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectBody(String.class).returnResult().getResponseBody();

		assertThat(bobAgain).contains("\"X-Consumer-Username\" : \"bob\"").doesNotContain("alice");
		// Auth runs before the cache: no key, no cached answer.
		this.client.get().uri(path).exchange().expectStatus().isUnauthorized().expectHeader().doesNotExist("X-Cache-Status");
	}

	@Test
	void authorizationHeaderWithoutAKnownConsumerIsNeverCached() {
		this.client.get().uri(this.path).header("Authorization", "Bearer abc").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Bypass");
		this.client.get().uri(this.path).header("Authorization", "Bearer abc").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Bypass");
	}

	@Test
	void postIsNotCached() {
		this.client.post().uri(this.path).bodyValue("{}").exchange().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		this.client.post().uri(this.path).bodyValue("{}").exchange().expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(2);
	}

	@Test
	void serverErrorIsNotCached() {
		this.client.get().uri("/c/status/500").exchange().expectStatus().isEqualTo(500);
		this.client.get().uri("/c/status/500").exchange().expectStatus().isEqualTo(500)
			.expectHeader().valueEquals("X-Cache-Status", "Bypass");
		assertThat(upstream.receivedCount()).isEqualTo(2);
	}

	@Test
	void notFoundIsCachedByDefault() {
		this.client.get().uri("/c/status/404?h=Content-Type:text/plain&n=" + counter).exchange().expectStatus().isNotFound()
			.expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri("/c/status/404?h=Content-Type:text/plain&n=" + counter).exchange().expectStatus().isNotFound()
			.expectHeader().valueEquals("X-Cache-Status", "Hit");
	}

	@Test
	void bodyOverMaxEntrySizeIsStreamedWhole() {
		byte[] big = this.client.get().uri("/c/small/5000?n=" + counter).exchange().expectStatus().isOk()
			.expectBody().returnResult().getResponseBody();
		this.client.get().uri("/c/small/5000?n=" + counter).exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");

		assertThat(big).hasSize(5000);
		assertThat(upstream.receivedCount()).isEqualTo(2);
		this.client.get().uri("/c/small/500?n=" + counter).exchange().expectHeader().valueEquals("X-Cache-Status", "Miss");
		this.client.get().uri("/c/small/500?n=" + counter).exchange().expectHeader().valueEquals("X-Cache-Status", "Hit");
	}

	@Test
	void fiftyConcurrentMissesOnOneKeyMakeOneUpstreamRequest() {
		WebClient client = WebClient.create(this.baseUrl);
		String path = "/c/slow/item-" + counter;

		List<String> statuses = Flux.range(0, 50)
			.flatMap((i) -> client.get().uri(path).exchangeToMono((response) -> response.releaseBody()
				.thenReturn(response.statusCode().value() + " " + response.headers().asHttpHeaders().getFirst("X-Cache-Status"))), 50)
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(upstream.receivedCount()).isEqualTo(1);
		assertThat(statuses).hasSize(50).allMatch((status) -> status.startsWith("200"));
		assertThat(statuses).filteredOn((status) -> status.endsWith("Miss")).hasSize(1);
	}

	@Test
	void staleEntryStandsInWhenTheUpstreamAnswers5xx() {
		String path = "/c/stale/item-" + counter;
		missStored(path);
		upstream.failWith(503);
		TestClock.INSTANCE.advance(Duration.ofSeconds(30));

		get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().valueEquals("Age", "30")
			.expectHeader().valueEquals("Warning", "110 - \"Response is Stale\"");
		TestClock.INSTANCE.advance(Duration.ofSeconds(45));
		get(path).expectStatus().isEqualTo(503);
	}

	@Test
	void mustRevalidateEntryNeverStandsInWhenStale() {
		String path = "/c/stale/item-" + counter + "?h=Cache-Control:must-revalidate";
		missStored(path);
		upstream.failWith(503);
		TestClock.INSTANCE.advance(Duration.ofSeconds(30));

		get(path).expectStatus().isEqualTo(503);
	}

	@Test
	void aSuccessfulWriteRemovesTheEntriesOfItsUriAndOfItsLocationsOnTheSameHost() {
		// method, write path (relative to this.path), status the upstream gives, read path, whether it is removed
		Object[][] cases = {
				{ "POST", "", 200, "", true },
				{ "PUT", "", 200, "", true },
				{ "DELETE", "", 200, "", true },
				{ "PATCH", "", 200, "", true },
				{ "REPORT", "", 200, "", true }, // a method the cache does not know may change the resource too
				{ "PUT", "?b=2&a=1", 200, "?a=1&b=2", true }, // one URI, whatever the parameter order
				{ "PUT", "", 500, "", false }, // a failed write changed nothing
				{ "PUT", "", 404, "", false },
				{ "PUT", "/other", 200, "", false },
				{ "POST", "?h=Location:/c/basic/LOC", 200, "/c/basic/LOC", true },
				{ "POST", "?h=Content-Location:BASE/c/basic/LOC", 200, "/c/basic/LOC", true },
				{ "POST", "?h=Location:http://other.example/c/basic/LOC", 200, "/c/basic/LOC", false }, // other host
				{ "POST", "?h=Location:::not a uri", 200, "?h=Location:::not a uri", true }, // its own URI still
		};
		for (Object[] row : cases) {
			String base = "/c/basic/write-" + (++counter);
			String read = ((String) row[3]).startsWith("/") ? ((String) row[3]).replace("LOC", "loc-" + counter)
					: base + row[3];
			String write = base + ((String) row[1]).replace("LOC", "loc-" + counter).replace("BASE", this.baseUrl);
			missStored(read);
			get(read).expectHeader().valueEquals("X-Cache-Status", "Hit");
			upstream.failWith((int) row[2] == 200 ? 0 : (int) row[2]);
			this.client.method(org.springframework.http.HttpMethod.valueOf((String) row[0])).uri(write)
				.header("Content-Type", "application/json").bodyValue("{}")
				.exchange().expectStatus().isEqualTo((int) row[2]);
			upstream.failWith(0);
			get(read).expectHeader().valueEquals("X-Cache-Status", (boolean) row[4] ? "Miss" : "Hit");
		}
		// The write path is on the event loop and never waits for an entry that is not there.
		this.client.delete().uri("/c/basic/never-read-" + counter).exchange().expectStatus().isOk();
		// A write on another host leaves this host's entries alone (and a route serving two hosts keeps them apart).
		String shared = "/c/basic/hosts-" + counter;
		missStored(shared);
		this.client.put().uri(shared).header("Host", "tenant-b.example").bodyValue("{}").exchange().expectStatus().isOk();
		get(shared).expectHeader().valueEquals("X-Cache-Status", "Hit");
		this.client.get().uri(shared).header("Host", "tenant-b.example").exchange()
			.expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	@Test
	void anExpiredEntryWithAValidatorIsRevalidatedAndA304RefreshesIt() {
		// upstream headers, the validator the upstream receives when the entry has expired, its value
		Object[][] cases = {
				{ "?h=Cache-Control:max-age=10&h=ETag:\"e1\"", "If-None-Match", "\"e1\"" },
				{ "?h=Cache-Control:max-age=10&h=ETag:W/\"e2\"", "If-None-Match", "W/\"e2\"" },
				{ "?h=Cache-Control:max-age=10&h=Last-Modified:Sun, 22 Nov 2026 09:00:00 GMT", "If-Modified-Since",
						"Sun, 22 Nov 2026 09:00:00 GMT" }, };
		for (int i = 0; i < cases.length; i++) {
			Object[] row = cases[i];
			TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
			String path = this.path + "-" + i + row[0];
			String body = missStoredBody(path);
			upstream.clear();
			TestClock.INSTANCE.advance(Duration.ofSeconds(11));

			var revalidated = get(path).expectStatus().isOk().expectBody(String.class).returnResult();
			assertThat(revalidated.getResponseHeaders().getFirst("X-Cache-Status")).as((String) row[1]).isEqualTo("Revalidated");
			assertThat(revalidated.getResponseBody()).as("the stored body").isEqualTo(body);
			assertThat(revalidated.getResponseHeaders().getFirst("Age")).isEqualTo("0");
			assertThat(upstreamRequest().header((String) row[1])).containsExactly((String) row[2]);
			assertThat(this.meters.counter("tollgate.cache.lookups", "route", "c-basic", "result", "revalidated").count())
				.isEqualTo(i + 1);
			// Fresh again for max-age: the next request does not reach the upstream.
			TestClock.INSTANCE.advance(Duration.ofSeconds(9));
			get(path).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().valueEquals("Age", "9");
			assertThat(upstream.receivedCount()).isZero();
		}

		// A changed representation: the upstream answers 200, which replaces the entry.
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
		String changed = this.path + "-changed?h=Cache-Control:max-age=10&h=ETag:\"c1\"";
		missStored(changed);
		TestClock.INSTANCE.advance(Duration.ofSeconds(11));
		upstream.clear();
		upstream.overrideHeader("ETag", "\"c2\"");
		String key = get(changed).expectHeader().valueEquals("X-Cache-Status", "Miss").expectHeader()
			.valueEquals("ETag", "\"c2\"").returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Key");
		assertThat(upstreamRequest().header("If-None-Match")).containsExactly("\"c1\"");
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> "\"c2\"".equals(this.store.get(key).block().header("ETag")));
		get(changed).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().valueEquals("ETag", "\"c2\"");

		// The client's own validators are answered by the cache, from the entry the 304 refreshed; the upstream
		// gets the cache's.
		String mine = this.path + "-mine?h=Cache-Control:max-age=10&h=ETag:\"k1\"";
		upstream.clear();
		missStored(mine);
		upstream.clear();
		TestClock.INSTANCE.advance(Duration.ofSeconds(11));
		this.client.get().uri(mine).header("If-None-Match", "\"k1\"").exchange().expectStatus().isNotModified()
			.expectHeader().valueEquals("X-Cache-Status", "Revalidated");
		TestClock.INSTANCE.advance(Duration.ofSeconds(11));
		this.client.get().uri(mine).header("If-None-Match", "\"other\"").exchange().expectStatus().isOk()
			.expectHeader().valueEquals("X-Cache-Status", "Revalidated");
		assertThat(upstreamRequest().header("If-None-Match")).containsExactly("\"k1\"");
		assertThat(upstreamRequest().header("If-None-Match")).containsExactly("\"k1\"");
	}

	@Test
	void noCacheIsRevalidatedOnEveryUseMustRevalidateNeverServedStaleAndRevalidationsShareOneFlight() {
		String path = this.path + "?h=Cache-Control:no-cache&h=ETag:\"n1\"";
		missStored(path);
		upstream.clear();
		for (int i = 0; i < 3; i++) {
			get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Revalidated");
			assertThat(upstreamRequest().header("If-None-Match")).containsExactly("\"n1\"");
		}
		// Without a validator, no-cache is not stored: there would be nothing to revalidate with.
		get(this.path + "-none?h=Cache-Control:no-cache").expectHeader().valueEquals("X-Cache-Status", "Bypass");

		// must-revalidate and proxy-revalidate: never stale, not even with the route's stale-if-error of 60 s.
		// s-maxage means proxy-revalidate to a shared cache (section 5.2.2.10).
		for (String directive : List.of("max-age=10, must-revalidate", "max-age=10, proxy-revalidate", "s-maxage=10",
				"max-age=10")) {
			TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
			String stale = "/c/stale/" + (++counter) + "?h=Cache-Control:" + directive;
			missStored(stale);
			TestClock.INSTANCE.advance(Duration.ofSeconds(20));
			upstream.failWith(500);
			get(stale).expectStatus().isEqualTo(directive.equals("max-age=10") ? 200 : 500);
			upstream.failWith(0);
		}

		// Concurrent requests for an expired entry make one conditional request (the upstream takes 500 ms).
		TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
		String slow = "/c/revalidate-slow/" + (++counter) + "?h=Cache-Control:max-age=10&h=ETag:\"s1\"";
		missStored(slow);
		upstream.clear();
		TestClock.INSTANCE.advance(Duration.ofSeconds(11));
		List<String> answers = concurrently(6, slow, "no-transform");
		assertThat(answers).hasSize(6).allMatch((answer) -> answer.startsWith("200 "));
		assertThat(answers).contains("200 Revalidated");
		assertThat(upstream.receivedCount()).isEqualTo(1);
		assertThat(upstreamRequest().header("If-None-Match")).containsExactly("\"s1\"");
	}

	@Test
	void staleWhileRevalidateServesTheStaleEntryAndRefreshesItOnceInTheBackground() {
		// with a validator (the refresh is a conditional request) and without (a full one)
		for (String validator : List.of("&h=ETag:\"w1\"", "")) {
			TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
			String path = this.path + "-" + validator.length() + "?h=Cache-Control:max-age=10, stale-while-revalidate=30"
					+ validator;
			missStored(path);
			upstream.clear();
			TestClock.INSTANCE.advance(Duration.ofSeconds(15));
			get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Stale")
				.expectHeader().valueEquals("Age", "15");
			for (int i = 0; i < 4; i++) {
				get(path).expectStatus().isOk();
			}
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> "Hit".equals(get(path).returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Status")));
			assertThat(upstream.receivedCount()).as("one refresh").isEqualTo(1);
			assertThat(upstreamRequest().header("If-None-Match"))
				.isEqualTo(validator.isEmpty() ? List.of() : List.of("\"w1\""));
		}
		// Past the window: revalidated before the client is answered. must-revalidate allows no stale answer.
		for (String directives : List.of("max-age=10, stale-while-revalidate=30",
				"max-age=10, stale-while-revalidate=30, must-revalidate")) {
			TestClock.INSTANCE.set(Instant.parse("2026-11-22T10:00:00Z"));
			String path = this.path + "-" + directives.length() + "?h=ETag:\"w2\"&h=Cache-Control:" + directives;
			missStored(path);
			TestClock.INSTANCE.advance(Duration.ofSeconds(directives.contains("must") ? 15 : 50));
			get(path).expectHeader().valueEquals("X-Cache-Status", "Revalidated");
		}
	}

	@Test
	void theResponsesStaleIfErrorLetsItStandInForAFailingUpstream() {
		// c-basic has no stale-if-error of its own.
		String path = this.path + "?h=Cache-Control:max-age=10, stale-if-error=60";
		missStored(path);
		TestClock.INSTANCE.advance(Duration.ofSeconds(20));
		upstream.failWith(500);
		get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().exists("Warning");
		TestClock.INSTANCE.advance(Duration.ofSeconds(60));
		get(path).expectStatus().isEqualTo(500);
	}

	@Test
	void aHeadResponseUpdatesTheStoredEntryOrRemovesItWhenItNamesAnotherRepresentation() {
		// c-small answers /bytes/100: the same body, and length, for GET and HEAD.
		String path = "/c/small/100?h=Cache-Control:max-age=10&h=ETag:\"h1\"&h=X-Version:1&n=" + (++counter);
		missStored(path);
		TestClock.INSTANCE.advance(Duration.ofSeconds(11));
		upstream.overrideHeader("X-Version", "2");
		this.client.head().uri(path).exchange().expectStatus().isOk();
		get(path).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().valueEquals("X-Version", "2");
		assertThat(upstream.receivedCount()).isEqualTo(2);

		// A fresh entry is never updated by a HEAD, whatever max-age the client asks for.
		upstream.overrideHeader("X-Version", "3");
		this.client.head().uri(path).header("Cache-Control", "max-age=0").exchange().expectStatus().isOk();
		get(path).expectHeader().valueEquals("X-Cache-Status", "Hit").expectHeader().valueEquals("X-Version", "2");

		// Another entity tag, or another content type (section 3.2: it describes the stored body): removed.
		for (String[] other : List.of(new String[] { "ETag", "\"h2\"" }, new String[] { "Content-Type", "text/plain" })) {
			upstream.clear();
			missStored(path + "&" + other[0]);
			TestClock.INSTANCE.advance(Duration.ofSeconds(11));
			upstream.overrideHeader(other[0], other[1]);
			this.client.head().uri(path + "&" + other[0]).exchange().expectStatus().isOk();
			upstream.clear();
			get(path + "&" + other[0]).expectHeader().valueEquals("X-Cache-Status", "Miss");
		}
	}

	@Test
	void aCircuitBreakersFallbackIsNeverStoredAndLetsAStaleEntryStandIn() {
		String path = "/c/breaker/" + (++counter);
		missStored(path);
		TestClock.INSTANCE.advance(Duration.ofSeconds(20));
		upstream.failWith(500);
		get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().exists("Warning");
		upstream.failWith(0);
		// With nothing stored, the fallback (a cacheable 200 JSON from /bytes/20) answers, and is not stored.
		String failing = "/c/breaker/failing-" + (++counter);
		for (int i = 0; i < 2; i++) {
			get(failing).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Bypass")
				.expectBody(String.class).isEqualTo("\"" + "x".repeat(18) + "\"");
		}
	}

	@Test
	void staleEntryStandsInWhenTheUpstreamIsGone() {
		String path = "/c/down/item-" + counter;
		missStored(path);
		staleUpstream.close();
		TestClock.INSTANCE.advance(Duration.ofSeconds(20));

		get(path).expectStatus().isOk().expectHeader().valueEquals("X-Cache-Status", "Hit")
			.expectHeader().exists("Warning");
	}

	@Test
	void purgeEndpointRemovesEntries() {
		String key = get(this.path).returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Key");
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Hit");

		management().delete().uri("/actuator/responsecache/" + key).exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.removed").isEqualTo(true);
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Miss");

		management().get().uri("/actuator/responsecache").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.store").isEqualTo("memory").jsonPath("$.entries").isNumber();
		management().delete().uri("/actuator/responsecache").exchange().expectStatus().isOk();
		get(this.path).expectHeader().valueEquals("X-Cache-Status", "Miss");
	}

	/**
	 * A miss, and the wait until its entry is stored: a client may have the whole body (Content-Length) a moment
	 * before the gateway has seen the upstream's end of it.
	 */
	private void missStored(String path) {
		String key = get(path).expectHeader().valueEquals("X-Cache-Status", "Miss")
			.returnResult(String.class).getResponseHeaders().getFirst("X-Cache-Key");
		awaitStored(key);
	}

	/** As {@link #missStored}; the body the client got. */
	private String missStoredBody(String path) {
		var result = get(path).expectHeader().valueEquals("X-Cache-Status", "Miss").expectBody(String.class)
			.returnResult();
		awaitStored(result.getResponseHeaders().getFirst("X-Cache-Key"));
		return result.getResponseBody();
	}

	private void awaitStored(String key) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.store.get(key).block() != null);
	}

	private ResponseSpec asBob(String path, String authorization) {
		return this.client.get().uri(path).header("apikey", "bob-secret-key-1234").header("Authorization", authorization)
			.exchange();
	}

	/** Sends n requests at once (with the given request Cache-Control); their "status X-Cache-Status". */
	private List<String> concurrently(int n, String path, String cacheControl) {
		WebClient client = WebClient.create(this.baseUrl);
		return Flux.range(0, n)
			.flatMap((i) -> client.get().uri(path).header("Cache-Control", cacheControl)
				.exchangeToMono((response) -> response.releaseBody()
					.thenReturn(response.statusCode().value() + " "
							+ response.headers().asHttpHeaders().getFirst("X-Cache-Status"))), n)
			.collectList()
			.block(Duration.ofSeconds(30));
	}

	private ResponseSpec get(String path) {
		return this.client.get().uri(path).exchange();
	}

	private WebTestClient management() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.defaultHeaders((headers) -> headers.setBasicAuth("ops", "ops-password"))
			.build();
	}

}
