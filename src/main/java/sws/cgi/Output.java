package sws.cgi;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import sws.http.StreamSource;

/**
 * A program's body on its way to the client: a thread of the program's puts pieces in, the event loop
 * polls them out; a few pieces at most wait, so a slow client holds the program back rather than memory.
 */
final class Output implements StreamSource {
    private static final int PIECES = 4;

    private final ArrayBlockingQueue<ByteBuffer> pieces = new ArrayBlockingQueue<>(PIECES);
    private volatile boolean ended;
    private volatile boolean failed;

    /** Adds a piece, waiting for room. */
    void put(ByteBuffer piece) throws InterruptedException {
        pieces.put(piece);
    }

    /** The body is over; failed when it ended before it was whole. */
    void end(boolean failedNow) {
        failed |= failedNow;
        ended = true;
    }

    /** Marks the body failed before its end is known, so that the end can never pass for a whole body. */
    void fail() {
        failed = true;
    }

    /** Whether the producer has said the body is over (pieces may still wait to be sent). */
    boolean over() {
        return ended;
    }

    /** Drops what waits, freeing a producer that waits for room. */
    void clear() {
        pieces.clear();
    }

    @Override
    public ByteBuffer next() {
        return pieces.poll();
    }

    @Override
    public boolean ended() {
        return ended && pieces.isEmpty();
    }

    @Override
    public boolean failed() {
        return failed;
    }
}
