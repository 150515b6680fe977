package io.tollgate.edge;

import java.util.List;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway finds the client's IP address ({@code tollgate.client-ip}), used to limit by IP.
 *
 * @param trustedProxies CIDRs of the proxies and load balancers in front of the gateway; only a request from one
 * of them may say who the client is through {@code header}. Empty (the default): the TCP peer is the client
 * @param header the header a trusted proxy puts the client address in: {@code X-Forwarded-For} (the right-most
 * address not of a trusted proxy is the client) or {@code X-Real-IP}
 */
@ConfigurationProperties("tollgate.client-ip")
@Validated
public record ClientIpProperties(@DefaultValue List<String> trustedProxies,
		@DefaultValue("X-Forwarded-For") @NotBlank String header) {
}
