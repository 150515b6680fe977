package io.tollgate.hardening;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.testsupport.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random requests, sent byte for byte, against routes with KeyAuth, Acl, RateLimit and ResponseCache in front of
 * a lenient upstream. Seeded, so a failure can be replayed; bounded in count and time. Invariants: the gateway
 * never answers 5xx itself (the upstream always answers 200; 501 is the firewall's answer to an unknown method),
 * never closes without an answer, the protected handler is reached only by requests that carried a valid key, and
 * the number of meters stays bounded.
 */
class EdgeFuzzTest extends HardeningTest {

	private static final long SEED = 0x70116a7eL;

	private static final int REQUESTS = 3000;

	private static final Duration BUDGET = Duration.ofSeconds(40);

	private static final String[] METHODS = { "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
			"TRACE", "CONNECT", "get", "PURGE", "X" };

	private static final String[] ROOTS = { "/open", "/secure", "/limited", "/blobs", "", "/nothing", "/SECURE",
			"/sec%75re", "/open%2fsecure", "/%73ecure" };

	private static final String[] SEGMENTS = { "", "a", "secure", "open", "..", ".", "%2e%2e", "%2E", ".%2e", "%2f",
			"%2F", "%5c", ";x", "..;", "%00", "%25", "%252e", "%c0%ae", "%e9", "%C3%A9", "~", "%7e", "x%20y", "%0a",
			"%3b", "%3B", "a.b", "...", "%u002e", "*", ":", "@", "!", "$", "'", "(", ")", "+", ",", "=" };

	private static final String[] QUERIES = { "", "", "?a=1", "?apikey=wrong", "?apikey=" + KEY, "?a[]=1", "?%00",
			"?x=%2e%2e/secure", "?apikey=" + KEY + "&apikey=wrong", "?q=%zz" };

	private static final String[] HEADERS = { "apikey: " + KEY, "apikey: wrong", "apikey: ", "APIKEY: " + KEY,
			"X_Consumer_Username: bob", "X-Consumer-Username: bob", "X-Anonymous-Consumer: false",
			"Cache-Control: no-cache", "Cache-Control: max-age=0", "X-Forwarded-For: 198.51.100.7",
			"X-Real-IP: 198.51.100.7", "Authorization: Bearer x", "Content-Length: 0", "Forwarded: for=1.2.3.4",
			"X-Forwarded-Proto: https", "Accept: */*", "X-HTTP-Method-Override: DELETE", "Range: bytes=0-1" };

	@Autowired
	MeterRegistry meters;

	@Test
	void randomRequestsNeverReachTheProtectedHandlerWithoutAKeyNorBreakTheGateway() {
		Random random = new Random(SEED);
		int metersBefore = this.meters.getMeters().size();
		long deadline = System.nanoTime() + BUDGET.toNanos();
		int sent = 0;
		for (; sent < REQUESTS && System.nanoTime() < deadline; sent++) {
			String method = pick(random, METHODS);
			String target = path(random) + pick(random, QUERIES);
			List<String> headers = headers(random);
			boolean keyed = target.contains("apikey=" + KEY) || headers.stream().anyMatch((h) -> h.equalsIgnoreCase("apikey: " + KEY));
			int protectedBefore = normalising.protectedHits().size();

			RawHttp.Response response = raw(method, target, headers.toArray(String[]::new));

			String request = "seed " + SEED + " request " + sent + ": " + method + " " + target + " " + headers;
			assertThat(response.status()).as(request).isNotZero();
			assertThat(response.status() < 500 || response.status() == 501).as(request + " -> " + response.status())
				.isTrue();
			if (!keyed) {
				assertThat(normalising.protectedHits().size()).as(request + " reached the protected handler")
					.isEqualTo(protectedBefore);
			}
		}
		assertThat(sent).isGreaterThan(500);
		assertThat(this.meters.getMeters().size() - metersBefore).isLessThan(60);
	}

	private static String path(Random random) {
		StringBuilder path = new StringBuilder(pick(random, ROOTS));
		int segments = random.nextInt(5);
		for (int i = 0; i < segments; i++) {
			path.append('/').append(pick(random, SEGMENTS));
			if (random.nextInt(4) == 0) {
				path.append(pick(random, SEGMENTS));
			}
		}
		if (path.isEmpty() || random.nextInt(10) == 0) {
			path.append('/');
		}
		return path.toString();
	}

	private static List<String> headers(Random random) {
		List<String> headers = new ArrayList<>();
		int count = random.nextInt(4);
		for (int i = 0; i < count; i++) {
			headers.add(pick(random, HEADERS));
		}
		if (random.nextInt(3) == 0) {
			headers.add("X-Tenant: t" + random.nextInt(1_000_000));
		}
		if (random.nextInt(5) == 0) {
			headers.add("X-Random-" + random.nextInt(1_000_000) + ": " + Long.toHexString(random.nextLong()));
		}
		return headers;
	}

	private static String pick(Random random, String[] values) {
		return values[random.nextInt(values.length)];
	}

}
