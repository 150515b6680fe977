package io.tollgate.tracing;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.web.server.ServerWebExchange;

/**
 * The request id of an exchange: the client's {@code X-Request-ID} when it is at most 128 characters of
 * {@code [A-Za-z0-9._-]}, otherwise a fresh one. It goes upstream, onto the response, into logs and errors.
 */
public final class RequestId {

	public static final String HEADER = "X-Request-ID";

	static final String ATTRIBUTE = RequestId.class.getName();

	private static final int MAX_LENGTH = 128;

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private RequestId() {
	}

	/** The exchange's id; one is assigned if the request id filter has not run (e.g. on the management port). */
	public static String of(ServerWebExchange exchange) {
		String id = exchange.getAttribute(ATTRIBUTE);
		if (id == null) {
			id = generate();
			exchange.getAttributes().put(ATTRIBUTE, id);
		}
		return id;
	}

	static boolean isAcceptable(String candidate) {
		if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
			return false;
		}
		for (int i = 0; i < candidate.length(); i++) {
			char c = candidate.charAt(i);
			boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
					|| c == '_' || c == '-';
			if (!ok) {
				return false;
			}
		}
		return true;
	}

	/**
	 * 128 random bits as 32 hex characters. Ids need to be unique, not secret, so ThreadLocalRandom does
	 * (UUID.randomUUID() would take SecureRandom's lock on every request).
	 */
	static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		char[] out = new char[32];
		long high = random.nextLong();
		long low = random.nextLong();
		for (int i = 0; i < 16; i++) {
			out[15 - i] = HEX[(int) (high >>> (i * 4)) & 0xF];
			out[31 - i] = HEX[(int) (low >>> (i * 4)) & 0xF];
		}
		return new String(out);
	}

}
