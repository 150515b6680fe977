package io.tollgate.consumer;

import java.util.ArrayList;
import java.util.List;

import io.netty.util.AsciiString;

import org.springframework.http.HttpHeaders;

/** The headers that tell an upstream who the caller is. Only the gateway may set them. */
public final class IdentityHeaders {

	public static final String CONSUMER_ID = "X-Consumer-ID";

	public static final String CONSUMER_USERNAME = "X-Consumer-Username";

	public static final String CONSUMER_CUSTOM_ID = "X-Consumer-Custom-ID";

	public static final String CONSUMER_GROUPS = "X-Consumer-Groups";

	public static final String CREDENTIAL_IDENTIFIER = "X-Credential-Identifier";

	public static final String ANONYMOUS_CONSUMER = "X-Anonymous-Consumer";

	private IdentityHeaders() {
	}

	/** True for every name that belongs to the gateway: the ones above and any other {@code X-Consumer-*}. */
	static boolean isReserved(CharSequence name) {
		return AsciiString.regionMatches(name, true, 0, "x-consumer-", 0, 11)
				|| AsciiString.contentEqualsIgnoreCase(name, CREDENTIAL_IDENTIFIER)
				|| AsciiString.contentEqualsIgnoreCase(name, ANONYMOUS_CONSUMER);
	}

	/** Removes every reserved header; true if there was one. */
	static boolean removeReserved(HttpHeaders headers) {
		List<String> reserved = null;
		for (String name : headers.headerNames()) {
			if (isReserved(name)) {
				reserved = (reserved != null) ? reserved : new ArrayList<>(2);
				reserved.add(name);
			}
		}
		if (reserved == null) {
			return false;
		}
		reserved.forEach(headers::remove);
		return true;
	}

	/** Writes the identity of an authenticated exchange. */
	static void write(Identity identity, HttpHeaders headers) {
		Consumer consumer = identity.consumer();
		headers.set(CONSUMER_ID, consumer.id());
		headers.set(CONSUMER_USERNAME, consumer.username());
		if (consumer.customId() != null) {
			headers.set(CONSUMER_CUSTOM_ID, consumer.customId());
		}
		String groups = consumer.groupsHeader();
		if (groups != null) {
			headers.set(CONSUMER_GROUPS, groups);
		}
		if (identity.credentialId() != null) {
			headers.set(CREDENTIAL_IDENTIFIER, identity.credentialId());
		}
		if (identity.anonymous()) {
			headers.set(ANONYMOUS_CONSUMER, "true");
		}
	}

}
