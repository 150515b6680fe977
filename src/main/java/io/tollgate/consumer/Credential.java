package io.tollgate.consumer;

/**
 * A credential that authenticated a request: its id (sent as {@code X-Credential-Identifier}) and owner.
 *
 * @param id the credential id
 * @param consumer the consumer it belongs to
 */
public record Credential(String id, Consumer consumer) {
}
