package io.tollgate.pipeline;

import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * Shadow mode ({@code mode: shadow} on RateLimit, Acl, IpRestriction and ValidateRequest, or
 * {@code tollgate.policies.mode: shadow} for every route that does not say): the policy decides as usual, but a
 * request it would reject goes through, without the rejection's headers, and is counted
 * ({@code tollgate.policy.shadow.rejections{policy, route}}), named in the access log ({@code shadow}) and logged at
 * DEBUG. For rolling out a new limit or rule: watch what it would do, then enforce it.
 */
public final class Shadow {

	private static final Log logger = LogFactory.getLog(Shadow.class);

	private static final String ATTRIBUTE = Shadow.class.getName() + ".policies";

	private Shadow() {
	}

	/** How a policy acts on what it would reject. */
	public enum Mode {

		/** Rejects it (the default). */
		ENFORCE,

		/** Lets it through, counted and logged. */
		SHADOW;

		/** @throws InvalidConfigurationException naming {@code mode} for anything but enforce and shadow */
		public static Mode parse(String value) {
			return parse("mode", value);
		}

		/** @throws InvalidConfigurationException naming {@code property} for anything but enforce and shadow */
		public static Mode parse(String property, String value) {
			try {
				return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
			}
			catch (IllegalArgumentException | NullPointerException ex) {
				throw new InvalidConfigurationException(property, "must be enforce or shadow");
			}
		}

		/** A route's own mode when it sets one ({@code null} when not), else the gateway-wide one. */
		public static boolean shadow(Mode route, PolicyModes policies) {
			return ((route != null) ? route : policies.mode()) == SHADOW;
		}

		/** The argument's value as written back: {@code enforce}, {@code shadow}, or null when not set. */
		public static String name(Mode mode) {
			return (mode != null) ? mode.name().toLowerCase(Locale.ROOT) : null;
		}

	}

	/** Records that {@code policy}, in shadow mode, let through a request it would have answered {@code status}. */
	public static void letThrough(ServerWebExchange exchange, MeterRegistry meters, String policy, int status) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		String routeId = (route != null) ? route.getId() : "none";
		Counter.builder("tollgate.policy.shadow.rejections")
			.description("Requests a policy in shadow mode would have rejected, and let through")
			.tag("policy", policy)
			.tag("route", routeId)
			.register(meters)
			.increment();
		String earlier = exchange.getAttribute(ATTRIBUTE);
		exchange.getAttributes().put(ATTRIBUTE, (earlier != null) ? earlier + "," + policy : policy);
		if (logger.isDebugEnabled()) {
			logger.debug("Shadow mode: " + policy + " on route '" + routeId + "' would have answered " + status);
		}
	}

	/** The policies that let this request through in shadow mode (comma-separated), or null: the access log's field. */
	public static String of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

}
