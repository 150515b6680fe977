package io.tollgate.server;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Connection limits of the proxy port that Spring Boot has no property for ({@code tollgate.server}). The idle
 * timeout is Boot's {@code server.netty.idle-timeout}.
 *
 * @param requestHeaderTimeout how long a client may take, from the first byte of a request, to send its whole
 * request line and headers; a connection that has not finished by then is closed (slowloris)
 */
@ConfigurationProperties("tollgate.server")
@Validated
public record ServerTimeoutProperties(@DefaultValue("10s") @NotNull Duration requestHeaderTimeout) {
}
