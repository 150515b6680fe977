package io.tollgate.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.tollgate.config.InvalidConfigurationException;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Finds the client's IP address: the TCP peer, unless that peer is a trusted proxy, in which case the address
 * it reports (walking {@code X-Forwarded-For} from the right past other trusted proxies, like nginx's
 * {@code real_ip_recursive on}). Addresses are parsed as literals only, never resolved.
 */
public class ClientIp {

	private static final String ATTRIBUTE = ClientIp.class.getName();

	/** The rules in force; a configuration reload swaps them as a whole ({@link #replaceWith}). */
	private volatile Rules rules;

	/** @throws InvalidConfigurationException naming a trusted proxy that is not an address or CIDR range */
	public ClientIp(ClientIpProperties properties) {
		List<IpSubnetFilterRule> trusted = new ArrayList<>();
		for (int i = 0; i < properties.trustedProxies().size(); i++) {
			trusted.add(parseCidr(properties.trustedProxies().get(i), "tollgate.client-ip.trusted-proxies[" + i + "]"));
		}
		this.rules = new Rules(List.copyOf(trusted), properties.header(),
				"X-Forwarded-For".equalsIgnoreCase(properties.header()));
	}

	/**
	 * Puts another instance's trusted proxies and header in force here, at once (a configuration reload built and
	 * so checked {@code candidate}). An exchange whose address was already found keeps it.
	 */
	public void replaceWith(ClientIp candidate) {
		this.rules = candidate.rules;
	}

	/** The client address of an exchange, as a string (computed once per exchange). */
	public String of(ServerWebExchange exchange) {
		String ip = exchange.getAttribute(ATTRIBUTE);
		if (ip == null) {
			ip = resolve(exchange.getRequest());
			exchange.getAttributes().put(ATTRIBUTE, ip);
		}
		return ip;
	}

	private String resolve(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		InetAddress peer = (remote != null) ? remote.getAddress() : null;
		if (peer == null) {
			return "unknown";
		}
		Rules rules = this.rules;
		if (rules.trusted.isEmpty() || !rules.isTrusted(peer)) {
			return peer.getHostAddress();
		}
		List<String> values = request.getHeaders().get(rules.header);
		if (values == null || values.isEmpty()) {
			return peer.getHostAddress();
		}
		if (!rules.forwardedFor) {
			InetAddress reported = parse(values.get(values.size() - 1).trim());
			return (reported != null) ? reported.getHostAddress() : peer.getHostAddress();
		}
		InetAddress client = peer;
		for (int v = values.size() - 1; v >= 0; v--) {
			String[] hops = values.get(v).split(",");
			for (int h = hops.length - 1; h >= 0; h--) {
				InetAddress hop = parse(hops[h].trim());
				if (hop == null) {
					return client.getHostAddress();
				}
				client = hop;
				if (!rules.isTrusted(hop)) {
					return hop.getHostAddress();
				}
			}
		}
		return client.getHostAddress();
	}

	/** True when the TCP peer is a trusted proxy (whose forwarded headers may be believed). */
	public boolean isFromTrustedProxy(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		Rules rules = this.rules;
		return remote != null && remote.getAddress() != null && !rules.trusted.isEmpty()
				&& rules.isTrusted(remote.getAddress());
	}

	/**
	 * The scheme the client used, as a trusted proxy reports it in {@code X-Forwarded-Proto}; null when the peer is
	 * not a trusted proxy or says nothing. The right-most value counts: it is the one the trusted peer wrote,
	 * whereas a proxy that appends keeps whatever the client sent on the left.
	 */
	public String forwardedProto(ServerWebExchange exchange) {
		if (!isFromTrustedProxy(exchange)) {
			return null;
		}
		List<String> values = exchange.getRequest().getHeaders().get("X-Forwarded-Proto");
		if (values == null || values.isEmpty()) {
			return null;
		}
		String last = values.get(values.size() - 1);
		String proto = last.substring(last.lastIndexOf(',') + 1).trim();
		return proto.isEmpty() ? null : proto;
	}

	/** The client address as an address (for CIDR matching), or null when unknown. */
	public InetAddress addressOf(ServerWebExchange exchange) {
		return parse(of(exchange));
	}

	/** Trusted proxies and the header they report the client in: one configuration's, swapped together. */
	private record Rules(List<IpSubnetFilterRule> trusted, String header, boolean forwardedFor) {

		boolean isTrusted(InetAddress address) {
			InetSocketAddress socket = new InetSocketAddress(address, 0);
			for (IpSubnetFilterRule rule : this.trusted) {
				if (rule.matches(socket)) {
					return true;
				}
			}
			return false;
		}

	}

	/** An address literal, also as proxies write it with a port: {@code 1.2.3.4:5678}, {@code [2001:db8::1]:443}. */
	private static InetAddress parse(String literal) {
		String address = literal;
		if (address.startsWith("[")) {
			int end = address.indexOf(']');
			address = (end > 0) ? address.substring(1, end) : address;
		}
		else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
			address = address.substring(0, address.indexOf(':'));
		}
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
		if (bytes == null) {
			return null;
		}
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

	/** A CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address); names {@code property} when wrong. */
	public static IpSubnetFilterRule parseCidr(String cidr, String property) {
		String[] parts = cidr.trim().split("/");
		InetAddress address = parse(parts[0]);
		if (address == null || parts.length > 2) {
			throw new InvalidConfigurationException(property, "not an IP address or CIDR");
		}
		int max = address.getAddress().length * 8;
		int prefix;
		try {
			prefix = (parts.length == 2) ? Integer.parseInt(parts[1]) : max;
		}
		catch (NumberFormatException ex) {
			throw new InvalidConfigurationException(property, "bad CIDR prefix length");
		}
		if (prefix < 0 || prefix > max) {
			throw new InvalidConfigurationException(property, "CIDR prefix length must be 0.." + max);
		}
		return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
	}

}
