package io.tollgate.responsecache;

import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tollgate.testsupport.EdgeTest;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End users behind one consumer must stay apart in the cache wherever their credential travels: JwtAuth also takes
 * the token from a cookie, and the first end user's response (here the upstream's echo of its request, cookie
 * included) must never be served to another end user whose token the same consumer (Kong jwt secret) signed.
 */
@TestPropertySource(properties = { "spring.cloud.gateway.server.webflux.routes[0].id=jwt-cookie-cached",
		"spring.cloud.gateway.server.webflux.routes[0].uri=${upstream.uri}",
		"spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/jc/**",
		"spring.cloud.gateway.server.webflux.routes[0].filters[0].name=JwtAuth",
		"spring.cloud.gateway.server.webflux.routes[0].filters[0].args.cookie=session",
		"spring.cloud.gateway.server.webflux.routes[0].filters[1]=ResponseCache=60s" })
class CookieTokenCacheTest extends EdgeTest {

	@Test
	void endUsersWhoseTokensComeInACookieNeverGetEachOthersCachedResponse() throws Exception {
		String alice = token("end-user-alice");
		String mallory = token("end-user-mallory");

		this.client.get().uri("/jc/me").cookie("session", alice).exchange().expectStatus().isOk();
		var second = this.client.get().uri("/jc/me").cookie("session", mallory).exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult();

		assertThat(second.getResponseHeaders().getFirst("X-Cache-Status")).isNotEqualTo("Hit");
		assertThat(second.getResponseBody()).doesNotContain(alice);
	}

	private static String token(String subject) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().issuer("dave-issuer")
			.subject(subject)
			.expirationTime(Date.from(Instant.now().plusSeconds(300)))
			.build());
		jwt.sign(new MACSigner("dave-hmac-secret-that-is-at-least-32-bytes"));
		return jwt.serialize();
	}

}
