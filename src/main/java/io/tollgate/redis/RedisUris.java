package io.tollgate.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;

import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Where Spring Boot's Redis connection points ({@code spring.data.redis.*}, already resolved into the connection
 * factory), as Lettuce's {@link RedisURI}: so Tollgate's own connections reach the same server with the same
 * credentials, database, TLS and client options.
 */
public final class RedisUris {

	private RedisUris() {
	}

	/** A Redis connection counts as configured when any of Spring Data Redis's address properties is set. */
	public static boolean configured(Environment environment) {
		return environment.containsProperty("spring.data.redis.host")
				|| environment.containsProperty("spring.data.redis.url")
				|| environment.containsProperty("spring.data.redis.cluster.nodes")
				|| environment.containsProperty("spring.data.redis.sentinel.nodes");
	}

	/** The standalone server of {@code factory}. */
	public static RedisURI of(LettuceConnectionFactory factory) {
		RedisStandaloneConfiguration server = factory.getStandaloneConfiguration();
		LettuceClientConfiguration client = factory.getClientConfiguration();
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(server.getHostName())
			.withPort(server.getPort())
			.withDatabase(server.getDatabase())
			.withSsl(client.isUseSsl())
			.withVerifyPeer(client.getVerifyMode())
			.withStartTls(client.isStartTls())
			.withTimeout(client.getCommandTimeout());
		client.getClientName().ifPresent(uri::withClientName);
		if (server.getPassword().isPresent()) {
			char[] password = server.getPassword().get();
			if (server.getUsername() != null) {
				uri.withAuthentication(server.getUsername(), password);
			}
			else {
				uri.withPassword(password);
			}
		}
		return uri.build();
	}

	/** Spring Boot's Lettuce client options (with its customizers applied), or Lettuce's defaults. */
	public static ClientOptions clientOptions(LettuceConnectionFactory factory) {
		return factory.getClientConfiguration().getClientOptions().orElseGet(ClientOptions::create);
	}

}
