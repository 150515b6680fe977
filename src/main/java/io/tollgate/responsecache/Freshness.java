package io.tollgate.responsecache;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.springframework.http.HttpHeaders;

/** RFC 9111 section 4.2: how long a response is fresh, and how old it is on arrival. */
final class Freshness {

	/** The most a heuristic grants: a day, beyond which RFC 9111 section 4.2.2 asks for a warning. */
	static final long MAX_HEURISTIC_MS = 24L * 3600 * 1000;

	private Freshness() {
	}

	/**
	 * The freshness lifetime the response states (section 4.2.1): {@code s-maxage}, else {@code max-age}, else
	 * {@code Expires} minus {@code Date} (an {@code Expires} that cannot be read means already expired); else, with
	 * the heuristic, 10 % of the time from {@code Last-Modified} to {@code Date}. Null when it states none.
	 */
	static Long lifetimeMs(CacheControl directives, HttpHeaders response, long receivedAt, boolean heuristic) {
		return lifetimeMs(directives, response, receivedAt, heuristic, false);
	}

	/** As above; a targeted field's directives replace {@code Expires} too (RFC 9213 section 2.2). */
	static Long lifetimeMs(CacheControl directives, HttpHeaders response, long receivedAt, boolean heuristic,
			boolean targeted) {
		if (directives.sharedMaxAge() >= 0) {
			return directives.sharedMaxAge() * 1000;
		}
		String expires = targeted ? null : response.getFirst(HttpHeaders.EXPIRES);
		Long date = epochMs(response.getFirst(HttpHeaders.DATE));
		long dateValue = (date != null) ? date : receivedAt;
		if (expires != null) {
			Long expiresAt = epochMs(expires);
			return (expiresAt != null) ? Math.max(0, expiresAt - dateValue) : 0L;
		}
		if (heuristic) {
			Long lastModified = epochMs(response.getFirst(HttpHeaders.LAST_MODIFIED));
			if (lastModified != null && lastModified < dateValue) {
				return Math.min(MAX_HEURISTIC_MS, (dateValue - lastModified) / 10);
			}
		}
		return null;
	}

	/**
	 * Section 4.2.3's corrected initial age: the upstream's {@code Age}, or the time from its {@code Date} to
	 * arrival, whichever is more (the request's own delay is not counted: the gateway's clock starts at arrival).
	 */
	static long initialAgeMs(HttpHeaders response, long receivedAt) {
		Long date = epochMs(response.getFirst(HttpHeaders.DATE));
		long apparent = (date != null) ? Math.max(0, receivedAt - date) : 0;
		long stated = 0;
		String age = response.getFirst(HttpHeaders.AGE);
		if (age != null) {
			try {
				// RFC 9111 section 1.2.2: a delta-seconds too large to hold counts as 2^31 seconds
				stated = Math.min(Math.max(0, Long.parseLong(age.trim())), 1L << 31) * 1000;
			}
			catch (NumberFormatException ex) {
				// Digits beyond a long: as large as can be; anything else is not a delta-seconds: ignored (section 5.1)
				stated = age.trim().chars().allMatch(Character::isDigit) && !age.isBlank() ? (1L << 31) * 1000 : 0;
			}
		}
		return Math.max(apparent, stated);
	}

	private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
		.withZone(java.time.ZoneOffset.UTC);

	/** An instant as an HTTP date (IMF-fixdate, RFC 9110 section 5.6.7). */
	static String httpDate(long epochMs) {
		return IMF_FIXDATE.format(java.time.Instant.ofEpochMilli(epochMs));
	}

	/** An HTTP date (IMF-fixdate, or RFC 850 and asctime forms as far as RFC 1123 parsing reads them); null if not. */
	static Long epochMs(String httpDate) {
		if (httpDate == null) {
			return null;
		}
		try {
			return ZonedDateTime.parse(httpDate.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
