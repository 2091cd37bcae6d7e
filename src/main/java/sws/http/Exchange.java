package sws.http;

import sws.log.AccessLog;

/**
 * One request on a connection, from its first byte to the end of its response: what is known of it so far,
 * the reply that answers it, and what its access-log line needs. Made fresh for each request.
 */
final class Exchange {
    /** When the request's first byte arrived, epoch milliseconds. */
    final long startMillis;

    /** The request, once its head has parsed. */
    Request request;

    /** The request line as sent, for the log; null when nothing logs. */
    byte[] requestLine;

    /** The request body still to read, or null when there is none. */
    BodyReader body;

    /** A response that waits for the body to be read (and dropped) before it goes out. */
    Response pending;

    /** A reply made off the loop, while it is being made and its response written. */
    Deferred deferred;

    /** Whether the deferred reply has been told that the body is complete. */
    boolean bodyEndSent;

    /** Whether the client's Expect: 100-continue has been dealt with. */
    boolean continueAnswered;

    /** Whether the connection closes after this response, and whether it lingers first. */
    boolean closeAfter;

    boolean lingerAfter;

    /** The status sent, for the log. */
    int status;

    Exchange(long startMillis) {
        this.startMillis = startMillis;
    }

    /** Whether the deferred reply still takes request body. */
    boolean bodyOpen() {
        return deferred != null && !bodyEndSent;
    }

    /**
     * Whether the response is to a HEAD and so has no body: known from the parsed request, or for one refused
     * before it was whole, from how its request line begins.
     */
    boolean isHead() {
        if (request != null) {
            return request.isHead();
        }
        byte[] line = requestLine;
        return line != null
                && line.length >= 5
                && line[0] == 'H'
                && line[1] == 'E'
                && line[2] == 'A'
                && line[3] == 'D'
                && line[4] == ' ';
    }

    boolean isHttp11() {
        return request == null || request.isHttp11();
    }

    /** Whether the client waits for 100 Continue and the deferred reply now wants the body it holds back. */
    boolean needsContinue() {
        return !continueAnswered && request.expectsContinue() && deferred.wantsBody();
    }

    /**
     * Passes buffered body bytes to the deferred reply while it has room, and the end once it is all there;
     * the framing error found, or null.
     */
    HttpError feedBody(InputBuffer in) {
        while (body != null && !body.done() && !in.isEmpty() && deferred.wantsBody()) {
            in.consume(body.read(in.data(), in.start(), in.end(), deferred::body));
            if (body.error() != null) {
                return body.error();
            }
        }
        if (!bodyEndSent && (body == null || body.done())) {
            bodyEndSent = true;
            deferred.bodyEnd();
        }
        return null;
    }

    /** The head has parsed: the request, its line for the log (or null), and a reader for its body. */
    void headParsed(Request parsed, byte[] line, long maxBody) {
        request = parsed;
        requestLine = line;
        if (parsed.bodyLength() != 0) {
            body = new BodyReader(parsed.bodyLength(), maxBody);
        }
    }

    /**
     * A reply takes the deferred one's place (a local redirect's). When the first answered before it had the
     * whole body, the rest of the body goes nowhere, and no next request can be found after it.
     */
    void replaceDeferred(Deferred next) {
        if (bodyOpen()) {
            deferred.cancel();
            closeAfter = true;
        }
        body = null;
        deferred = next;
        bodyEndSent = false;
    }

    /** Stops the deferred reply, if any: the connection has given up on it. */
    void cancelDeferred() {
        if (deferred != null) {
            deferred.cancel();
            deferred = null;
        }
    }

    /** The access-log line of this exchange. */
    AccessLog.Entry logEntry(String address, long bytes) {
        return new AccessLog.Entry(
                address, startMillis / 1000, requestLine == null ? new byte[0] : requestLine, status, bytes);
    }
}
