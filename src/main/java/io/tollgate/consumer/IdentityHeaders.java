package io.tollgate.consumer;

import java.util.ArrayList;
import java.util.List;

import io.tollgate.edge.HeaderNames;

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

	/**
	 * True for every name that belongs to the gateway: the ones above and any other {@code X-Consumer-*}, also
	 * spelt with underscores ({@code X_Consumer_Username}), which CGI, WSGI, Rack and PHP servers read as the same
	 * header.
	 */
	static boolean isReserved(CharSequence name) {
		return HeaderNames.startsWith(name, "x-consumer-") || HeaderNames.matches(name, "x-credential-identifier")
				|| HeaderNames.matches(name, "x-anonymous-consumer");
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
