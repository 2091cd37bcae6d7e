package sws.cgi;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body on its way from the event loop to a program's stdin: the loop adds pieces while the
 * queue holds less than its budget, a thread of the program's writes them out, and the loop is woken when
 * room frees up.
 */
final class BodyFeed {
    private static final int BUDGET = 256 * 1024;
    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<byte[]> pieces = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();

    /** Copies a piece in; called on the loop. */
    void add(byte[] buf, int offset, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(buf, offset, copy, 0, length);
        queued.addAndGet(length);
        pieces.add(copy);
    }

    boolean hasRoom() {
        return queued.get() < BUDGET;
    }

    /** No more pieces will come (the body is complete, or the exchange is over). */
    void end() {
        pieces.add(END);
    }

    /**
     * Writes the pieces to stdin until the end, then closes it. A program that stops reading gets nothing
     * more: the rest is taken and dropped, so the loop never waits for it.
     *
     * @param broken whether stdin failed already
     * @param roomAgain called when the queue drops below its budget
     */
    void writeTo(OutputStream stdin, boolean broken, Runnable roomAgain) throws InterruptedException {
        try {
            while (true) {
                byte[] piece = pieces.take();
                if (piece == END) {
                    return;
                }
                long before = queued.getAndAdd(-piece.length);
                if (!broken) {
                    try {
                        stdin.write(piece);
                    } catch (IOException e) {
                        broken = true; // the program stopped reading (or exited)
                    }
                }
                if (before >= BUDGET && before - piece.length < BUDGET) {
                    roomAgain.run();
                }
            }
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the program has gone: nothing more to give it
            }
        }
    }
}
