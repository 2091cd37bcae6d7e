package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import sws.http.Body;
import sws.http.BodyReader;
import sws.http.HttpError;
import sws.http.ParseResult;
import sws.http.Request;
import sws.http.RequestParser;
import sws.http.Response;
import sws.http.ResponseEncoder;
import sws.http.Status;
import sws.log.AccessLog;

/**
 * One client connection, a state machine driven by readiness events from its event loop:
 * reading head → reading body → writing → (keep-alive: reading head again) or lingering → closed.
 */
final class Connection {
    enum State {
        READING_HEAD,
        READING_BODY,
        WRITING,
        LINGERING,
        CLOSED
    }

    private final EventLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final String remoteAddress;
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
    private long deadline;

    private final ByteBuffer[] out = new ByteBuffer[2];
    private FileChannel file;
    private long filePosition;
    private long fileEnd;
    private boolean closeAfterWrite;
    private boolean lingerAfterWrite;
    private int loggedStatus;
    private long loggedBytes;

    Connection(EventLoop loop, SocketChannel channel, SelectionKey key, String remoteAddress) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.remoteAddress = remoteAddress;
        this.parser = new RequestParser(loop.limits());
        this.deadline = loop.now() + loop.timeouts().request().toMillis();
    }

    State state() {
        return state;
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
            if (!fill()) {
                return;
            }
            process();
        } catch (IOException e) {
            abort();
        }
    }

    void onWritable() {
        try {
            write();
            process();
        } catch (IOException e) {
            abort();
        }
    }

    /** Reads what the socket has; false when nothing came. */
    private boolean fill() throws IOException {
        if (in == null) {
            in = loop.takeBuffer();
            inView = ByteBuffer.wrap(in);
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
        if (state == State.READING_BODY) {
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
                requestLine = partialRequestLine();
                request = complete.request();
                inStart += complete.headLength();
                if (request.bodyLength() == 0) {
                    dispatch();
                    continue;
                }
                body = new BodyReader(request.bodyLength(), loop.limits().maxBodyBytes());
                state = State.READING_BODY;
            } else {
                inStart += body.read(in, inStart, inEnd, BodyReader.DISCARD);
                if (body.error() != null) {
                    respondToError(body.error());
                } else if (body.done()) {
                    dispatch();
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
            if (requestStartMillis >= 0) {
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

    private void dispatch() throws IOException {
        Response response;
        try {
            response = loop.handler().handle(request);
        } catch (RuntimeException e) {
            loop.reportError(e);
            response = Response.error(Status.INTERNAL_SERVER_ERROR);
        }
        boolean keepAlive = request.keepAlive() && !loop.stopping() && !inputClosed;
        startResponse(response, request.isHttp11(), keepAlive, request.isHead(), false);
    }

    private void respondToError(HttpError error) throws IOException {
        boolean http11 = request == null || request.isHttp11();
        Response response = Response.error(error.status());
        startResponse(response, http11, false, isHead(), true);
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

    private void startResponse(Response response, boolean http11, boolean keepAlive, boolean head, boolean linger)
            throws IOException {
        state = State.WRITING;
        closeAfterWrite = !keepAlive;
        lingerAfterWrite = linger && !inputClosed;
        loggedStatus = response.status().code();
        Body b = response.body();
        loggedBytes = head ? 0 : b.length();
        out[0] = ByteBuffer.wrap(ResponseEncoder.head(response, http11, keepAlive));
        out[1] = null;
        switch (b) {
            case Body.Bytes bytes -> {
                if (!head) {
                    out[1] = ByteBuffer.wrap(bytes.data());
                }
            }
            case Body.FileRegion region -> {
                if (head) {
                    closeQuietly(region.channel());
                } else {
                    file = region.channel();
                    filePosition = region.offset();
                    fileEnd = region.offset() + region.length();
                }
            }
            case Body.None none -> {}
        }
        deadline = loop.now() + loop.timeouts().write().toMillis();
        write();
    }

    private void write() throws IOException {
        long written = 0;
        if (out[1] != null) {
            written = channel.write(out, 0, 2);
        } else if (out[0] != null) {
            written = channel.write(out[0]);
        }
        if (written > 0) {
            deadline = loop.now() + loop.timeouts().write().toMillis();
        }
        if ((out[0] != null && out[0].hasRemaining()) || (out[1] != null && out[1].hasRemaining())) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        out[0] = out[1] = null;
        while (file != null && filePosition < fileEnd) {
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
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        finishResponse();
    }

    private void finishResponse() throws IOException {
        logRequest();
        if (file != null) {
            closeQuietly(file);
            file = null;
        }
        servedAny = true;
        request = null;
        body = null;
        requestLine = null;
        requestStartMillis = -1;
        if (closeAfterWrite) {
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
                loop.returnBuffer(in);
            }
            in = null;
            inView = null;
        }
    }

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
        log.log(new AccessLog.Entry(remoteAddress, started / 1000, line, loggedStatus, loggedBytes));
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
        if (file != null) {
            closeQuietly(file);
            file = null;
        }
        if (in != null) {
            loop.returnBuffer(in);
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
