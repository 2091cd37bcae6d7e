package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import sws.net.LoopContext;
import sws.net.Transport;

/**
 * The bytes a connection has read and not yet used: a buffer from the loop's pool, taken when bytes come
 * and given back while the connection idles, grown only for a request head larger than it.
 */
final class InputBuffer {
    private final LoopContext loop;
    private final Limits limits;
    private byte[] data;
    private ByteBuffer view;
    private int start;
    private int end;

    InputBuffer(LoopContext loop, Limits limits) {
        this.loop = loop;
        this.limits = limits;
    }

    byte[] data() {
        return data;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    boolean isEmpty() {
        return start == end;
    }

    /** Whether there is no room left for more bytes without using some first. */
    boolean full() {
        return data != null && end == data.length;
    }

    void consume(int n) {
        start += n;
        if (start == end) {
            start = end = 0;
        }
    }

    /** Reads what the transport has: the count, 0 when nothing came, -1 at the end of the input. */
    int fill(Transport transport) throws IOException {
        if (data == null) {
            view = loop.takeBuffer();
            data = view.array();
            start = end = 0;
        } else if (end == data.length) {
            makeRoom();
        }
        view.limit(data.length).position(end);
        int n = transport.read(view);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** Moves unread bytes to the front, or grows the buffer when a head is larger than it. */
    private void makeRoom() {
        if (start > 0) {
            System.arraycopy(data, start, data, 0, end - start);
            end -= start;
            start = 0;
        } else {
            // Only a head can fill the whole buffer; the parser has refused one over the limit by now.
            int size = Math.min(data.length * 2, limits.maxHeadBytes() + 1024);
            data = Arrays.copyOf(data, Math.max(size, data.length + 1));
            view = ByteBuffer.wrap(data);
        }
    }

    /** Gives the buffer back to the pool when nothing in it is left to use. */
    void releaseIfEmpty() {
        if (start == end) {
            release();
        }
    }

    void release() {
        if (data != null) {
            loop.returnBuffer(view);
            data = null;
            view = null;
            start = end = 0;
        }
    }

    /** Whether all that is left is empty lines, which RFC 9112 2.2 says to ignore before a request. */
    boolean onlyLineEnds() {
        for (int i = start; i < end; i++) {
            if (data[i] != '\r' && data[i] != '\n') {
                return false;
            }
        }
        return true;
    }

    /** The request line as the client sent it so far: up to the first line end, after any empty lines. */
    byte[] requestLine() {
        if (data == null) {
            return new byte[0];
        }
        int from = start;
        while (from < end && (data[from] == '\r' || data[from] == '\n')) {
            from++;
        }
        int to = from;
        int max = Math.min(end, from + limits.maxRequestLine() + 1);
        while (to < max && data[to] != '\n') {
            to++;
        }
        if (to > from && to < end && data[to] == '\n' && data[to - 1] == '\r') {
            to--;
        }
        return Arrays.copyOfRange(data, from, to);
    }
}
