package sws.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Buffers of one size that an event loop lends to its connections while they have bytes to hold, so an
 * idle connection holds none. Used only on the loop's own thread.
 */
final class BufferPool {
    private final int size;
    private final int kept;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    /** @param kept how many returned buffers are kept for reuse; more are left to the collector */
    BufferPool(int size, int kept) {
        this.size = size;
        this.kept = kept;
    }

    int size() {
        return size;
    }

    /** An empty heap buffer of the pool's size, ready to be written into. */
    ByteBuffer take() {
        ByteBuffer b = free.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocate(size);
    }

    void give(ByteBuffer b) {
        if (b.capacity() == size && free.size() < kept) {
            free.addFirst(b);
        }
    }
}
