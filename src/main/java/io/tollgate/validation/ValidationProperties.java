package io.tollgate.validation;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request-size and validation defaults for every route ({@code tollgate.validation}).
 *
 * @param maxBodySize the largest request body any route accepts (413 above it); a route's {@code ValidateRequest}
 * may set its own {@code max-body-size}
 * @param maxErrors the most validation errors listed in one 400 answer
 */
@ConfigurationProperties("tollgate.validation")
@Validated
public record ValidationProperties(@DefaultValue("8MB") @NotNull DataSize maxBodySize,
		@DefaultValue("20") @Positive int maxErrors) {
}
