package sws.http;

import java.time.Duration;

/**
 * The connection timeouts of spec sections 2 and 3.
 *
 * @param request a request head (or the wait between two body reads) not complete within this → 408
 * @param idle an idle keep-alive connection is closed after this
 * @param write a client that takes nothing of its response for this long is dropped
 * @param grace how long a graceful stop lets responses in flight finish (--drain-timeout)
 */
public record Timeouts(Duration request, Duration idle, Duration write, Duration grace) {
    public static final Timeouts DEFAULT = new Timeouts(
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(10));

    /** How long a connection closed after an error keeps draining what the client still sends. */
    static final Duration LINGER = Duration.ofSeconds(2);
}
