package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import sws.net.Transport;

/**
 * What a connection sends, in order: an interim 100 Continue when one is due, then each response through
 * the writer of its framing. It knows whether the socket is full, and what the response has cost.
 */
final class Http1Output {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Transport transport;
    private final AddedFields added;
    private ResponseWriter writer;
    private ByteBuffer interim;
    private boolean blocked;
    private boolean progressed;

    Http1Output(Transport transport, AddedFields added) {
        this.transport = transport;
        this.added = added;
    }

    /** Whether the socket had no room for the last write: the connection waits until it is writable. */
    boolean blocked() {
        return blocked;
    }

    /** Whether a response is being written. */
    boolean writing() {
        return writer != null;
    }

    /** Whether the response being written streams a body another thread produces. */
    boolean streams() {
        return writer != null && writer.streams();
    }

    /** Sends 100 Continue (RFC 9110 15.2.1), or what of it the socket takes now. */
    void sendContinue() throws IOException {
        interim = ByteBuffer.wrap(CONTINUE);
        flushInterim();
    }

    /** Whether an interim response waits for room in the socket. */
    boolean interimPending() {
        return interim != null;
    }

    /** Writes what is left of an interim response; false while the socket has no room for it. */
    boolean flushInterim() throws IOException {
        if (interim != null) {
            transport.write(new ByteBuffer[] {interim}, 0, 1);
            blocked = interim.hasRemaining();
            if (!blocked) {
                interim = null;
            }
        }
        return !blocked;
    }

    /** Begins a response; what is left of an interim one goes before it. True when the connection may be kept. */
    boolean start(Response response, boolean http11, boolean keepAlive, boolean sendBody) {
        writer = ResponseWriter.of(response, http11, keepAlive, sendBody, interim, added.forStatus(response.status()));
        interim = null;
        return writer.keepsConnection(keepAlive);
    }

    /** Writes until the response is done or must wait; progressed tells whether any byte went out. */
    ResponseWriter.Progress write() throws IOException {
        long before = writer.written();
        ResponseWriter.Progress progress = writer.write(transport);
        progressed = writer.written() > before;
        blocked = progress == ResponseWriter.Progress.BLOCKED;
        return progress;
    }

    /** Whether the last {@link #write} sent anything. */
    boolean progressed() {
        return progressed;
    }

    /** The body bytes of the response, for the log. */
    long bodyBytes() {
        return writer == null ? 0 : writer.bodyBytes();
    }

    /** Ends the response, however it ended: what its body held open is let go. */
    void finish() {
        if (writer != null) {
            writer.release();
            writer = null;
        }
        blocked = false;
    }
}
