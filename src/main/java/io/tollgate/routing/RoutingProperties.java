package io.tollgate.routing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Route lookup ({@code tollgate.routing}).
 *
 * @param indexed find the candidate routes for a request through an index of their literal path prefixes instead
 * of testing every route in turn; the route chosen is the same either way (first match in route order), only the
 * cost differs. Set false to use Spring Cloud Gateway's own lookup.
 */
@ConfigurationProperties("tollgate.routing")
public record RoutingProperties(@DefaultValue("true") boolean indexed) {
}
