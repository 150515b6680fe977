package io.tollgate.observability;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What Tollgate records about traffic ({@code tollgate.observability}).
 *
 * @param accessLog the access log
 * @param metrics Tollgate's own meters
 */
@ConfigurationProperties("tollgate.observability")
public record ObservabilityProperties(@DefaultValue AccessLog accessLog, @DefaultValue Metrics metrics) {

	/**
	 * The access log: one JSON line per request on the logger {@code tollgate.access} (route it, or turn it off
	 * with {@code logging.level.tollgate.access=OFF}).
	 *
	 * @param maskedQueryParameters query parameters whose values are written as {@code ***}; every KeyAuth
	 * route's key names are added
	 */
	public record AccessLog(@DefaultValue({ "apikey", "api_key", "api-key", "access_token", "token", "jwt", "key",
			"password", "secret", "signature" }) List<String> maskedQueryParameters) {
	}

	/**
	 * Meters.
	 *
	 * @param consumers consumers (usernames) that get their own {@code consumer} tag on
	 * {@code tollgate.consumer.requests}; all others are counted as {@code other}, so the tag's cardinality stays
	 * bounded
	 */
	public record Metrics(@DefaultValue List<String> consumers) {
	}

}
