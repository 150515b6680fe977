package io.tollgate.responsecache;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code Cache-Control} is read (RFC 9111 section 5.2) and what a shared cache concludes from it. */
class CacheControlTest {

	@Test
	void noHeaderMeansNoDirectives() {
		assertThat(CacheControl.parse(null)).isEqualTo(CacheControl.NONE);
		assertThat(CacheControl.parse(List.of())).isEqualTo(CacheControl.NONE);
		assertThat(CacheControl.NONE.sharedMaxAge()).isEqualTo(-1);
	}

	@Test
	void directivesAreReadFromEveryCommaSeparatedPartOfEveryHeaderValue() {
		// SCG's LocalResponseCache compares whole values, so "no-cache, no-store" slipped through it.
		CacheControl directives = CacheControl.parse(List.of("public, max-age=60", "no-cache,no-store", "private"));

		assertThat(directives.isPublic()).isTrue();
		assertThat(directives.maxAge()).isEqualTo(60);
		assertThat(directives.noCache()).isTrue();
		assertThat(directives.noStore()).isTrue();
		assertThat(directives.isPrivate()).isTrue();
		assertThat(directives.mustRevalidate()).isFalse();
		assertThat(directives.sMaxAge()).isEqualTo(-1);
	}

	@Test
	void directiveNamesAreCaseInsensitiveAndSurroundingSpaceIsIgnored() {
		CacheControl directives = CacheControl.parse(List.of("  No-Store ,MUST-REVALIDATE,  S-MaxAge=15 "));

		assertThat(directives.noStore()).isTrue();
		assertThat(directives.mustRevalidate()).isTrue();
		assertThat(directives.sMaxAge()).isEqualTo(15);
	}

	@Test
	void quotedSecondsAreAccepted() {
		// RFC 9111 section 5.2: senders use the token form, recipients accept the quoted-string form too.
		CacheControl directives = CacheControl.parse(List.of("max-age=\"30\", s-maxage=\"10\""));

		assertThat(directives.maxAge()).isEqualTo(30);
		assertThat(directives.sMaxAge()).isEqualTo(10);
	}

	@Test
	void qualifiedNoCacheAndPrivateWithAQuotedFieldListAreTakenAsTheUnqualifiedDirective() {
		// The field list is quoted and holds a comma; the directives after it are still read.
		CacheControl directives = CacheControl.parse(List.of("no-cache=\"Set-Cookie, X-Token\", max-age=60",
				"private=\"X-Internal\""));

		assertThat(directives.noCache()).isTrue();
		assertThat(directives.isPrivate()).isTrue();
		assertThat(directives.maxAge()).isEqualTo(60);
	}

	@Test
	void duplicateAgesKeepTheLowestWhicheverComesFirst() {
		// RFC 9111 section 4.2.1: with conflicting directives, the most restrictive wins.
		assertThat(CacheControl.parse(List.of("max-age=60, max-age=10")).maxAge()).isEqualTo(10);
		assertThat(CacheControl.parse(List.of("max-age=10", "max-age=60")).maxAge()).isEqualTo(10);
		assertThat(CacheControl.parse(List.of("s-maxage=5, s-maxage=50")).sMaxAge()).isEqualTo(5);
	}

	@Test
	void invalidOrNegativeAgeIsTreatedAsStale() {
		assertThat(CacheControl.parse(List.of("max-age=soon")).maxAge()).isZero();
		assertThat(CacheControl.parse(List.of("max-age=-5")).maxAge()).isZero();
		assertThat(CacheControl.parse(List.of("max-age=60, max-age=x")).maxAge()).isZero();
		assertThat(CacheControl.parse(List.of("s-maxage=1.5")).sMaxAge()).isZero();
	}

	@Test
	void ageDirectiveWithoutAValueIsIgnored() {
		assertThat(CacheControl.parse(List.of("max-age")).maxAge()).isEqualTo(-1);
		assertThat(CacheControl.parse(List.of("max-age, max-age=20")).maxAge()).isEqualTo(20);
	}

	@Test
	void unknownDirectivesAndEmptyPartsAreIgnored() {
		CacheControl directives = CacheControl.parse(List.of("immutable, no-transform,, community=\"UCI\"", ""));

		assertThat(directives).isEqualTo(CacheControl.NONE);
	}

	@Test
	void rfc5861StaleDirectivesAndProxyRevalidateAreRead() {
		CacheControl directives = CacheControl.parse(List.of("max-age=60, stale-while-revalidate=30",
				"stale-if-error=600"));
		assertThat(directives.staleWhileRevalidate()).isEqualTo(30);
		assertThat(directives.staleIfError()).isEqualTo(600);
		assertThat(directives.mayServeStale()).isTrue();
		assertThat(CacheControl.parse(List.of("proxy-revalidate")).mayServeStale()).isFalse();
		assertThat(CacheControl.parse(List.of("must-revalidate")).mayServeStale()).isFalse();
		assertThat(CacheControl.parse(List.of("stale-while-revalidate=soon")).staleWhileRevalidate()).isZero();
	}

	@Test
	void sharedMaxAgePrefersSMaxAgeOverMaxAge() {
		assertThat(CacheControl.parse(List.of("max-age=600, s-maxage=60")).sharedMaxAge()).isEqualTo(60);
		assertThat(CacheControl.parse(List.of("s-maxage=0, max-age=600")).sharedMaxAge()).isZero();
		assertThat(CacheControl.parse(List.of("max-age=600")).sharedMaxAge()).isEqualTo(600);
		assertThat(CacheControl.parse(List.of("public")).sharedMaxAge()).isEqualTo(-1);
	}

	@Test
	void onlyPublicSMaxAgeOrMustRevalidateLetASharedCacheStoreAnAuthorizedResponse() {
		// RFC 9111 section 3.5.
		assertThat(CacheControl.parse(List.of("public")).allowsSharingAnAuthorizedResponse()).isTrue();
		assertThat(CacheControl.parse(List.of("s-maxage=0")).allowsSharingAnAuthorizedResponse()).isTrue();
		assertThat(CacheControl.parse(List.of("must-revalidate")).allowsSharingAnAuthorizedResponse()).isTrue();

		assertThat(CacheControl.parse(List.of("max-age=600")).allowsSharingAnAuthorizedResponse()).isFalse();
		assertThat(CacheControl.parse(List.of("proxy-revalidate, immutable")).allowsSharingAnAuthorizedResponse())
			.isFalse();
		assertThat(CacheControl.NONE.allowsSharingAnAuthorizedResponse()).isFalse();
	}

	@Test
	void ageTooLargeToHoldIsTwoToTheThirtyFirstSecondsNotStale() {
		// RFC 9111 section 1.2.2.
		assertThat(CacheControl.parse(List.of("max-age=99999999999999999999999")).maxAge()).isEqualTo(2_147_483_648L);
		assertThat(CacheControl.parse(List.of("s-maxage=9223372036854775807")).sMaxAge()).isEqualTo(2_147_483_648L);
	}

	@Test
	void commaInsideAQuotedArgumentSeparatesNothing() {
		CacheControl directives = CacheControl.parse(List.of("ext=\"x,public, max-age=9\", max-age=60"));

		assertThat(directives.isPublic()).isFalse();
		assertThat(directives.maxAge()).isEqualTo(60);
		assertThat(CacheControl.parse(List.of("ext=\"a\\\",public\", private")).isPublic()).isFalse();
		assertThat(CacheControl.parse(List.of("ext=\"a\\\",public\", private")).isPrivate()).isTrue();
	}

}
