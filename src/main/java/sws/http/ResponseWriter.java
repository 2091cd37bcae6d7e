package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import sws.net.Transport;

/**
 * Writes one response to a transport in its framing: the head, then the body as its kind and length
 * require. Each call writes what the socket takes and says what stops it.
 */
abstract sealed class ResponseWriter permits FixedLengthWriter, StreamWriter, ChunkedWriter {
    /** What a call to {@link #write} ended with. */
    enum Progress {
        /** The whole response is written. */
        DONE,
        /** The socket has no room: wait until it is writable. */
        BLOCKED,
        /** A streamed body has nothing more yet: wait until its producer wakes the connection. */
        WAITING,
        /** The body cannot be sent as promised (a file shrank, a program failed): cut the connection. */
        FAILED
    }

    private final ByteBuffer[] out;
    private int count;
    private long written;
    protected final boolean sendBody;
    protected long bodyBytes;

    protected ResponseWriter(ByteBuffer interim, byte[] head, boolean sendBody) {
        this(interim, head, sendBody, 4);
    }

    /** @param slots how many buffers one gathering write may hold: interim, head and body, or more for parts */
    protected ResponseWriter(ByteBuffer interim, byte[] head, boolean sendBody, int slots) {
        this.out = new ByteBuffer[slots];
        this.sendBody = sendBody;
        if (interim != null) {
            queue(interim); // the rest of a 100 Continue goes first
        }
        queue(ByteBuffer.wrap(head));
    }

    /**
     * The writer for a response.
     *
     * @param interim what is left to send of an interim response, or null
     * @param sendBody false for HEAD and for statuses without a body: only the head is sent
     * @param extraFields fields the listener adds to this response, each ending in CRLF
     */
    static ResponseWriter of(
            Response response,
            boolean http11,
            boolean keepAlive,
            boolean sendBody,
            ByteBuffer interim,
            byte[] extraFields) {
        if (response.body() instanceof Body.Stream s) {
            if (s.length() >= 0) {
                byte[] head = ResponseEncoder.head(response, http11, keepAlive, false);
                return new StreamWriter(interim, ResponseEncoder.withFields(head, extraFields), s, sendBody);
            }
            if (http11) {
                byte[] head = ResponseEncoder.head(response, true, keepAlive, true);
                return new ChunkedWriter(interim, ResponseEncoder.withFields(head, extraFields), s, sendBody);
            }
            // HTTP/1.0 has no chunks: the end of the body is the end of the connection.
            byte[] head = ResponseEncoder.head(response, false, false, false);
            return new StreamWriter(interim, ResponseEncoder.withFields(head, extraFields), s, sendBody);
        }
        byte[] head = ResponseEncoder.head(response, http11, keepAlive, false);
        return new FixedLengthWriter(interim, ResponseEncoder.withFields(head, extraFields), response.body(), sendBody);
    }

    /** Whether the connection can serve another request after this response, if the request asked it to. */
    boolean keepsConnection(boolean asked) {
        return asked;
    }

    /** Whether the body is produced by another thread, which wakes the connection when it has more. */
    boolean streams() {
        return false;
    }

    /** Queues more to send, or says why there is nothing to queue now; null to write what was queued. */
    protected abstract Progress next(Transport transport) throws IOException;

    /** Writes until the response is done or something stops it. */
    final Progress write(Transport transport) throws IOException {
        while (true) {
            if (count > 0) {
                written += transport.write(out, 0, count);
                if (out[count - 1].hasRemaining()) {
                    return Progress.BLOCKED;
                }
                count = 0;
            }
            Progress p = next(transport);
            if (p != null) {
                return p;
            }
        }
    }

    protected final void queue(ByteBuffer buffer) {
        out[count++] = buffer;
    }

    /** Whether another buffer fits in the next gathering write. */
    protected final boolean canQueue() {
        return count < out.length;
    }

    protected final void countWritten(long n) {
        written += n;
    }

    /** Every byte written so far, head included. */
    final long written() {
        return written;
    }

    /** The body bytes the response carries, for the log. */
    final long bodyBytes() {
        return bodyBytes;
    }

    /** Lets go of what the body holds open (a file); called once the response is over, however it ended. */
    void release() {}
}
