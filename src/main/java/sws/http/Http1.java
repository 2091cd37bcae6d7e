package sws.http;

import java.nio.ByteBuffer;
import sws.log.AccessLog;
import sws.net.LoopContext;
import sws.net.Peer;
import sws.net.Protocol;
import sws.net.Session;
import sws.net.Transport;

/**
 * HTTP/1.0 and 1.1 as the protocol of the event loops: what every connection shares (the handler, the
 * limits, the timeouts, the access log, the fields every response of the listener carries) and the
 * connections it opens.
 */
public final class Http1 implements Protocol {
    private static final Response TOO_MANY = Response.error(Status.SERVICE_UNAVAILABLE);

    private final Handler handler;
    private final Limits limits;
    private final Timeouts timeouts;
    private final AccessLog accessLog;
    private final AddedFields added;
    private final String quietPath;
    private final boolean counted;

    /** A listener whose every response is logged and counted. */
    public Http1(Handler handler, Limits limits, Timeouts timeouts, AccessLog accessLog, AddedFields added) {
        this(handler, limits, timeouts, accessLog, added, null, true);
    }

    /**
     * @param accessLog where each response is logged, or null
     * @param added the fields the listener adds to its responses
     * @param quietPath a path whose requests are neither logged nor counted (a balancer's health checks), or null
     * @param counted whether responses count in the loop's metrics (not those of the metrics listener itself)
     */
    public Http1(
            Handler handler,
            Limits limits,
            Timeouts timeouts,
            AccessLog accessLog,
            AddedFields added,
            String quietPath,
            boolean counted) {
        this.handler = handler;
        this.limits = limits;
        this.timeouts = timeouts;
        this.accessLog = accessLog;
        this.added = added;
        this.quietPath = quietPath;
        this.counted = counted;
    }

    /** Whether a request for this path goes unlogged and uncounted. */
    boolean quiet(Request request) {
        return quietPath != null
                && request != null
                && quietPath.equals(request.path())
                && (request.method().equals("GET") || request.method().equals("HEAD"));
    }

    boolean counted() {
        return counted;
    }

    public Handler handler() {
        return handler;
    }

    public Limits limits() {
        return limits;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /** The access log, or null. */
    public AccessLog accessLog() {
        return accessLog;
    }

    AddedFields added() {
        return added;
    }

    @Override
    public Session open(Transport transport, LoopContext loop) {
        return new Http1Connection(transport, loop, this);
    }

    /** 503 to a connection over --max-connections, as HTTP/1.1 with the connection closed. */
    @Override
    public ByteBuffer refusal() {
        byte[] head = ResponseEncoder.withFields(
                ResponseEncoder.head(TOO_MANY, true, false, false), added.forStatus(TOO_MANY.status()));
        byte[] page = ((Body.Bytes) TOO_MANY.body()).data();
        return ByteBuffer.allocate(head.length + page.length)
                .put(head)
                .put(page)
                .flip();
    }

    /** A connection without a valid PROXY header: logged as a request with no line, 400 and no bytes. */
    @Override
    public void rejected(Peer peer, long startMillis) {
        if (accessLog != null) {
            accessLog.log(new AccessLog.Entry(peer.address(), startMillis / 1000, new byte[0], 400, 0));
        }
    }
}
