package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import sws.net.Transport;

/** A body of unknown length to an HTTP/1.1 client, in chunks (RFC 9112 section 7.1) as its producer makes it. */
final class ChunkedWriter extends ResponseWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamSource source;
    private boolean ended;

    ChunkedWriter(ByteBuffer interim, byte[] head, Body.Stream stream, boolean sendBody) {
        super(interim, head, sendBody);
        this.source = stream.source();
    }

    @Override
    boolean streams() {
        return true;
    }

    @Override
    void release() {
        source.release();
    }

    @Override
    protected Progress next(Transport transport) throws IOException {
        if (ended) {
            return Progress.DONE;
        }
        ByteBuffer piece = source.next();
        if (piece != null) {
            if (sendBody && piece.hasRemaining()) {
                bodyBytes += piece.remaining();
                queue(ByteBuffer.wrap(
                        (Integer.toHexString(piece.remaining()) + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                queue(piece);
                queue(ByteBuffer.wrap(CRLF));
            }
            return null;
        }
        if (!source.ended()) {
            return Progress.WAITING;
        }
        if (source.failed()) {
            return Progress.FAILED; // no last chunk: the client must not take a cut body for a whole one
        }
        ended = true;
        if (sendBody) {
            queue(ByteBuffer.wrap(LAST_CHUNK));
            return null;
        }
        return Progress.DONE;
    }
}
