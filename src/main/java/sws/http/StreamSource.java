package sws.http;

import java.nio.ByteBuffer;

/** A body produced while it is being sent (by another thread, or on demand); polled by the event loop. */
public interface StreamSource {
    /** The next piece of the body, or null when none is ready yet (the producer wakes the loop). */
    ByteBuffer next();

    /** Whether the body is complete: next() returned null and will never return more. */
    boolean ended();

    /** Whether the body ended before it was whole, so the response must be cut off. */
    boolean failed();

    /** Lets go of what the source holds (a file), however the response ended; called once. */
    default void release() {}
}
