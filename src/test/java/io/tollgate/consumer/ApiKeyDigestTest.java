package io.tollgate.consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The SHA-256 digest the registry keeps instead of an API key, and the hex form operators configure. */
class ApiKeyDigestTest {

	private static final String TEST_SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

	@Test
	void keyAndTheHexOfItsSha256AreTheSameDigest() {
		assertThat(ApiKeyDigest.ofKey("test")).isEqualTo(ApiKeyDigest.ofHex(TEST_SHA256))
			.hasSameHashCodeAs(ApiKeyDigest.ofHex(TEST_SHA256));
	}

	@Test
	void hexIsAcceptedInEitherCase() {
		assertThat(ApiKeyDigest.ofHex(TEST_SHA256.toUpperCase())).isEqualTo(ApiKeyDigest.ofKey("test"));
	}

	@Test
	void keyIsDigestedAsUtf8() {
		assertThat(ApiKeyDigest.ofKey("clé"))
			.isEqualTo(ApiKeyDigest.ofHex("51cbcf30514d0802eb5c60a018f384ea3fb9b69307c554ee63ecb43177594de4"))
			// The ISO-8859-1 bytes of the same text are another key.
			.isNotEqualTo(ApiKeyDigest.ofHex("82cd50279b81b1412f2557d1bc25da21ee055d1013825b7288d76ec9e58c1f55"));
	}

	@Test
	void differentKeysAreDifferentDigests() {
		assertThat(ApiKeyDigest.ofKey("test")).isNotEqualTo(ApiKeyDigest.ofKey("Test"))
			.isNotEqualTo(ApiKeyDigest.ofKey("test "))
			.isNotEqualTo(ApiKeyDigest.ofKey(""));
	}

	@Test
	void equalityComparesTheWholeDigestNotJustTheBytesTheHashCodeReads() {
		// Same first four bytes (same hash code), different last byte.
		ApiKeyDigest other = ApiKeyDigest.ofHex(TEST_SHA256.substring(0, 62) + "09");

		assertThat(other).hasSameHashCodeAs(ApiKeyDigest.ofKey("test")).isNotEqualTo(ApiKeyDigest.ofKey("test"));
	}

	@Test
	void digestIsNeverEqualToSomethingElse() {
		ApiKeyDigest digest = ApiKeyDigest.ofKey("test");

		assertThat(digest.equals(null)).isFalse();
		assertThat(digest.equals(TEST_SHA256)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "9f86d081", TEST_SHA256 + "0", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0" })
	void hexOfAnotherLengthIsRefused(String hex) {
		assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyDigest.ofHex(hex));
	}

	@ParameterizedTest
	@ValueSource(strings = { "zf86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0 ",
			"0x86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0é" })
	void hexWithAnythingButHexadecimalDigitsIsRefused(String hex) {
		assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyDigest.ofHex(hex));
	}

	@Test
	void toStringShowsNothingOfTheDigest() {
		assertThat(ApiKeyDigest.ofKey("test").toString()).doesNotContain("9f86").doesNotContain("test");
	}

}
