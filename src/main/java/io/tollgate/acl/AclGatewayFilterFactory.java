package io.tollgate.acl;

import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.consumer.Identity;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.ModeConfig;
import io.tollgate.pipeline.PolicyModes;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.pipeline.Shadow;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code Acl}: which consumer groups may use a route. A consumer in any {@code deny} group is refused (deny wins);
 * with {@code allow}, only consumers in one of those groups pass. 403 {@code You cannot consume this service}; 401
 * when no consumer was authenticated (put an auth filter on the route).
 * <pre>
 * filters:
 *   - KeyAuth
 *   - Acl=partners                          # allow one group
 *   - name: Acl
 *     args: { allow: [ partners, internal ], deny: [ suspended ] }
 * </pre>
 */
@Component
public class AclGatewayFilterFactory extends AbstractGatewayFilterFactory<AclGatewayFilterFactory.Config> {

	private final MeterRegistry meters;

	private final PolicyModes policies;

	public AclGatewayFilterFactory(MeterRegistry meters, PolicyModes policies) {
		super(Config.class);
		this.meters = meters;
		this.policies = policies;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("allow");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		Set<String> allow = Set.copyOf(config.allow);
		Set<String> deny = Set.copyOf(config.deny);
		boolean shadow = config.shadow(this.policies);
		MeterRegistry meters = this.meters;
		return new OrderedGatewayFilter(new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				Identity identity = Identity.of(exchange);
				if (identity == null) {
					if (shadow) {
						Shadow.letThrough(exchange, meters, "acl", 401);
						return chain.filter(exchange);
					}
					exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Key");
					return ProblemWriter.write(exchange, HttpStatus.UNAUTHORIZED, "Unauthorized");
				}
				List<String> groups = identity.consumer().groups();
				boolean denied = groups.stream().anyMatch(deny::contains);
				boolean allowed = allow.isEmpty() || groups.stream().anyMatch(allow::contains);
				if (denied || !allowed) {
					if (shadow) {
						Shadow.letThrough(exchange, meters, "acl", 403);
						return chain.filter(exchange);
					}
					return ProblemWriter.write(exchange, HttpStatus.FORBIDDEN, "You cannot consume this service");
				}
				return chain.filter(exchange);
			}

			@Override
			public String toString() {
				return "Acl[allow=" + allow + ", deny=" + deny + (shadow ? ", mode=shadow" : "") + "]";
			}
		}, PolicyOrder.ACL);
	}

	/** Arguments of {@code Acl}. */
	public static class Config extends ModeConfig {

		/** Groups allowed in (empty: every group not denied). */
		private List<String> allow = List.of();

		/** Groups refused, even if also allowed. */
		private List<String> deny = List.of();

		void validate() {
			if (this.allow.isEmpty() && this.deny.isEmpty()) {
				throw new InvalidConfigurationException("allow", "Acl needs allow or deny groups");
			}
		}

		public List<String> getAllow() {
			return this.allow;
		}

		public Config setAllow(List<String> allow) {
			this.allow = List.copyOf(allow);
			return this;
		}

		public List<String> getDeny() {
			return this.deny;
		}

		public Config setDeny(List<String> deny) {
			this.deny = List.copyOf(deny);
			return this;
		}

	}

}
