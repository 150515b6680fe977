package io.tollgate.responsecache;

import java.util.Arrays;

import io.tollgate.consumer.Sha256;

/**
 * Cache keys: {@code <uri tag>:<hash>}. The URI tag is the digest of the request's host (authority, lower case),
 * path and query (parameters sorted), so that every entry of one URI (whatever its route, consumer, encodings or
 * vary values) can be found and removed when a write to that URI succeeds, and a write on one host never removes
 * another host's entries.
 */
final class CacheKeys {

	private CacheKeys() {
	}

	/** The tag of a URI, from its raw authority, raw (still percent-encoded) path and raw query (null when none). */
	static String uriTag(String rawAuthority, String rawPath, String rawQuery) {
		return sortedUriTag(rawAuthority, rawPath, sortedQuery(rawQuery));
	}

	/** As above, for a query already sorted by {@link #sortedQuery}. */
	static String sortedUriTag(String rawAuthority, String rawPath, String sortedQuery) {
		String host = (rawAuthority != null) ? rawAuthority.toLowerCase(java.util.Locale.ROOT) : "";
		return Sha256.shortHex(host + "\n" + rawPath + "?" + sortedQuery);
	}

	static String key(String uriTag, String everythingElse) {
		return uriTag + ":" + Sha256.shortHex(everythingElse);
	}

	/** The URI tag of a key. */
	static String uriTagOf(String key) {
		int colon = key.indexOf(':');
		return (colon > 0) ? key.substring(0, colon) : key;
	}

	/** The query's parameters in order: {@code ?a=1&b=2} and {@code ?b=2&a=1} name one entry. */
	static String sortedQuery(String rawQuery) {
		if (rawQuery == null) {
			return "";
		}
		String[] pairs = rawQuery.split("&");
		Arrays.sort(pairs);
		return String.join("&", pairs);
	}

}
