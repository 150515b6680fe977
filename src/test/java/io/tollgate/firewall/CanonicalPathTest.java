package io.tollgate.firewall;

import java.util.function.Predicate;

import io.tollgate.firewall.CanonicalPath.Rejected;
import io.tollgate.firewall.CanonicalPath.Rules;
import io.tollgate.firewall.CanonicalPath.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The one canonical form of a request path, or why there is none: tables of raw paths (as sent, still
 * percent-encoded) and what each becomes. The attack tests through the gateway are in
 * {@code hardening.PathFirewallTest}; these pin the rules themselves.
 */
class CanonicalPathTest {

	private static final Rules STRICT = Rules.STRICT;

	/** Encoded slashes allowed under /blobs/ only, as {@code tollgate.firewall.encoded-slash-paths: [/blobs/**]}. */
	private static final Rules BLOBS = new Rules(false, false, (path) -> path.startsWith("/blobs/"));

	private static final Rules SEMICOLONS = new Rules(true, false, (path) -> false);

	private static final Rules ENCODED_PERCENT = new Rules(false, true, (path) -> false);

	@ParameterizedTest
	@ValueSource(strings = { "/", "/a", "/a/b/c", "/a/", "/orders/42/items", "/a-b_c~d.e", "/.well-known/x", "/a/...",
			"/a/..b", "/a/b..", "/.a", "/a:b@c!$&'()*+,=" })
	void pathWithoutEncodingsThatIsCanonicalAlreadyIsReturnedAsTheSameInstance(String raw) {
		assertThat(CanonicalPath.of(raw, STRICT)).isSameAs(raw);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = {
			// Unreserved characters (RFC 3986 section 2.3) are decoded.
			"/%61%62%63|/abc", "/%41/%5A|/A/Z", "/%30%39|/09", "/a%2Db%2Ec%5Fd%7Ee|/a-b.c_d~e",
			// Other encodings stay encoded, in upper-case hex.
			"/a%3ab|/a%3Ab", "/%3A|/%3A", "/%c3%a9|/%C3%A9", "/%C3%A9t%C3%A9|/%C3%A9t%C3%A9", "/x%20y|/x%20y",
			"/%e2%82%ac|/%E2%82%AC", "/%f0%9f%98%80|/%F0%9F%98%80", "/a%3fb%23c|/a%3Fb%23c" })
	void encodingsAreDecodedOnlyForUnreservedCharactersAndOtherwiseUpperCased(String raw, String canonical) {
		assertThat(CanonicalPath.of(raw, STRICT)).isEqualTo(canonical);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = {
			"''|NOT_ABSOLUTE", "a/b|NOT_ABSOLUTE", "%2Fa|NOT_ABSOLUTE", "*|NOT_ABSOLUTE",
			"/a b|CONTROL_CHARACTER", "/a\tb|CONTROL_CHARACTER", "/a%00|CONTROL_CHARACTER", "/a%0d%0a|CONTROL_CHARACTER",
			"/a%7F|CONTROL_CHARACTER", "/a%1f|CONTROL_CHARACTER",
			"/é|NON_ASCII", "/a\u00a0b|NON_ASCII",
			"/%|MALFORMED_ENCODING", "/a%2|MALFORMED_ENCODING", "/%zz|MALFORMED_ENCODING", "/%4g|MALFORMED_ENCODING",
			"/%%32e|MALFORMED_ENCODING", "/%-1|MALFORMED_ENCODING",
			"/%80|INVALID_UTF8", "/%C0%AE|INVALID_UTF8", "/%c1%9c|INVALID_UTF8", "/%E0%80%AE|INVALID_UTF8",
			"/%ED%A0%80|INVALID_UTF8", "/%F0%80%80%AF|INVALID_UTF8", "/%F4%90%80%80|INVALID_UTF8",
			"/%F5%80%80%80|INVALID_UTF8", "/%C3|INVALID_UTF8", "/%C3a|INVALID_UTF8", "/%E2%82|INVALID_UTF8",
			"/%C3%41|INVALID_UTF8", "/%FF|INVALID_UTF8",
			"/.|DOT_SEGMENT", "/..|DOT_SEGMENT", "/a/.|DOT_SEGMENT", "/a/../b|DOT_SEGMENT", "/a/./b|DOT_SEGMENT",
			"/a/..|DOT_SEGMENT", "/%2e|DOT_SEGMENT", "/a/%2E%2E/b|DOT_SEGMENT", "/a/.%2e/b|DOT_SEGMENT",
			"/a/%2e./b|DOT_SEGMENT", "/a/../|DOT_SEGMENT",
			"//|EMPTY_SEGMENT", "//a|EMPTY_SEGMENT", "/a//b|EMPTY_SEGMENT", "/a//|EMPTY_SEGMENT",
			"/a\\b|BACKSLASH", "/a%5cb|BACKSLASH", "/a%5C..%5Cb|BACKSLASH",
			"/a;b|SEMICOLON", "/a/..;/b|SEMICOLON", "/a%3Bb|SEMICOLON", "/a%3bjsessionid=1|SEMICOLON",
			"/a%2Fb|ENCODED_SLASH", "/a%2fb|ENCODED_SLASH", "/..%2F..%2Fsecure|ENCODED_SLASH",
			"/a%25|ENCODED_PERCENT", "/a/%252e%252e/b|ENCODED_PERCENT" })
	void pathWithoutACanonicalFormIsRefusedWithItsReason(String raw, Violation violation) {
		assertThat(rejection(raw, STRICT)).as(raw).isEqualTo(violation);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = { "/blobs/a%2Fb|/blobs/a%2Fb", "/blobs/a%2fb|/blobs/a%2Fb",
			"/blobs/a%2Fb%2Fc/d|/blobs/a%2Fb%2Fc/d", "/blobs/a%2F|/blobs/a%2F", "/blobs/%2E%2E%2E%2Fx|/blobs/...%2Fx",
			"/blobs/a%2F..b|/blobs/a%2F..b" })
	void encodedSlashIsKeptUnderAPathThatAllowsIt(String raw, String canonical) {
		assertThat(CanonicalPath.of(raw, BLOBS)).isEqualTo(canonical);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = {
			// An allowed encoded slash bounds segments: an upstream that decodes %2F before resolving dot segments
			// would otherwise read these as paths outside /blobs/.
			"/blobs/..%2F..%2Fsecure|DOT_SEGMENT", "/blobs/x%2F..%2F..%2Fsecure|DOT_SEGMENT",
			"/blobs/a%2F.%2Fb|DOT_SEGMENT", "/blobs/a%2F..|DOT_SEGMENT", "/blobs/..%2F|DOT_SEGMENT",
			"/blobs/%2e%2e%2fsecure|DOT_SEGMENT",
			"/blobs/a%2F%2Fb|EMPTY_SEGMENT", "/blobs/%2Fsecure|EMPTY_SEGMENT", "/blobs/a%2F/b|EMPTY_SEGMENT",
			"/blobs/a/%2Fb|EMPTY_SEGMENT",
			// Elsewhere, and for everything else, the strict rules hold.
			"/other/a%2Fb|ENCODED_SLASH", "/blob/a%2Fb|ENCODED_SLASH", "/blobs/a%5Cb|BACKSLASH",
			"/blobs/a%252Fb|ENCODED_PERCENT" })
	void dotAndEmptySegmentsAroundAnAllowedEncodedSlashAreStillRefused(String raw, Violation violation) {
		assertThat(rejection(raw, BLOBS)).as(raw).isEqualTo(violation);
	}

	@Test
	void encodedSlashRuleIsAskedAboutTheRawPath() {
		StringBuilder asked = new StringBuilder();
		Predicate<String> recording = (path) -> {
			asked.append(path);
			return true;
		};

		assertThat(CanonicalPath.of("/%62lobs/a%2fb", new Rules(false, false, recording))).isEqualTo("/blobs/a%2Fb");
		assertThat(asked.toString()).isEqualTo("/%62lobs/a%2fb");
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = { "/a;jsessionid=1|/a;jsessionid=1", "/a;x/b|/a;x/b", "/a%3Bx|/a%3Bx",
			"/a%3bx|/a%3Bx", "/...;x/b|/...;x/b" })
	void semicolonIsKeptWhenAllowed(String raw, String canonical) {
		assertThat(CanonicalPath.of(raw, SEMICOLONS)).isEqualTo(canonical);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = {
			// Tomcat strips path parameters before resolving dot segments: "..;x" is "..".
			"/a/..;/b|DOT_SEGMENT", "/a/..;x=1/b|DOT_SEGMENT", "/a/.;x/b|DOT_SEGMENT", "/a/%2e%2e;x/b|DOT_SEGMENT",
			"/a/;x/b|EMPTY_SEGMENT", "/a/;/b|EMPTY_SEGMENT" })
	void dotOrEmptySegmentBeforeAnAllowedSemicolonIsStillRefused(String raw, Violation violation) {
		assertThat(rejection(raw, SEMICOLONS)).as(raw).isEqualTo(violation);
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', value = { "/a%25|/a%25", "/100%25off|/100%25off", "/a%252e%252e|/a%252e%252e" })
	void encodedPercentIsKeptWhenAllowed(String raw, String canonical) {
		assertThat(CanonicalPath.of(raw, ENCODED_PERCENT)).isEqualTo(canonical);
	}

	@Test
	void encodedPercentDoesNotTurnTheFollowingCharactersIntoASegmentBoundary() {
		// %252F is "%2F" only after a second decoding; here it is one segment "a%252F..", not "a" and "..".
		assertThat(CanonicalPath.of("/a%252F..", new Rules(false, true, (path) -> true))).isEqualTo("/a%252F..");
	}

	@Test
	void violationHasAFixedTagAndADetailSafeToShow() {
		Rejected rejected = catchThrowableOfType(Rejected.class, () -> CanonicalPath.of("/a/../<script>", STRICT));

		assertThat(rejected.violation).isEqualTo(Violation.DOT_SEGMENT);
		assertThat(rejected.violation.tag()).isEqualTo("dot-segment");
		assertThat(rejected.getMessage()).isEqualTo("the path contains a . or .. segment");
		// Stackless: an attacker decides how often it is thrown.
		assertThat(rejected.getStackTrace()).isEmpty();
		assertThat(Violation.ENCODED_SLASH.tag()).isEqualTo("encoded-slash");
	}

	private static Violation rejection(String raw, Rules rules) {
		try {
			CanonicalPath.of(raw, rules);
			return null;
		}
		catch (Rejected ex) {
			return ex.violation;
		}
	}

	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(strings = { "/a%20b", "/caf%C3%A9", "/x/%3F" })
	void pathWhoseEscapesAreCanonicalAlreadyIsReturnedAsTheSameInstance(String raw) {
		assertThat(CanonicalPath.of(raw, STRICT)).isSameAs(raw);
	}

}
