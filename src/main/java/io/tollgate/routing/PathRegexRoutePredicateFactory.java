package io.tollgate.routing;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.tollgate.config.InvalidConfigurationException;

import org.springframework.cloud.gateway.handler.predicate.AbstractRoutePredicateFactory;
import org.springframework.cloud.gateway.handler.predicate.GatewayPredicate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code PathRegex=^/users/\d+}: the request path (as the {@code Path} predicate sees it) matches the regular
 * expression from its start, as Kong's regex paths ({@code ~/users/\d+}) do; anchor the end with {@code $}. Routes
 * led by this predicate are tested for every request (the route index files {@code Path} routes only), so keep them
 * few or late.
 */
@Component
public class PathRegexRoutePredicateFactory extends AbstractRoutePredicateFactory<PathRegexRoutePredicateFactory.Config> {

	public PathRegexRoutePredicateFactory() {
		super(Config.class);
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("regexp");
	}

	@Override
	public Predicate<ServerWebExchange> apply(Config config) {
		if (config.regexp == null || config.regexp.isEmpty()) {
			throw new InvalidConfigurationException("regexp", "PathRegex needs a regular expression");
		}
		Pattern pattern;
		try {
			pattern = Pattern.compile(config.regexp);
		}
		catch (PatternSyntaxException ex) {
			throw new InvalidConfigurationException("regexp", "not a regular expression: " + ex.getDescription());
		}
		return new GatewayPredicate() {
			@Override
			public boolean test(ServerWebExchange exchange) {
				String path = exchange.getRequest().getPath().pathWithinApplication().value();
				return pattern.matcher(path).lookingAt();
			}

			@Override
			public String toString() {
				return "PathRegex: " + pattern;
			}
		};
	}

	/** Arguments of {@code PathRegex}. */
	public static class Config {

		/** Java regular expression, matched from the start of the path. */
		private String regexp;

		public String getRegexp() {
			return this.regexp;
		}

		public Config setRegexp(String regexp) {
			this.regexp = regexp;
			return this;
		}

	}

}
