package io.tollgate.ratelimit;

/** What a route's counters are kept per. */
public enum LimitBy {

	/** The authenticated consumer; the client IP when there is none (or only the anonymous consumer). */
	CONSUMER,
	/** The credential (API key id); the client IP when there is none. */
	CREDENTIAL,
	/** The client IP ({@code tollgate.client-ip}). */
	IP,
	/** Nobody in particular: one counter for the whole route (or, with scope global, the gateway). */
	ROUTE,
	/** The value of the {@code header-name} header; the client IP when it is absent. */
	HEADER,
	/** The request path. */
	PATH

}
