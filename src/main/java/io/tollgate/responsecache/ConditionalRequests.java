package io.tollgate.responsecache;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * A client's conditional GET or HEAD answered from a fresh stored response (RFC 9111 section 4.3.2, RFC 9110 section
 * 13): {@code If-None-Match} compared with the entry's {@code ETag} by weak comparison, else
 * {@code If-Modified-Since} with its {@code Last-Modified} (or {@code Date}, or when it was stored). A match is a
 * 304 from the cache, with no upstream request.
 */
final class ConditionalRequests {

	private ConditionalRequests() {
	}

	/** True when the request's validators say the client already has the entry's representation. */
	static boolean notModified(HttpHeaders request, CachedResponse entry) {
		if (entry.status() != 200) {
			return false; // only a representation a 200 carried can be "not modified"
		}
		List<String> ifNoneMatch = request.get(HttpHeaders.IF_NONE_MATCH);
		if (ifNoneMatch != null) {
			// Section 13.2.2: when If-None-Match is present, If-Modified-Since is not evaluated.
			return matchesAny(ifNoneMatch, entry.header(HttpHeaders.ETAG));
		}
		String ifModifiedSince = request.getFirst(HttpHeaders.IF_MODIFIED_SINCE);
		if (ifModifiedSince == null) {
			return false;
		}
		Long since = epochSeconds(ifModifiedSince);
		if (since == null) {
			return false; // an invalid date is ignored (section 13.1.3)
		}
		String lastModified = entry.header(HttpHeaders.LAST_MODIFIED);
		String date = entry.header(HttpHeaders.DATE);
		Long modified = (lastModified != null) ? epochSeconds(lastModified) : null;
		if (modified == null) {
			modified = (date != null) ? epochSeconds(date) : null;
		}
		if (modified == null) {
			modified = entry.storedAt() / 1000;
		}
		return modified <= since;
	}

	/** Weak comparison (section 8.8.3.2): W/ prefixes ignored; {@code *} matches any stored representation. */
	private static boolean matchesAny(List<String> headerValues, String etag) {
		String stored = (etag != null) ? opaque(etag) : null;
		for (String tag : tags(headerValues)) {
			if (tag.equals("*") || (stored != null && opaque(tag).equals(stored))) {
				return true;
			}
		}
		return false;
	}

	/** The entity tags of the header values: quoted strings (which may hold commas), or {@code *}. */
	static List<String> tags(List<String> headerValues) {
		List<String> tags = new ArrayList<>();
		for (String value : headerValues) {
			int i = 0;
			while (i < value.length()) {
				char c = value.charAt(i);
				if (c == ',' || c == ' ' || c == '\t') {
					i++;
					continue;
				}
				if (c == '*') {
					tags.add("*");
					i++;
					continue;
				}
				int start = i;
				if (value.startsWith("W/", i)) {
					i += 2;
				}
				if (i < value.length() && value.charAt(i) == '"') {
					int close = value.indexOf('"', i + 1);
					if (close < 0) {
						return tags; // malformed: what was read so far
					}
					tags.add(value.substring(start, close + 1));
					i = close + 1;
				}
				else {
					int comma = value.indexOf(',', i);
					i = (comma < 0) ? value.length() : comma; // not an entity tag: skipped
				}
			}
		}
		return tags;
	}

	/** An entity tag without its weakness indicator: what weak comparison compares. */
	static String opaque(String entityTag) {
		String tag = entityTag.trim();
		return tag.startsWith("W/") ? tag.substring(2) : tag;
	}

	/** An HTTP date in whole seconds (the precision of the format), or null. */
	private static Long epochSeconds(String httpDate) {
		Long ms = Freshness.epochMs(httpDate);
		return (ms != null) ? Math.floorDiv(ms, 1000) : null;
	}

}
