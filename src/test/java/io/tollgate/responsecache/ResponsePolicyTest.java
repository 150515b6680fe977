package io.tollgate.responsecache;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which upstream responses a route stores and for how long, as a shared cache (RFC 9111): status, content type,
 * {@code Set-Cookie}, {@code Cache-Control}, credentials (section 3.5) and {@code Vary}.
 */
class ResponsePolicyTest {

	private static final long TTL_MS = 30_000;

	private final ResponsePolicy honouring = policy(true, Set.of());

	private final ResponsePolicy forcingTtl = policy(false, Set.of());

	@Test
	void listedStatusAndContentTypeAreStoredForTheRouteTtlWhenCacheControlIsSilent() {
		ResponsePolicy.Verdict verdict = this.honouring.verdict(200, json(), new HttpHeaders());

		assertThat(verdict).isNotNull();
		assertThat(verdict.freshMs()).isEqualTo(TTL_MS);
		assertThat(verdict.vary()).isEmpty();
		assertThat(verdict.mayServeStale()).isTrue();
	}

	@Test
	void contentTypeWithParametersMatchesTheListedType() {
		assertThat(this.honouring.verdict(200, response("application/json;charset=UTF-8"), new HttpHeaders()))
			.isNotNull();
		assertThat(policy(true, Set.of(), MediaType.parseMediaType("text/*"))
			.verdict(200, response("text/html; charset=utf-8"), new HttpHeaders())).isNotNull();
	}

	@Test
	void unlistedStatusOrContentTypeIsNotStored() {
		assertThat(this.honouring.verdict(404, json(), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(500, json(), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(200, response("text/html"), new HttpHeaders())).isNull();
	}

	@Test
	void missingOrMalformedContentTypeIsNotStored() {
		assertThat(this.honouring.verdict(200, new HttpHeaders(), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(200, response("not a media type"), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(200, response(""), new HttpHeaders())).isNull();
	}

	@Test
	void responseThatSetsACookieIsNeverStored() {
		HttpHeaders response = json();
		response.add(HttpHeaders.SET_COOKIE, "session=abc");
		response.add(HttpHeaders.CACHE_CONTROL, "public, max-age=600");

		assertThat(this.honouring.verdict(200, response, new HttpHeaders())).isNull();
		assertThat(this.forcingTtl.verdict(200, response, new HttpHeaders())).isNull();
	}

	@Test
	void noStorePrivateAndNoCacheAreNotStoredWhenTheRouteHonoursCacheControl() {
		for (String directive : List.of("no-store", "private", "no-cache", "max-age=60, no-store",
				"no-cache=\"Set-Cookie\"")) {
			assertThat(this.honouring.verdict(200, json(directive), new HttpHeaders())).as(directive).isNull();
		}
	}

	@Test
	void routeThatDoesNotHonourCacheControlStoresForItsTtlAnyway() {
		ResponsePolicy.Verdict verdict = this.forcingTtl.verdict(200, json("no-store, max-age=5"), new HttpHeaders());

		assertThat(verdict).isNotNull();
		assertThat(verdict.freshMs()).isEqualTo(TTL_MS);
	}

	@Test
	void sMaxAgeThenMaxAgeReplaceTheRouteTtl() {
		assertThat(this.honouring.verdict(200, json("max-age=600, s-maxage=5"), new HttpHeaders()).freshMs())
			.isEqualTo(5_000);
		assertThat(this.honouring.verdict(200, json("max-age=600"), new HttpHeaders()).freshMs()).isEqualTo(600_000);
	}

	@Test
	void zeroFreshnessIsNotStored() {
		assertThat(this.honouring.verdict(200, json("max-age=0"), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(200, json("s-maxage=0, max-age=600"), new HttpHeaders())).isNull();
		assertThat(this.honouring.verdict(200, json("max-age=never"), new HttpHeaders())).isNull();
	}

	@Test
	void responseToARequestWithAuthorizationOrCookieIsStoredOnlyWhenTheUpstreamSaysItMayBeShared() {
		// RFC 9111 section 3.5, and a cookie is treated as a credential alike.
		for (HttpHeaders request : List.of(request(HttpHeaders.AUTHORIZATION, "Bearer token-1"),
				request(HttpHeaders.COOKIE, "session=abc"))) {
			assertThat(this.honouring.verdict(200, json(), request)).isNull();
			assertThat(this.honouring.verdict(200, json("max-age=600"), request)).isNull();
			assertThat(this.honouring.verdict(200, json("public"), request)).isNotNull();
			assertThat(this.honouring.verdict(200, json("s-maxage=60"), request).freshMs()).isEqualTo(60_000);
			assertThat(this.honouring.verdict(200, json("must-revalidate"), request)).isNotNull();
		}
	}

	@Test
	void forcingATtlNeverMakesAnAuthorizedResponseShareable() {
		HttpHeaders request = request(HttpHeaders.AUTHORIZATION, "Bearer token-1");

		assertThat(this.forcingTtl.verdict(200, json(), request)).isNull();
		assertThat(this.forcingTtl.verdict(200, json("max-age=600"), request)).isNull();
		assertThat(this.forcingTtl.verdict(200, json("public"), request)).isNotNull();
	}

	@Test
	void authorizedResponseMarkedPrivateOrNoStoreIsNeverStoredEvenWhenItAlsoOptsIn() {
		HttpHeaders request = request(HttpHeaders.AUTHORIZATION, "Bearer token-1");

		assertThat(this.forcingTtl.verdict(200, json("private, must-revalidate"), request)).isNull();
		assertThat(this.forcingTtl.verdict(200, json("no-store, public"), request)).isNull();
		assertThat(this.honouring.verdict(200, json("private, s-maxage=60"), request)).isNull();
	}

	@Test
	void mustRevalidateResponseIsNeverServedStale() {
		// RFC 9111 section 5.2.2.2: not even when the upstream fails (stale-if-error).
		assertThat(this.honouring.verdict(200, json("max-age=60, must-revalidate"), new HttpHeaders()).mayServeStale())
			.isFalse();
		assertThat(this.honouring.verdict(200, json("max-age=60"), new HttpHeaders()).mayServeStale()).isTrue();
	}

	@Test
	void varyStarIsNeverStored() {
		assertThat(this.honouring.verdict(200, varying("Accept-Language, *"), new HttpHeaders())).isNull();
		assertThat(this.forcingTtl.verdict(200, varying("*"), new HttpHeaders())).isNull();
	}

	@Test
	void varyNamesFromEveryValueAreRecordedInLowerCaseWithTheRequestsValues() {
		HttpHeaders response = varying("Accept-Encoding, Accept-Language");
		response.add(HttpHeaders.VARY, "X-Tenant");
		HttpHeaders request = request("Accept-Encoding", "gzip");
		request.add("X-Tenant", "blue");

		Map<String, String> vary = this.honouring.verdict(200, response, request).vary();

		assertThat(vary).containsOnlyKeys("accept-encoding", "accept-language", "x-tenant");
		// An absent header is recorded as absent, and differs from any value.
		assertThat(vary.get("accept-language")).isEmpty();
		assertThat(vary.get("accept-encoding")).isNotEmpty().isNotEqualTo(vary.get("x-tenant"));
	}

	@Test
	void aCodedBodyIsStoredOnlyUnderAKeyThatAcceptsItsCoding() {
		// request Accept-Encoding, response Content-Encoding, stored?
		Object[][] cases = {
				{ "gzip", "gzip", true },
				{ "gzip, br", "br", true },
				{ "*", "br", true },
				{ "gzip", "identity", true },
				{ null, "gzip", false }, // keyed as accepting nothing: never a gzip body
				{ "snappy", "snappy", false }, // an unregistered coding is not in the key
				{ "gzip;q=0", "gzip", false }, };
		for (Object[] row : cases) {
			HttpHeaders response = json();
			response.set(HttpHeaders.CONTENT_ENCODING, (String) row[1]);
			HttpHeaders request = (row[0] != null) ? request("Accept-Encoding", (String) row[0]) : new HttpHeaders();
			assertThat(this.honouring.verdict(200, response, request) != null).as(java.util.Arrays.toString(row))
				.isEqualTo(row[2]);
		}
	}

	@Test
	void varyOnAHeaderAlreadyInTheKeyIsNotRecordedAgain() {
		ResponsePolicy keyedOnTenant = policy(true, Set.of("x-tenant"));

		Map<String, String> vary = keyedOnTenant.verdict(200, varying("X-Tenant, Accept-Encoding"),
				request("X-Tenant", "blue")).vary();

		assertThat(vary).containsOnlyKeys("accept-encoding");
	}

	@Test
	void storedVaryValuesNeverHoldTheRequestsCookieOrToken() {
		HttpHeaders request = request(HttpHeaders.COOKIE, "session=very-secret");
		request.add(HttpHeaders.AUTHORIZATION, "Bearer also-secret");

		Map<String, String> vary = this.honouring.verdict(200, varying("Cookie, Authorization", "public"), request)
			.vary();

		assertThat(vary).containsOnlyKeys("cookie", "authorization");
		assertThat(vary.values()).allSatisfy((value) -> assertThat(value).doesNotContain("secret"));
	}

	@Test
	void storedEntryMatchesOnlyRequestsWithTheSameVaryValues() {
		HttpHeaders gzip = request("Accept-Encoding", "gzip");
		CachedResponse entry = entry(this.honouring.verdict(200, varying("Accept-Encoding"), gzip));

		assertThat(ResponsePolicy.varyMatches(entry, request("accept-encoding", "gzip"))).isTrue();
		assertThat(ResponsePolicy.varyMatches(entry, request("Accept-Encoding", "br"))).isFalse();
		assertThat(ResponsePolicy.varyMatches(entry, new HttpHeaders())).isFalse();
		HttpHeaders twoValues = request("Accept-Encoding", "gzip");
		twoValues.add("Accept-Encoding", "br");
		assertThat(ResponsePolicy.varyMatches(entry, twoValues)).isFalse();
	}

	@Test
	void entryStoredWithoutTheVaryHeaderMatchesOnlyRequestsWithoutIt() {
		CachedResponse entry = entry(this.honouring.verdict(200, varying("Accept-Language"), new HttpHeaders()));

		assertThat(ResponsePolicy.varyMatches(entry, new HttpHeaders())).isTrue();
		assertThat(ResponsePolicy.varyMatches(entry, request("Accept-Language", "de"))).isFalse();
	}

	@Test
	void credentialsOfDifferentRequestsDifferAndAnAuthorizationCannotPassForACookie() {
		String token = ResponsePolicy.credentials(request(HttpHeaders.AUTHORIZATION, "abc"));
		String cookie = ResponsePolicy.credentials(request(HttpHeaders.COOKIE, "abc"));

		assertThat(token).isNotEqualTo(cookie);
		assertThat(ResponsePolicy.credentials(request(HttpHeaders.AUTHORIZATION, "abd"))).isNotEqualTo(token);
		assertThat(ResponsePolicy.carriesCredentials(new HttpHeaders())).isFalse();
	}

	@Test
	void aTargetedFieldDecidesInsteadOfCacheControlTheGatewaysOwnFirst() {
		// RFC 9213: Tollgate-Cache-Control, else CDN-Cache-Control, else Cache-Control; the first present wins.
		Object[][] cases = {
				{ "no-store", null, "max-age=60", 60_000L }, // browsers: no-store; gateway: 60 s
				{ "max-age=60", "no-store", null, null }, // CDNs (and the gateway) told not to store
				{ "no-store", "max-age=60", "max-age=5", 5_000L }, // the gateway's own over CDN-Cache-Control
				{ "max-age=60", null, "private", null },
				{ "max-age=60", null, null, 60_000L },
				{ "private, no-store", "", null, null }, // an empty targeted field decides nothing
				{ "private, no-store", null, " ", null }, };
		for (Object[] row : cases) {
			HttpHeaders response = json();
			response.set(HttpHeaders.CACHE_CONTROL, (String) row[0]);
			if (row[1] != null) {
				response.set("CDN-Cache-Control", (String) row[1]);
			}
			if (row[2] != null) {
				response.set("Tollgate-Cache-Control", (String) row[2]);
			}
			ResponsePolicy.Verdict verdict = this.honouring.verdict(200, response, new HttpHeaders());
			assertThat((verdict != null) ? verdict.freshMs() : null).as(java.util.Arrays.toString(row)).isEqualTo(row[3]);
		}
	}

	@Test
	void aTargetedFieldReplacesExpiresToo() {
		HttpHeaders response = json();
		response.set(HttpHeaders.DATE, "Sun, 22 Nov 2026 10:00:00 GMT");
		response.set(HttpHeaders.EXPIRES, "Sun, 22 Nov 2026 10:00:30 GMT");
		response.set("Tollgate-Cache-Control", "public");
		long arrived = java.time.Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
		// No max-age in the field that decides, and Expires ignored: the route's ttl.
		assertThat(this.honouring.verdict(200, response, new HttpHeaders(), arrived).freshMs()).isEqualTo(TTL_MS);
	}

	private static ResponsePolicy policy(boolean honourCacheControl, Set<String> keyedHeaders, MediaType... types) {
		List<MediaType> contentTypes = (types.length == 0) ? List.of(MediaType.APPLICATION_JSON) : List.of(types);
		return new ResponsePolicy(Set.of(200, 301), contentTypes, honourCacheControl, TTL_MS, 1_000_000, keyedHeaders,
				new InFlight(), "Tollgate-Cache-Control");
	}

	private static CachedResponse entry(ResponsePolicy.Verdict verdict) {
		return new CachedResponse(200, List.of(), new byte[0], 0, verdict.freshMs(), verdict.freshMs(), verdict.vary());
	}

	private static HttpHeaders json(String... cacheControl) {
		HttpHeaders headers = response(MediaType.APPLICATION_JSON_VALUE);
		for (String value : cacheControl) {
			headers.add(HttpHeaders.CACHE_CONTROL, value);
		}
		return headers;
	}

	private static HttpHeaders varying(String vary, String... cacheControl) {
		HttpHeaders headers = json(cacheControl);
		headers.add(HttpHeaders.VARY, vary);
		return headers;
	}

	private static HttpHeaders response(String contentType) {
		HttpHeaders headers = new HttpHeaders();
		headers.add(HttpHeaders.CONTENT_TYPE, contentType);
		return headers;
	}

	private static HttpHeaders request(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.add(name, value);
		return headers;
	}

}
