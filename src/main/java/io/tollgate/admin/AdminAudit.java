package io.tollgate.admin;

import java.net.InetSocketAddress;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tollgate.audit} log: one line per change made through the Admin API, saying who (the admin user),
 * what (the action and its target, never a key or secret), when and from where (the client address). The same
 * facts are key-value pairs, so structured logging (ECS, Logstash) gets them as fields.
 */
final class AdminAudit {

	private static final Logger audit = LoggerFactory.getLogger("tollgate.audit");

	private AdminAudit() {
	}

	/**
	 * @param admin the admin user
	 * @param from the client's address, or null
	 * @param action what was done ({@code consumer.create}, {@code key-auth.delete}, ...)
	 * @param consumer the consumer it was done to
	 * @param detail what changed, without secrets (a credential id, a group, a plan), or null
	 */
	static void record(String admin, InetSocketAddress from, String action, String consumer, String detail) {
		String address = (from != null && from.getAddress() != null) ? from.getAddress().getHostAddress() : "unknown";
		// Names and ids come from requests: no line breaks (a forged audit line) and no endless values.
		consumer = ConsumersApi.printable(consumer);
		detail = (detail != null) ? ConsumersApi.printable(detail) : null;
		audit.atInfo()
			.addKeyValue("admin", admin)
			.addKeyValue("from", address)
			.addKeyValue("action", action)
			.addKeyValue("consumer", consumer)
			.addKeyValue("detail", detail)
			.addKeyValue("at", Instant.now().toString())
			.log("admin '{}' from {}: {} consumer '{}'{}", admin, address, action, consumer,
					(detail != null) ? " (" + detail + ")" : "");
	}

}
