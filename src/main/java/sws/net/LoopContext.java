package sws.net;

import java.nio.ByteBuffer;
import sws.metrics.LoopCounters;

/**
 * What an event loop offers the sessions it runs: its coarse clock, its pool of buffers, and a way onto its
 * thread. Everything but {@link #execute} is to be called on the loop's own thread.
 */
public interface LoopContext {
    /** The loop's clock, epoch milliseconds, read once per round of events. */
    long now();

    /** Runs the task on the loop's thread soon; callable from any thread. */
    void execute(Runnable task);

    /** A heap buffer of the pool's size, to give back with {@link #returnBuffer} when no longer needed. */
    ByteBuffer takeBuffer();

    void returnBuffer(ByteBuffer buffer);

    /** A buffer for bytes that are read only to be dropped; its content is garbage between calls. */
    ByteBuffer scratch();

    /** Whether the server is stopping: connections finish what is in flight and are not kept. */
    boolean stopping();

    /** The loop's counters (spec section 9), written on the loop's thread only. */
    LoopCounters counters();

    /** Reports a failure that is a bug, not a client's doing, on the server's error output. */
    void reportError(Throwable e);
}
