package io.tollgate.responsecache;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class FreshnessTest {

	private static final long ARRIVED = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

	@Test
	void lifetimeComesFromSMaxAgeThenMaxAgeThenExpiresThenTheHeuristic() {
		// Cache-Control, Expires, Last-Modified, heuristic on -> lifetime (ms), or null when none is stated
		Object[][] cases = {
				{ "s-maxage=30, max-age=60", "Sun, 22 Nov 2026 11:00:00 GMT", null, false, 30_000L },
				{ "max-age=60", "Sun, 22 Nov 2026 11:00:00 GMT", null, false, 60_000L },
				{ null, "Sun, 22 Nov 2026 10:00:30 GMT", null, false, 30_000L },
				{ null, "Sun, 22 Nov 2026 09:00:00 GMT", null, false, 0L }, // in the past
				{ null, "0", null, false, 0L }, // unreadable: already expired
				{ null, null, "Sun, 22 Nov 2026 09:43:20 GMT", true, 100_000L },
				{ null, null, "Sun, 01 Jan 2006 00:00:00 GMT", true, Freshness.MAX_HEURISTIC_MS }, // capped at a day
				{ null, null, "Sun, 22 Nov 2026 09:43:20 GMT", false, null },
				{ null, null, null, true, null }, };
		for (Object[] row : cases) {
			HttpHeaders response = new HttpHeaders();
			response.set(HttpHeaders.DATE, "Sun, 22 Nov 2026 10:00:00 GMT");
			if (row[0] != null) {
				response.set(HttpHeaders.CACHE_CONTROL, (String) row[0]);
			}
			if (row[1] != null) {
				response.set(HttpHeaders.EXPIRES, (String) row[1]);
			}
			if (row[2] != null) {
				response.set(HttpHeaders.LAST_MODIFIED, (String) row[2]);
			}
			CacheControl directives = CacheControl.parse(response.get(HttpHeaders.CACHE_CONTROL));
			assertThat(Freshness.lifetimeMs(directives, response, ARRIVED, (boolean) row[3]))
				.as(java.util.Arrays.toString(row)).isEqualTo(row[4]);
		}
	}

	@Test
	void initialAgeIsTheLargerOfAgeAndTheTimeSinceDate() {
		assertThat(Freshness.initialAgeMs(headers("Sun, 22 Nov 2026 09:59:50 GMT", "5"), ARRIVED)).isEqualTo(10_000);
		assertThat(Freshness.initialAgeMs(headers("Sun, 22 Nov 2026 09:59:50 GMT", "30"), ARRIVED)).isEqualTo(30_000);
		// A Date in the future (clock skew) is no negative age; an Age that is not delta-seconds is ignored.
		assertThat(Freshness.initialAgeMs(headers("Sun, 22 Nov 2026 10:05:00 GMT", "soon"), ARRIVED)).isZero();
		assertThat(Freshness.initialAgeMs(new HttpHeaders(), ARRIVED)).isZero();
		// Too large to hold: 2^31 seconds (RFC 9111 section 1.2.2), never a negative overflow.
		assertThat(Freshness.initialAgeMs(headers("Sun, 22 Nov 2026 10:00:00 GMT", "9223372036854776"), ARRIVED))
			.isEqualTo((1L << 31) * 1000);
		assertThat(Freshness.initialAgeMs(headers("Sun, 22 Nov 2026 10:00:00 GMT", "99999999999999999999999"),
				ARRIVED)).isEqualTo((1L << 31) * 1000);
	}

	private static HttpHeaders headers(String date, String age) {
		HttpHeaders headers = new HttpHeaders();
		headers.put(HttpHeaders.DATE, List.of(date));
		headers.put(HttpHeaders.AGE, List.of(age));
		return headers;
	}

}
