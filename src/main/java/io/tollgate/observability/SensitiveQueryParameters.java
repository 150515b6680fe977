package io.tollgate.observability;

import java.util.Collection;

/**
 * A route filter that reads credentials from query parameters (KeyAuth's key names, JwtAuth's {@code query-param}):
 * their values never reach a log.
 */
public interface SensitiveQueryParameters {

	/** The names of the query parameters that carry credentials. */
	Collection<String> sensitiveQueryParameters();

}
