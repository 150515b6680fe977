package io.tollgate.iprestriction;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.edge.ClientIp;
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
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code IpRestriction}: which client addresses may use a route, by CIDR (IPv4 and IPv6). The client address is
 * {@code tollgate.client-ip}'s: a forwarded header counts only from a trusted proxy. Deny wins; with {@code allow},
 * only matching clients pass. 403 problem+json.
 */
@Component
public class IpRestrictionGatewayFilterFactory
		extends AbstractGatewayFilterFactory<IpRestrictionGatewayFilterFactory.Config> {

	private final ClientIp clientIp;

	private final MeterRegistry meters;

	private final PolicyModes policies;

	public IpRestrictionGatewayFilterFactory(ClientIp clientIp, MeterRegistry meters, PolicyModes policies) {
		super(Config.class);
		this.clientIp = clientIp;
		this.meters = meters;
		this.policies = policies;
	}

	/**
	 * {@code IpRestriction=10.0.0.0/8}: one allowed CIDR; more, and {@code deny}, in the long form. Not
	 * {@code GATHER_LIST}: Spring Cloud Gateway would gather every argument of the long form into {@code allow},
	 * turning a route's deny list into allowed addresses.
	 */
	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("allow");
	}

	@Override
	public GatewayFilter apply(Config config) {
		List<IpSubnetFilterRule> allow = rules(config.allow, "allow");
		List<IpSubnetFilterRule> deny = rules(config.deny, "deny");
		if (allow.isEmpty() && deny.isEmpty()) {
			throw new InvalidConfigurationException("allow", "IpRestriction needs allow or deny CIDRs");
		}
		boolean shadow = config.shadow(this.policies);
		return new OrderedGatewayFilter(new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				InetAddress address = IpRestrictionGatewayFilterFactory.this.clientIp.addressOf(exchange);
				InetSocketAddress client = (address != null) ? new InetSocketAddress(address, 0) : null;
				boolean denied = client == null || deny.stream().anyMatch((rule) -> rule.matches(client));
				boolean allowed = allow.isEmpty() || (client != null && allow.stream().anyMatch((rule) -> rule.matches(client)));
				if (denied || !allowed) {
					if (shadow) {
						Shadow.letThrough(exchange, IpRestrictionGatewayFilterFactory.this.meters, "ip-restriction", 403);
						return chain.filter(exchange);
					}
					return ProblemWriter.write(exchange, HttpStatus.FORBIDDEN, "Your IP address is not allowed");
				}
				return chain.filter(exchange);
			}

			@Override
			public String toString() {
				return "IpRestriction[allow=" + config.allow + ", deny=" + config.deny + (shadow ? ", mode=shadow" : "")
						+ "]";
			}
		}, PolicyOrder.IP_RESTRICTION);
	}

	private static List<IpSubnetFilterRule> rules(List<String> cidrs, String property) {
		List<IpSubnetFilterRule> rules = new ArrayList<>();
		for (int i = 0; i < cidrs.size(); i++) {
			rules.add(ClientIp.parseCidr(cidrs.get(i), property + "[" + i + "]"));
		}
		return rules;
	}

	/** Arguments of {@code IpRestriction}. */
	public static class Config extends ModeConfig {

		/** Client CIDRs allowed in (empty: all not denied). */
		private List<String> allow = List.of();

		/** Client CIDRs refused. */
		private List<String> deny = List.of();

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
