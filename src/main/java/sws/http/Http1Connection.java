package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import sws.log.AccessLog;
import sws.net.LoopContext;
import sws.net.Session;
import sws.net.Transport;

/**
 * One client connection speaking HTTP/1.x, a state machine driven by its event loop: reading a head →
 * (reading a body →) writing → reading the next head, or lingering → closed. A reply made off the loop (CGI)
 * adds a state, awaiting it, during which the request body flows to it; it may go on flowing while the
 * response is written. Each request's own state is an {@link Exchange}; the framing of each response is its
 * {@link ResponseWriter}'s.
 */
public final class Http1Connection implements Session {
    enum State {
        READING_HEAD,
        READING_BODY,
        AWAITING_REPLY,
        WRITING,
        LINGERING,
        CLOSED
    }

    private static final java.time.Duration STOP_IDLE = java.time.Duration.ofSeconds(1);

    private final Transport transport;
    private final LoopContext loop;
    private final Http1 http;
    private final RequestParser parser;
    private final InputBuffer in;
    private LoopBack back;
    private final Http1Output out;

    private State state = State.READING_HEAD;
    private Exchange exchange;
    private long deadline;
    private boolean inputClosed;
    private boolean servedAny;

    Http1Connection(Transport transport, LoopContext loop, Http1 http) {
        this.transport = transport;
        this.loop = loop;
        this.http = http;
        this.parser = new RequestParser(http.limits());
        this.in = new InputBuffer(loop, http.limits());
        this.out = new Http1Output(transport, http.added());
        this.deadline = in(http.timeouts().request());
    }

    /** An idle connection gets the second a finished response gets in a stop (see finishResponse). */
    @Override
    public void stopping() {
        if (idle()) {
            deadline = Math.min(deadline, in(STOP_IDLE));
        }
    }

    @Override
    public boolean idle() {
        return state == State.READING_HEAD && exchange == null && in.isEmpty();
    }

    @Override
    public void onReadable() {
        try {
            switch (state) {
                case READING_HEAD, READING_BODY -> {
                    if (fill()) {
                        process();
                    }
                }
                case AWAITING_REPLY, WRITING -> readBesideReply();
                case LINGERING -> drain();
                case CLOSED -> {}
            }
        } catch (IOException e) {
            abort();
        }
    }

    @Override
    public void onWritable() {
        try {
            if (out.interimPending()) {
                if (!out.flushInterim()) {
                    return;
                }
                setInterest();
            }
            if (state == State.WRITING) {
                write();
            }
            process();
        } catch (IOException e) {
            abort();
        }
    }

    /** Reads what the socket has; false when nothing came. */
    private boolean fill() throws IOException {
        int n = in.fill(transport);
        if (n < 0) {
            inputClosed = true;
            return true;
        }
        if (n > 0 && (state == State.READING_BODY || (exchange != null && exchange.bodyOpen()))) {
            deadline = in(http.timeouts().request());
        }
        return n > 0;
    }

    /**
     * Runs the state machine over the bytes received until it needs more or a response is still being
     * written; pipelined requests already in the buffer are taken one after another, in a loop.
     */
    private void process() throws IOException {
        boolean more = true;
        while (more) {
            more = switch (state) {
                case READING_HEAD -> readHead();
                case READING_BODY -> skipBody();
                default -> false;
            };
        }
        if ((state == State.READING_HEAD || state == State.READING_BODY) && inputClosed) {
            if (exchange != null && (exchange.request != null || !in.onlyLineEnds())) {
                // The client half-closed in the middle of a request: it may still read the answer.
                respondToError(new HttpError(Status.BAD_REQUEST, "incomplete request"));
            } else {
                close();
            }
        }
    }

    /** Parses the head in the buffer; true when it moved the connection on. */
    private boolean readHead() throws IOException {
        if (in.isEmpty()) {
            return false;
        }
        if (exchange == null) {
            exchange = new Exchange(loop.now());
            deadline = exchange.startMillis + http.timeouts().request().toMillis();
        }
        switch (parser.parse(in.data(), in.start(), in.end())) {
            case ParseResult.Incomplete incomplete -> {
                return false;
            }
            case ParseResult.Failed failed -> respondToError(failed.error());
            case ParseResult.Complete complete -> {
                // The line is kept for the log; without a log nothing needs it once the head has parsed.
                byte[] line = http.accessLog() != null ? in.requestLine() : null;
                exchange.headParsed(complete.request(), line, http.limits().maxBodyBytes());
                in.consume(complete.headLength());
                dispatch();
            }
        }
        return true;
    }

    /** Reads and drops the body of a request whose response is ready; true when it moved on. */
    private boolean skipBody() throws IOException {
        BodyReader body = exchange.body;
        in.consume(body.read(in.data(), in.start(), in.end(), BodyReader.DISCARD));
        if (body.error() != null) {
            respondToError(body.error());
        } else if (body.done()) {
            startResponse(exchange.pending, keepAlive(), false);
        } else {
            return false;
        }
        return true;
    }

    /** Hands a complete head to the handler; a body is read afterwards, to the reply or to nowhere. */
    private void dispatch() throws IOException {
        Reply reply;
        try {
            reply = http.handler().handle(exchange.request, transport.peer());
        } catch (RuntimeException e) {
            loop.reportError(e);
            reply = Response.error(Status.INTERNAL_SERVER_ERROR);
        }
        switch (reply) {
            case Response response -> {
                if (exchange.body == null || exchange.body.done()) {
                    startResponse(response, keepAlive(), false);
                } else if (exchange.request.expectsContinue()) {
                    // RFC 9110 10.1.1: the answer needs no body, so it goes out now, without 100 Continue.
                    // Whether the client then sends the body or not, no next request can be found after it.
                    startResponse(response, false, true);
                } else {
                    exchange.pending = response;
                    state = State.READING_BODY;
                }
            }
            case Deferred deferred -> startDeferred(deferred);
        }
    }

    private boolean keepAlive() {
        return exchange.request.keepAlive() && !loop.stopping() && !inputClosed;
    }

    private void respondToError(HttpError error) throws IOException {
        if (exchange.request == null) {
            exchange.requestLine = in.requestLine();
        }
        exchange.cancelDeferred();
        startResponse(Response.error(error.status()), false, true);
    }

    private void startResponse(Response response, boolean keepAlive, boolean linger) throws IOException {
        boolean bodyLeft = exchange.bodyOpen(); // not read, so the next request cannot be found after it
        boolean sendBody = !exchange.isHead() && !response.status().forbidsBody();
        state = State.WRITING;
        exchange.closeAfter |= !out.start(response, exchange.isHttp11(), keepAlive && !bodyLeft, sendBody);
        exchange.lingerAfter = (linger || bodyLeft) && !inputClosed;
        exchange.status = response.status().code();
        deadline = in(http.timeouts().write());
        write();
    }

    /** Writes until the response is done or must wait; waits for the socket or for the body's producer. */
    private void write() throws IOException {
        ResponseWriter.Progress progress = out.write();
        if (out.progressed()) {
            deadline = in(http.timeouts().write());
        }
        switch (progress) {
            case DONE -> finishResponse();
            case BLOCKED -> setInterest();
            case WAITING -> {
                // Waiting for the producer, not for the client: no write timeout meanwhile. But a body
                // the program still waits for must keep arriving within the request timeout.
                deadline = exchange.bodyOpen() && exchange.deferred.wantsBody()
                        ? in(http.timeouts().request())
                        : Long.MAX_VALUE;
                setInterest();
            }
            case FAILED -> abort();
        }
    }

    private void finishResponse() throws IOException {
        log();
        out.finish();
        servedAny = true;
        Exchange done = exchange;
        exchange = null;
        if (done.closeAfter || done.bodyOpen()) {
            if (done.lingerAfter) {
                linger();
            } else {
                close();
            }
        } else {
            // Kept, even when a stop began while it was written: the response promised the connection, and
            // the client's next request gets Connection: close (closing now could reset that request).
            state = State.READING_HEAD;
            transport.await(true, false);
            // In a stop, a client that got its answer has a second to send a next one (answered with
            // Connection: close) before the connection closes, rather than the whole drain timeout.
            deadline = loop.stopping()
                    ? Math.min(in(http.timeouts().idle()), in(STOP_IDLE))
                    : in(http.timeouts().idle());
            in.releaseIfEmpty(); // nothing pipelined: the buffer goes back while the connection idles
        }
    }

    // ---- replies made off the loop

    private void startDeferred(Deferred deferred) throws IOException {
        exchange.deferred = deferred;
        state = State.AWAITING_REPLY;
        deadline = in(http.timeouts().request());
        if (back == null) {
            back = new LoopBack(loop, this::onReply, this::onWake); // only connections with such replies need one
        }
        deferred.start(back.forExchange(exchange));
        feedDeferred();
    }

    /** Reads beside a reply being made or written: its request body, or the start of a next request. */
    private void readBesideReply() throws IOException {
        if (!exchange.bodyOpen() && in.full()) {
            setInterest(); // full of what comes next; wait for the reply to finish first
            return;
        }
        if (fill()) {
            if (exchange.bodyOpen()) {
                feedDeferred();
            } else {
                setInterest(); // bytes of a next request, kept until the reply is done
            }
        }
    }

    /** Passes buffered body to the deferred reply, sending 100 Continue first when the client waits for one. */
    private void feedDeferred() throws IOException {
        Exchange x = exchange;
        if (state == State.AWAITING_REPLY && x.needsContinue()) {
            sendContinue();
        }
        HttpError error = x.feedBody(in);
        if (error == null && !x.bodyEndSent && inputClosed) {
            error = new HttpError(Status.BAD_REQUEST, "incomplete request body"); // the client stopped sending
        }
        if (error == null) {
            setInterest();
        } else if (state == State.AWAITING_REPLY) {
            respondToError(error);
        } else {
            abort();
        }
    }

    /**
     * RFC 9110 10.1.1: the client waits for 100 Continue before it sends the body, so it goes out when the
     * body is first needed, and only then. A client that did not wait (body bytes are here already) needs none.
     */
    private void sendContinue() throws IOException {
        exchange.continueAnswered = true;
        if (in.isEmpty()) {
            out.sendContinue();
        }
    }

    /** The reply, or what replaces it (another reply for a local redirect), comes in on the loop. */
    private void onReply(Exchange x, Reply reply) {
        if (x != exchange || state != State.AWAITING_REPLY) {
            Reply.discard(reply); // the connection has given up on this request
            return;
        }
        try {
            switch (reply) {
                case Response response -> startResponse(response, keepAlive(), false);
                case Deferred next -> {
                    x.replaceDeferred(next);
                    startDeferred(next);
                }
            }
            process();
        } catch (IOException e) {
            abort();
        }
    }

    private void onWake() {
        try {
            if (exchange != null && exchange.bodyOpen() && (state == State.AWAITING_REPLY || state == State.WRITING)) {
                feedDeferred();
            }
            if (state == State.WRITING && out.streams()) {
                write();
                process();
            }
        } catch (IOException e) {
            abort();
        }
    }

    /**
     * Write interest while output waits for room in the socket; read interest while a deferred reply takes
     * body, and also while it is being made, so that a client that resets the connection is noticed and its
     * program stopped (what arrives meanwhile is a next request, kept while there is room).
     */
    private void setInterest() {
        boolean read = false;
        if (!inputClosed && exchange != null && exchange.deferred != null) {
            read = exchange.bodyOpen() ? exchange.deferred.wantsBody() : !in.full();
        }
        transport.await(read, out.blocked());
    }

    // ---- time and closing

    @Override
    public void onTick(long now) {
        if (now < deadline || state == State.CLOSED) {
            return;
        }
        try {
            switch (state) {
                case READING_HEAD, READING_BODY -> {
                    if (exchange == null && servedAny) {
                        close(); // an idle keep-alive connection: nothing to answer
                        return;
                    }
                    exchange = exchange == null ? new Exchange(now) : exchange;
                    respondToError(new HttpError(Status.REQUEST_TIMEOUT, "request timeout"));
                }
                case AWAITING_REPLY -> {
                    // Only a client that stopped sending the body times out; the program has its own limit.
                    if (exchange.bodyOpen() && exchange.deferred.wantsBody()) {
                        respondToError(new HttpError(Status.REQUEST_TIMEOUT, "request body timeout"));
                    } else {
                        deadline = in(http.timeouts().request());
                    }
                }
                case WRITING, LINGERING -> abort();
                case CLOSED -> {}
            }
        } catch (IOException e) {
            abort();
        }
    }

    /**
     * After an error the client may still be sending; closing at once would reset the connection and could
     * destroy the error response on its way. So stop writing, read and drop what comes, then close.
     */
    private void linger() throws IOException {
        state = State.LINGERING;
        transport.shutdownOutput();
        deadline = in(Timeouts.LINGER);
        transport.await(true, false);
    }

    private void drain() throws IOException {
        ByteBuffer scratch = loop.scratch();
        int n;
        do {
            n = transport.read(scratch.clear());
        } while (n > 0);
        if (n < 0) {
            close();
        }
    }

    /** The deadline this long from now, on the loop's clock. */
    private long in(java.time.Duration time) {
        return loop.now() + time.toMillis();
    }

    /** The response in the access log and the loop's counters, unless it answers a health check. */
    private void log() {
        if (http.quiet(exchange.request)) {
            return;
        }
        AccessLog log = http.accessLog();
        if (log != null) {
            log.log(exchange.logEntry(transport.peer().address(), out.bodyBytes()));
        }
        if (http.counted()) {
            loop.counters().response(exchange.status, out.bodyBytes(), loop.now() - exchange.startMillis);
        }
    }

    /** Ends the connection after a failure: logs a response that had begun, then closes. */
    @Override
    public void abort() {
        if (state == State.WRITING) {
            log();
        }
        close();
    }

    private void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (exchange != null) {
            exchange.cancelDeferred();
        }
        out.finish();
        in.release();
        transport.close();
    }
}
