package sws.http;

import java.nio.ByteBuffer;
import sws.log.AccessLog;
import sws.net.LoopContext;
import sws.net.Protocol;
import sws.net.Session;
import sws.net.Transport;

/**
 * HTTP/1.0 and 1.1 as the protocol of the event loops: what every connection shares (the handler, the
 * limits, the timeouts, the access log) and the connections it opens.
 *
 * @param accessLog where each response is logged, or null
 */
public record Http1(Handler handler, Limits limits, Timeouts timeouts, AccessLog accessLog) implements Protocol {
    private static final Response TOO_MANY = Response.error(Status.SERVICE_UNAVAILABLE);

    @Override
    public Session open(Transport transport, LoopContext loop) {
        return new Http1Connection(transport, loop, this);
    }

    /** 503 to a connection over --max-connections, as HTTP/1.1 with the connection closed. */
    @Override
    public ByteBuffer refusal() {
        byte[] head = ResponseEncoder.head(TOO_MANY, true, false, false);
        byte[] page = ((Body.Bytes) TOO_MANY.body()).data();
        return ByteBuffer.allocate(head.length + page.length)
                .put(head)
                .put(page)
                .flip();
    }
}
