package sws.net;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import sws.http.Body;
import sws.http.BodyReader;
import sws.http.Client;
import sws.http.Deferred;
import sws.http.HttpError;
import sws.http.ParseResult;
import sws.http.Reply;
import sws.http.Request;
import sws.http.RequestParser;
import sws.http.Response;
import sws.http.ResponseEncoder;
import sws.http.Status;
import sws.http.StreamSource;
import sws.log.AccessLog;

/**
 * One client connection, a state machine driven by readiness events from its event loop:
 * reading head → reading body → writing → (keep-alive: reading head again) or lingering → closed.
 * A reply made off the loop (CGI) adds one state, waiting for it, during which the request body still
 * flows to it; its body may also keep flowing while the response is written.
 */
final class Connection {
    enum State {
        READING_HEAD,
        READING_BODY,
        AWAITING_REPLY,
        WRITING,
        LINGERING,
        CLOSED
    }

    private static final int MAX_LOCAL_REDIRECTS = 8;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final EventLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Client client;
    private final RequestParser parser;

    private State state = State.READING_HEAD;
    private byte[] in;
    private ByteBuffer inView;
    private int inStart;
    private int inEnd;
    private boolean inputClosed;
    private boolean servedAny;

    private long requestStartMillis = -1;
    private Request request;
    private byte[] requestLine;
    private BodyReader body;
    private Response pending;
    private long deadline;

    private Deferred deferred;
    private boolean bodyEndSent;
    private int redirects;
    private final AtomicBoolean wakePosted = new AtomicBoolean();

    private ByteBuffer interim;
    private boolean continueAnswered;
    private final ByteBuffer[] out = new ByteBuffer[4];
    private int outCount;
    private FileChannel file;
    private long filePosition;
    private long fileEnd;
    private StreamSource stream;
    private boolean chunked;
    private boolean sendBody;
    private boolean blockedOnWrite;
    private boolean noDelay;
    private boolean closeAfterWrite;
    private boolean lingerAfterWrite;
    private int loggedStatus;
    private long loggedBytes;

    Connection(EventLoop loop, SocketChannel channel, SelectionKey key, Client client) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.client = client;
        this.parser = new RequestParser(loop.limits());
        this.deadline = loop.now() + loop.timeouts().request().toMillis();
    }

    /** Whether the connection is between requests with nothing received: safe to close at a stop. */
    boolean idle() {
        return state == State.READING_HEAD && inStart == inEnd && requestStartMillis < 0;
    }

    void onReadable() {
        try {
            if (state == State.LINGERING) {
                drain();
                return;
            }
            if (deferred != null && !deferredBodyOpen() && in != null && inEnd == in.length) {
                setInterest(); // full of what comes next; wait for the reply to finish first
                return;
            }
            if (!fill()) {
                return;
            }
            if (deferredBodyOpen()) {
                feedDeferred();
            } else if (deferred != null) {
                setInterest(); // bytes of a next request, kept until the reply is done
            } else {
                process();
            }
        } catch (IOException e) {
            abort();
        }
    }

    void onWritable() {
        try {
            if (interim != null && !flushInterim()) {
                return;
            }
            write();
            process();
        } catch (IOException e) {
            abort();
        }
    }

    /** Reads what the socket has; false when nothing came. */
    private boolean fill() throws IOException {
        if (in == null) {
            inView = loop.takeBuffer();
            in = inView.array();
            inStart = inEnd = 0;
        } else if (inEnd == in.length) {
            makeRoom();
        }
        inView.limit(in.length).position(inEnd);
        int n = channel.read(inView);
        if (n < 0) {
            inputClosed = true;
            return true;
        }
        if (n == 0) {
            return false;
        }
        if (state == State.READING_BODY || deferredBodyOpen()) {
            deadline = loop.now() + loop.timeouts().request().toMillis();
        }
        inEnd += n;
        return true;
    }

    /** Moves unread bytes to the front, or grows the buffer when a head is larger than it. */
    private void makeRoom() {
        if (inStart > 0) {
            System.arraycopy(in, inStart, in, 0, inEnd - inStart);
            inEnd -= inStart;
            inStart = 0;
        } else {
            // Only a head can fill the whole buffer; the parser has refused one over the limit by now.
            int size = Math.min(in.length * 2, loop.limits().maxHeadBytes() + 1024);
            in = Arrays.copyOf(in, Math.max(size, in.length + 1));
            inView = ByteBuffer.wrap(in);
        }
    }

    /**
     * Runs the state machine over the bytes received until it needs more or a response is still being
     * written; pipelined requests already in the buffer are taken one after another.
     */
    private void process() throws IOException {
        while (state == State.READING_HEAD || state == State.READING_BODY) {
            if (state == State.READING_HEAD) {
                if (inStart == inEnd) {
                    break;
                }
                if (requestStartMillis < 0) {
                    requestStartMillis = loop.now();
                    deadline = requestStartMillis + loop.timeouts().request().toMillis();
                }
                ParseResult result = parser.parse(in, inStart, inEnd);
                if (result instanceof ParseResult.Failed failed) {
                    requestLine = partialRequestLine();
                    respondToError(failed.error());
                    continue;
                }
                if (!(result instanceof ParseResult.Complete complete)) {
                    break;
                }
                // Kept for the log line; without a log nothing needs it once the head has parsed.
                requestLine = loop.accessLog() != null ? partialRequestLine() : null;
                request = complete.request();
                inStart += complete.headLength();
                if (request.bodyLength() != 0) {
                    body = new BodyReader(request.bodyLength(), loop.limits().maxBodyBytes());
                }
                dispatch(request);
            } else {
                inStart += body.read(in, inStart, inEnd, BodyReader.DISCARD);
                if (body.error() != null) {
                    respondToError(body.error());
                } else if (body.done()) {
                    Response ready = pending;
                    pending = null;
                    startResponse(ready, keepAlive());
                } else {
                    break;
                }
            }
        }
        if (state != State.READING_HEAD && state != State.READING_BODY) {
            return;
        }
        if (inStart == inEnd && in != null) {
            inStart = inEnd = 0;
        }
        if (inputClosed) {
            if (requestStartMillis >= 0 && !onlyLineEnds()) {
                // The client half-closed in the middle of a request: it may still read the answer.
                if (request == null) {
                    requestLine = partialRequestLine();
                }
                respondToError(HttpError.fatal(Status.BAD_REQUEST, "incomplete request"));
            } else {
                close();
            }
        }
    }

    /** Whether all that is left of the input is empty lines, which RFC 9112 2.2 says to ignore. */
    private boolean onlyLineEnds() {
        if (request != null) {
            return false;
        }
        for (int i = inStart; i < inEnd; i++) {
            if (in[i] != '\r' && in[i] != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Hands a complete head to the handler; a body is read afterwards, to the handler or to nowhere. */
    private void dispatch(Request r) throws IOException {
        Reply reply;
        try {
            reply = loop.handler().handle(r, client);
        } catch (RuntimeException e) {
            loop.reportError(e);
            reply = Response.error(Status.INTERNAL_SERVER_ERROR);
        }
        switch (reply) {
            case Response response -> {
                if (body == null || body.done()) {
                    startResponse(response, keepAlive());
                } else if (r.expectsContinue()) {
                    // RFC 9110 10.1.1: the answer does not need the body, so it goes out now, without
                    // 100 Continue. Whether the client then sends the body or not, the next request
                    // cannot be found after it: close (after a linger, so the answer is read).
                    startResponse(response, false, true);
                } else {
                    pending = response;
                    state = State.READING_BODY;
                }
            }
            case Deferred d -> startDeferred(d);
        }
    }

    private boolean keepAlive() {
        return request.keepAlive() && !loop.stopping() && !inputClosed;
    }

    private void respondToError(HttpError error) throws IOException {
        if (deferred != null) {
            deferred.cancel();
            deferred = null;
        }
        startResponse(Response.error(error.status()), false, true);
    }

    /**
     * Whether the request being answered is a HEAD, whose response never has a body: known from the
     * parsed request, or for one refused before it was whole, from how its request line begins.
     */
    private boolean isHead() {
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

    private void startResponse(Response response, boolean keepAlive) throws IOException {
        startResponse(response, keepAlive, false);
    }

    private void startResponse(Response response, boolean keepAlive, boolean linger) throws IOException {
        boolean http11 = request == null || request.isHttp11();
        boolean head = isHead();
        Body b = response.body();
        if (!noDelay && (servedAny || b instanceof Body.FileRegion || b instanceof Body.Stream)) {
            // Nagle's algorithm would hold a small write back while an earlier one is unacknowledged: the
            // tail of a file after its head, or a second response on the connection. A first response
            // written in one go is never held, so a connection that has just one costs no setsockopt.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            noDelay = true;
        }
        if (b instanceof Body.Stream s && s.length() < 0) {
            // No length: HTTP/1.1 gets chunks, HTTP/1.0 learns the end from the close.
            chunked = http11;
            keepAlive &= http11;
        } else {
            chunked = false;
        }
        if (deferredBodyOpen()) {
            keepAlive = false; // the rest of the body is not read, so the next request cannot be found
        }
        state = State.WRITING;
        closeAfterWrite = !keepAlive;
        lingerAfterWrite = (linger || deferredBodyOpen()) && !inputClosed;
        sendBody = !head && !response.status().forbidsBody();
        loggedStatus = response.status().code();
        loggedBytes = sendBody && !(b instanceof Body.Stream) ? b.length() : 0;
        outCount = 0;
        if (interim != null) {
            out[outCount++] = interim; // the rest of a 100 Continue goes first
            interim = null;
        }
        queue(ResponseEncoder.head(response, http11, keepAlive, chunked));
        switch (b) {
            case Body.Bytes bytes -> {
                if (sendBody) {
                    queue(bytes.data());
                }
            }
            case Body.Shared shared -> {
                if (sendBody) {
                    out[outCount++] = shared.data().duplicate();
                }
            }
            case Body.FileRegion region -> {
                if (sendBody) {
                    file = region.channel();
                    filePosition = region.offset();
                    fileEnd = region.offset() + region.length();
                } else {
                    closeQuietly(region.channel());
                }
            }
            case Body.Stream s -> stream = s.source();
            case Body.None none -> {}
        }
        deadline = loop.now() + loop.timeouts().write().toMillis();
        write();
    }

    private void queue(byte[] bytes) {
        out[outCount++] = ByteBuffer.wrap(bytes);
    }

    /** Writes what is queued, then the file, then the stream; returns when done or the socket is full. */
    private void write() throws IOException {
        while (state == State.WRITING) {
            if (outCount > 0) {
                long n = channel.write(out, 0, outCount);
                if (n > 0) {
                    deadline = loop.now() + loop.timeouts().write().toMillis();
                }
                if (out[outCount - 1].hasRemaining()) {
                    blockedOnWrite = true;
                    setInterest();
                    return;
                }
                outCount = 0;
            }
            if (file != null && filePosition < fileEnd) {
                long n = file.transferTo(filePosition, fileEnd - filePosition, channel);
                if (n > 0) {
                    filePosition += n;
                    deadline = loop.now() + loop.timeouts().write().toMillis();
                    continue;
                }
                if (file.size() < fileEnd) {
                    // The file shrank while it was being sent: the promised length cannot be kept.
                    abort();
                    return;
                }
                blockedOnWrite = true;
                setInterest();
                return;
            }
            if (stream != null) {
                ByteBuffer piece = stream.next();
                if (piece != null) {
                    if (sendBody && piece.hasRemaining()) {
                        loggedBytes += piece.remaining();
                        if (chunked) {
                            queue((Integer.toHexString(piece.remaining()) + "\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            out[outCount++] = piece;
                            queue(CRLF);
                        } else {
                            out[outCount++] = piece;
                        }
                    }
                    continue;
                }
                if (!stream.ended()) {
                    // Waiting for the producer, not for the client: no write timeout meanwhile. But a
                    // body the program still waits for must keep arriving within the request timeout.
                    deadline = deferredBodyOpen() && deferred.wantsBody()
                            ? loop.now() + loop.timeouts().request().toMillis()
                            : Long.MAX_VALUE;
                    blockedOnWrite = false;
                    setInterest();
                    return;
                }
                if (stream.failed()) {
                    abort();
                    return;
                }
                stream = null;
                if (chunked && sendBody) {
                    queue(LAST_CHUNK);
                    continue;
                }
            }
            finishResponse();
            return;
        }
    }

    private void finishResponse() throws IOException {
        blockedOnWrite = false;
        logRequest();
        if (file != null) {
            closeQuietly(file);
            file = null;
        }
        servedAny = true;
        boolean bodyLeft = deferredBodyOpen();
        deferred = null;
        request = null;
        body = null;
        requestLine = null;
        requestStartMillis = -1;
        redirects = 0;
        continueAnswered = false;
        if (closeAfterWrite || bodyLeft) {
            if (lingerAfterWrite) {
                linger();
            } else {
                close();
            }
            return;
        }
        if (loop.stopping()) {
            close();
            return;
        }
        state = State.READING_HEAD;
        key.interestOps(SelectionKey.OP_READ);
        deadline = loop.now() + loop.timeouts().idle().toMillis();
        if (inStart == inEnd) {
            // Nothing pipelined: give the buffer back while the connection idles.
            inStart = inEnd = 0;
            if (in != null) {
                loop.returnBuffer(inView);
            }
            in = null;
            inView = null;
        }
    }

    // ---- replies made off the loop

    private void startDeferred(Deferred d) throws IOException {
        deferred = d;
        bodyEndSent = false;
        state = State.AWAITING_REPLY;
        deadline = loop.now() + loop.timeouts().request().toMillis();
        d.start(new Back(this));
        feedDeferred();
    }

    /** Whether a deferred reply is still taking request body from this connection. */
    private boolean deferredBodyOpen() {
        return deferred != null && !bodyEndSent;
    }

    /** Passes buffered body bytes to the deferred reply while it has room, and the end once it is there. */
    private void feedDeferred() throws IOException {
        Deferred d = deferred;
        if (!continueAnswered && request.expectsContinue() && state == State.AWAITING_REPLY && d.wantsBody()) {
            sendContinue();
        }
        while (body != null && !body.done() && inStart < inEnd && d.wantsBody()) {
            inStart += body.read(in, inStart, inEnd, d::body);
            if (body.error() != null) {
                HttpError error = body.error();
                if (state == State.AWAITING_REPLY) {
                    respondToError(error);
                } else {
                    abort();
                }
                return;
            }
        }
        if (!bodyEndSent && (body == null || body.done())) {
            bodyEndSent = true;
            d.bodyEnd();
        }
        if (inStart == inEnd && in != null) {
            inStart = inEnd = 0;
        }
        if (!bodyEndSent && inputClosed) {
            // The client stopped sending in the middle of the body.
            if (state == State.AWAITING_REPLY) {
                respondToError(HttpError.fatal(Status.BAD_REQUEST, "incomplete request body"));
            } else {
                abort();
            }
            return;
        }
        setInterest();
    }

    /**
     * RFC 9110 10.1.1: the client waits for this before it sends the body, so it goes out when the body is
     * first needed, and only then. A client that did not wait (body bytes are here already) needs none.
     */
    private void sendContinue() throws IOException {
        continueAnswered = true;
        if (inStart < inEnd) {
            return;
        }
        interim = ByteBuffer.wrap(CONTINUE);
        flushInterim();
    }

    /** Writes what is left of an interim response; false while the socket has no room for it. */
    private boolean flushInterim() throws IOException {
        channel.write(interim);
        if (interim.hasRemaining()) {
            blockedOnWrite = true;
            setInterest();
            return false;
        }
        interim = null;
        blockedOnWrite = false;
        setInterest();
        return true;
    }

    private void onReply(Response response) {
        if (state != State.AWAITING_REPLY) {
            return;
        }
        try {
            startResponse(response, keepAlive());
            process();
        } catch (IOException e) {
            abort();
        }
    }

    /** RFC 3875 6.2.2: answer as if the client had asked for the target with GET. */
    private void onRedirect(String target) {
        if (state != State.AWAITING_REPLY) {
            return;
        }
        try {
            Request next = RequestParser.localRedirect(request, target);
            if (next == null || ++redirects > MAX_LOCAL_REDIRECTS) {
                startResponse(Response.error(Status.INTERNAL_SERVER_ERROR), keepAlive());
                return;
            }
            if (deferredBodyOpen()) {
                // The first program has answered; the rest of its body goes nowhere.
                deferred.cancel();
                deferred = null;
                closeAfterWrite = true;
            } else {
                deferred = null;
            }
            boolean head = request.isHead();
            request = head
                    ? new Request(
                            "HEAD",
                            next.target(),
                            next.path(),
                            next.rawPath(),
                            next.query(),
                            next.minorVersion(),
                            next.headers(),
                            next.keepAlive(),
                            0,
                            false)
                    : next;
            body = null;
            dispatch(request);
            process();
        } catch (IOException e) {
            abort();
        }
    }

    private void onWake() {
        wakePosted.set(false);
        try {
            if (deferredBodyOpen() && (state == State.AWAITING_REPLY || state == State.WRITING)) {
                feedDeferred();
            }
            if (state == State.WRITING && stream != null) {
                write();
                process();
            }
        } catch (IOException e) {
            abort();
        }
    }

    /** Read interest while a deferred reply takes body (or a head is awaited), write interest when asked. */
    /**
     * Write interest while output waits for room in the socket; read interest while a deferred reply
     * takes body, and also while it is being made, so that a client that resets the connection is noticed
     * and its program stopped (what arrives meanwhile is a next request, kept while there is room).
     */
    private void setInterest() {
        if (!key.isValid()) {
            return;
        }
        int ops = blockedOnWrite ? SelectionKey.OP_WRITE : 0;
        if (!inputClosed && deferred != null) {
            boolean room = in == null || inEnd < in.length;
            if (deferredBodyOpen() ? deferred.wantsBody() : room) {
                ops |= SelectionKey.OP_READ;
            }
        }
        key.interestOps(ops);
    }

    /** The way back from another thread: every call becomes a task on this connection's loop. */
    private record Back(Connection c) implements Deferred.Back {
        @Override
        public void respond(Response response) {
            c.loop.execute(() -> c.onReply(response));
        }

        @Override
        public void redirect(String target) {
            c.loop.execute(() -> c.onRedirect(target));
        }

        @Override
        public void wake() {
            if (c.wakePosted.compareAndSet(false, true)) {
                c.loop.execute(c::onWake);
            }
        }
    }

    // ---- closing

    /**
     * After an error the client may still be sending; closing at once would reset the connection and
     * could destroy the error response on its way. So stop writing, read and drop what comes, then close.
     */
    private void linger() throws IOException {
        state = State.LINGERING;
        channel.shutdownOutput();
        deadline = loop.now() + Timeouts.LINGER_MILLIS;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void drain() throws IOException {
        ByteBuffer scratch = loop.scratch();
        while (true) {
            scratch.clear();
            int n = channel.read(scratch);
            if (n < 0) {
                close();
                return;
            }
            if (n == 0) {
                return;
            }
        }
    }

    /** Called about once a second by the loop: enforces the timeouts of spec section 3. */
    void checkTimeout(long now) {
        if (now < deadline || state == State.CLOSED) {
            return;
        }
        try {
            switch (state) {
                case READING_HEAD, READING_BODY -> {
                    if (requestStartMillis < 0 && servedAny) {
                        close(); // an idle keep-alive connection: nothing to answer
                    } else {
                        if (request == null) {
                            requestLine = partialRequestLine();
                        }
                        respondToError(HttpError.fatal(Status.REQUEST_TIMEOUT, "request timeout"));
                    }
                }
                case AWAITING_REPLY -> {
                    // Only a client that stopped sending the body times out; the program has its own limit.
                    if (deferredBodyOpen() && deferred.wantsBody()) {
                        respondToError(HttpError.fatal(Status.REQUEST_TIMEOUT, "request body timeout"));
                    } else {
                        deadline = now + loop.timeouts().request().toMillis();
                    }
                }
                case WRITING, LINGERING -> abort();
                case CLOSED -> {}
            }
        } catch (IOException e) {
            abort();
        }
    }

    /** The request line as the client sent it so far: up to the first line end, after any empty lines. */
    private byte[] partialRequestLine() {
        if (in == null) {
            return new byte[0];
        }
        int start = inStart;
        while (start < inEnd && (in[start] == '\r' || in[start] == '\n')) {
            start++;
        }
        int end = start;
        int max = Math.min(inEnd, start + loop.limits().maxRequestLine() + 1);
        while (end < max && in[end] != '\n') {
            end++;
        }
        if (end > start && end < inEnd && in[end] == '\n' && in[end - 1] == '\r') {
            end--;
        }
        return Arrays.copyOfRange(in, start, end);
    }

    private void logRequest() {
        AccessLog log = loop.accessLog();
        if (log == null) {
            return;
        }
        long started = requestStartMillis < 0 ? loop.now() : requestStartMillis;
        byte[] line = requestLine == null ? new byte[0] : requestLine;
        log.log(new AccessLog.Entry(client.address(), started / 1000, line, loggedStatus, loggedBytes));
    }

    /** Ends the connection after a failure: logs a response that had begun, then closes. */
    void abort() {
        if (state == State.WRITING) {
            logRequest();
        }
        close();
    }

    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (deferred != null) {
            deferred.cancel();
            deferred = null;
        }
        if (file != null) {
            closeQuietly(file);
            file = null;
        }
        if (in != null) {
            loop.returnBuffer(inView);
            in = null;
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // the socket is gone either way
        }
        loop.closed(this);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // a file opened for reading loses nothing when its close fails
        }
    }
}
