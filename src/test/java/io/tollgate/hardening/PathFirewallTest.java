package io.tollgate.hardening;

import java.nio.charset.StandardCharsets;

import io.tollgate.testsupport.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Path tricks against an open route and a KeyAuth route on the same lenient upstream: each must be refused with
 * 400 problem+json before routing, and the upstream must see nothing. Paths are sent byte for byte.
 */
class PathFirewallTest extends HardeningTest {

	@ParameterizedTest
	@ValueSource(strings = { "/open/../secure/hello", "/open/./../secure/hello", "/open/%2e%2e/secure/hello",
			"/open/%2E%2E/secure/hello", "/open/.%2e/secure/hello", "/open/%2e./secure/hello",
			"/open/..%2fsecure/hello", "/open/..%2Fsecure/hello", "/open/%2e%2e%2fsecure/hello",
			"/open/..;/secure/hello", "/open;x/../secure/hello", "/open/..;x=1/secure/hello",
			"/open/..%5csecure/hello", "/open/..%5Csecure/hello", "/open/%252e%252e/secure/hello",
			"/open/%252e%252e%252fsecure/hello", "/open/%00/../secure/hello", "/open/x%00/../../secure/hello",
			"/open/%c0%ae%c0%ae/secure/hello", "/open/%e0%80%ae%e0%80%ae/secure/hello", "//secure/hello",
			"/open//..//secure/hello", "/open/..", "/open/.", "/open/%2e", "/secure;x/hello", "/open/%0d%0a/x",
			"/open/%7f", "/open/%e9", "/open/%ed%a0%80" })
	void pathThatAnUpstreamCouldReadAsAnotherPathIsRefusedBeforeRouting(String path) {
		RawHttp.Response response = raw("GET", path);

		assertThat(response.status()).as(path).isEqualTo(400);
		assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
		assertThat(response.body()).contains("\"detail\":\"Request rejected: the path");
		assertThat(response.header("X-Request-ID")).isNotBlank();
		assertThat(normalising.protectedHits()).isEmpty();
		assertThat(normalising.rawPaths()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/blobs/..%2F..%2Fsecure/hello", "/blobs/x%2F..%2F..%2Fsecure/hello",
			"/blobs/%2F..%2Fsecure/hello", "/blobs/a/..%2f..%2f..%2fsecure/hello", "/blobs/%2e%2e%2F..%2Fsecure/hello",
			"/blobs/a%2F.%2Fb", "/blobs/a%2F%2Fb", "/blobs/a%2F..", "/blobs/..%2F" })
	void dotAndEmptySegmentsAroundAnAllowedEncodedSlashAreRefused(String path) {
		// An upstream that decodes %2F before resolving dot segments (nginx, Tomcat with encodedSolidusHandling=decode)
		// would walk out of /blobs/.
		RawHttp.Response response = raw("GET", path);

		assertThat(response.status()).as(path).isEqualTo(400);
		assertThat(normalising.rawPaths()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/open/..\\secure/hello", "/open/\\..\\secure/hello", "/open/%%32e", "/open/%zz",
			"/open/%2" })
	void pathThatIsNotAUriIsRefusedAndReachesNothing(String path) {
		RawHttp.Response response = raw("GET", path);

		assertThat(response.status()).as(path).isEqualTo(400);
		assertThat(normalising.rawPaths()).isEmpty();
	}

	@Test
	void rawNonAsciiBytesInThePathAreRefused() {
		byte[] request = ("GET /open/caf\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1);

		assertThat(RawHttp.exchange(this.gatewayPort, request).status()).isEqualTo(400);
		assertThat(normalising.rawPaths()).isEmpty();
	}

	@Test
	void protectedHandlerIsReachedOnlyWithAKey() {
		assertThat(raw("GET", "/secure/hello").status()).isEqualTo(401);
		assertThat(normalising.protectedHits()).isEmpty();

		RawHttp.Response keyed = raw("GET", "/secure/hello", "apikey: " + KEY);
		assertThat(keyed.status()).isEqualTo(200);
		assertThat(keyed.body()).contains("protected /secure/hello");
	}

	@Test
	void encodedUnreservedCharactersAreDecodedSoEveryPolicySeesOnePath() {
		// /sec%75re is /secure: it must be treated as the KeyAuth route, and sent upstream in its canonical form.
		assertThat(raw("GET", "/sec%75re/hello").status()).isEqualTo(401);
		assertThat(raw("GET", "/sec%75re/h%65llo", "apikey: " + KEY).status()).isEqualTo(200);
		assertThat(normalising.rawPaths()).containsExactly("/secure/hello");
	}

	@Test
	void otherEncodingsPassInUpperCaseHex() {
		RawHttp.Response response = raw("GET", "/open/caf%c3%a9/a%20b/file%2ejson?q=%2e%2e");

		assertThat(response.status()).isEqualTo(200);
		assertThat(normalising.rawPaths()).containsExactly("/open/caf%C3%A9/a%20b/file.json");
	}

	@Test
	void encodedSlashIsAcceptedOnlyUnderTheConfiguredPaths() {
		assertThat(raw("GET", "/blobs/a%2Fb").status()).isEqualTo(200);
		assertThat(normalising.rawPaths()).containsExactly("/blobs/a%2Fb");
		assertThat(raw("GET", "/open/a%2Fb").status()).isEqualTo(400);
	}

	@Test
	void unknownMethodIsAnswered501AndTraceAndConnectAreNotAllowed() {
		RawHttp.Response unknown = raw("FOO" + "x".repeat(200), "/open/x");
		assertThat(unknown.status()).isEqualTo(501);
		assertThat(unknown.header("Content-Type")).isEqualTo("application/problem+json");

		RawHttp.Response trace = raw("TRACE", "/open/x");
		assertThat(trace.status()).isEqualTo(405);
		assertThat(trace.header("Allow")).contains("GET").doesNotContain("TRACE");
		assertThat(raw("CONNECT", "/open/x").status()).isEqualTo(405);
		assertThat(normalising.rawPaths()).isEmpty();
	}

	@Test
	void limitByPathCountsTheCanonicalPath() {
		assertThat(raw("GET", "/limited/x").status()).isEqualTo(200);
		assertThat(raw("GET", "/limited/x").status()).isEqualTo(200);
		// The same path, spelt differently, is the same counter.
		assertThat(raw("GET", "/limited/%78").status()).isEqualTo(429);
		assertThat(raw("GET", "/limited/%2578").status()).isEqualTo(400);
	}

}
