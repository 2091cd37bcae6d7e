package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import sws.net.Transport;

/**
 * A body streamed as its producer makes it, sent as it is: framed by the Content-Length the producer gave,
 * or, on HTTP/1.0 without one, by the end of the connection.
 */
final class StreamWriter extends ResponseWriter {
    private final Body.Stream stream;

    StreamWriter(ByteBuffer interim, byte[] head, Body.Stream stream, boolean sendBody) {
        super(interim, head, sendBody);
        this.stream = stream;
    }

    @Override
    boolean keepsConnection(boolean asked) {
        return asked && stream.length() >= 0;
    }

    @Override
    boolean streams() {
        return true;
    }

    @Override
    void release() {
        stream.source().release();
    }

    @Override
    protected Progress next(Transport transport) throws IOException {
        StreamSource source = stream.source();
        ByteBuffer piece = source.next();
        if (piece != null) {
            if (sendBody && piece.hasRemaining()) {
                bodyBytes += piece.remaining();
                queue(piece);
            }
            return null;
        }
        if (!source.ended()) {
            return Progress.WAITING;
        }
        return source.failed() ? Progress.FAILED : Progress.DONE;
    }
}
