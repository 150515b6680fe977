package io.tollgate.ratelimit;

/**
 * A limit on one window.
 *
 * @param window the window
 * @param limit requests allowed in it
 */
public record WindowLimit(Window window, long limit) {
}
