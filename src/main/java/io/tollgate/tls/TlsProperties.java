package io.tollgate.tls;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What to do with requests that arrived over plain HTTP ({@code tollgate.tls}). TLS itself is Spring Boot's:
 * {@code server.ssl.bundle} with PEM files ({@code spring.ssl.bundle.pem.*}), see config-repo/application-tls.yml.
 *
 * @param plainHttp {@code allow}, {@code redirect} (308 to https) or {@code refuse} (403). A request counts as plain
 * HTTP when it reached Tollgate without TLS, or when a trusted proxy ({@code tollgate.client-ip.trusted-proxies})
 * says {@code X-Forwarded-Proto: http}
 */
@ConfigurationProperties("tollgate.tls")
@Validated
public record TlsProperties(@DefaultValue("allow") @NotNull PlainHttp plainHttp) {

	/** The plain-HTTP policy. */
	public enum PlainHttp {

		/** Serve it. */
		ALLOW,
		/** 308 Permanent Redirect to the same URL over https. */
		REDIRECT,
		/** 403 problem+json. */
		REFUSE

	}

}
