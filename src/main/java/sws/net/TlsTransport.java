package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A connection that speaks TLS (spec section 7.1): an SSLEngine driven by the connection's event loop. The
 * handshake comes first, with the engine's delegated tasks (the signature, the key exchange) run on the
 * context's worker threads while the loop serves others; then the session reads and writes plaintext.
 * Buffers come from the loop's pool and go back as soon as they are empty, so an idle connection holds
 * none.
 *
 * <p>A write counts as done only once its records have reached the socket: bytes that the engine has
 * encrypted but the socket has not taken are reported unwritten (their buffers rewound) and reported once
 * sent, on the next call with the same bytes. So the session sees the same back-pressure as on a plain
 * socket, and a response it has finished writing is on the wire when it closes.
 */
final class TlsTransport extends SocketTransport {
    private static final byte HANDSHAKE_RECORD = 22;
    private static final int NEEDS_MORE = -2;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    private static final byte[] NOT_TLS = notTls();

    private final TlsContext tls;
    private final BufferPool pool;
    private SSLEngine engine;
    private ByteBuffer netIn; // ciphertext received and not yet unwrapped, ready to be written into
    private ByteBuffer netOut; // ciphertext not yet sent, ready to be read from
    private ByteBuffer appIn; // plaintext unwrapped and not yet read, ready to be read from
    private long pendingPlain; // the session's bytes in netOut, reported written once it is sent
    private int[] marks = new int[4];
    private boolean speaksTls;
    private boolean handshaking = true;
    private boolean tasksRunning;
    private boolean inputEnded;
    private boolean wantRead = true;
    private boolean wantWrite;
    private boolean readScheduled;

    TlsTransport(
            SocketChannel channel,
            SelectionKey key,
            Peer peer,
            Endpoint endpoint,
            LoopContext loop,
            BufferPool pool,
            Consumer<SocketChannel> onClose)
            throws IOException {
        super(channel, key, peer, endpoint, loop, onClose);
        this.tls = endpoint.tls();
        this.pool = pool;
        if (peer.localPort() >= 0) {
            // A handshake is several small flights, each waiting on the last: Nagle would hold each one back.
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    private static byte[] notTls() {
        String page = "This port speaks HTTPS: use https:// to reach it.\n";
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + page.length() + "\r\nConnection: close\r\n\r\n";
        return (head + page).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected void begin() {
        ByteBuffer carried = takeCarried();
        if (carried != null) {
            netIn = pool.take().put(carried);
        }
        engine = tls.newEngine();
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            close();
            return;
        }
        handshake();
    }

    // ---- the handshake, before there is a session

    private void handshake() {
        try {
            while (!isClosed()) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> {
                        runTasks();
                        return;
                    }
                    case NEED_WRAP -> {
                        if (!flush()) {
                            interest(false, true);
                            return;
                        }
                        SSLEngineResult r = wrap(NOTHING, 0, 1);
                        boolean sent = flush();
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            close(); // the engine's last word was an alert
                            return;
                        }
                        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                            established(); // what is left to send goes before the session's first bytes
                            return;
                        }
                        if (!sent) {
                            interest(false, true);
                            return;
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!unwrapHandshake()) {
                            return;
                        }
                    }
                    case FINISHED, NOT_HANDSHAKING -> {
                        established();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            close(); // a failed handshake is the client's business: no trace, no log line
        }
    }

    /** Unwraps one handshake record, reading more when there is no whole one; false to wait for the socket. */
    private boolean unwrapHandshake() throws IOException {
        if (netIn != null && !checkFirstByte()) {
            return false;
        }
        if (netIn != null) {
            SSLEngineResult r = unwrap(NOTHING[0]); // handshake records carry no plaintext
            switch (r.getStatus()) {
                case OK -> {
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        established();
                        return false;
                    }
                    return true;
                }
                case CLOSED, BUFFER_OVERFLOW -> {
                    close();
                    return false;
                }
                case BUFFER_UNDERFLOW -> {}
            }
        }
        int n = receive();
        if (n < 0) {
            close();
            return false;
        }
        if (n == 0) {
            interest(true, netOut != null);
            return false;
        }
        return true;
    }

    /** A first byte that does not begin a TLS handshake is most likely plain HTTP: it gets nginx's kind of 400. */
    private boolean checkFirstByte() {
        if (speaksTls) {
            return true;
        }
        if (netIn.get(0) == HANDSHAKE_RECORD) {
            speaksTls = true;
            return true;
        }
        pool.give(netIn);
        netIn = null;
        answerAndClose(ByteBuffer.wrap(NOT_TLS));
        return false;
    }

    /** The delegated tasks (the costly part of a handshake) go to the worker threads; the loop carries on. */
    private void runTasks() {
        List<Runnable> tasks = new ArrayList<>(2);
        for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            tasks.add(t);
        }
        tasksRunning = true;
        interest(false, false);
        try {
            tls.tasks().execute(() -> {
                try {
                    tasks.forEach(Runnable::run);
                } finally {
                    loop.execute(this::tasksDone);
                }
            });
        } catch (RejectedExecutionException e) {
            close(); // the server is stopping
        }
    }

    private void tasksDone() {
        tasksRunning = false;
        if (!isClosed()) {
            handshake();
        }
    }

    private void established() throws IOException {
        handshaking = false;
        Session session = openSession();
        updateInterest();
        if (bufferedInput()) {
            session.onReadable(); // the request came in the same read as the handshake's end
        }
    }

    // ---- events once there is a session

    @Override
    protected void readable() {
        if (handshaking) {
            handshake();
        } else {
            session().onReadable();
        }
    }

    @Override
    protected void writable() {
        if (handshaking) {
            handshake();
            return;
        }
        if (netOut != null && pendingPlain == 0) {
            try {
                if (!flush()) {
                    return; // the transport's own records (a key update) are not all out yet
                }
            } catch (IOException e) {
                session().abort();
                return;
            }
            updateInterest();
        }
        if (wantWrite) {
            session().onWritable();
        }
    }

    @Override
    public void await(boolean readable, boolean writable) {
        wantRead = readable;
        wantWrite = writable;
        updateInterest();
        if (readable) {
            deliverLater();
        }
    }

    /** Bytes waiting here, not in the socket, are delivered by the loop soon: the selector would never say so. */
    private void deliverLater() {
        if (!readScheduled && bufferedInput()) {
            readScheduled = true;
            loop.execute(this::deliverBuffered);
        }
    }

    private void deliverBuffered() {
        readScheduled = false;
        if (!isClosed() && wantRead && bufferedInput()) {
            session().onReadable();
        }
    }

    private void updateInterest() {
        interest(wantRead && !tasksRunning, (wantWrite || netOut != null) && !tasksRunning);
    }

    /** Whether plaintext, or a whole record, is waiting in this transport's buffers. */
    private boolean bufferedInput() {
        if (appIn != null) {
            return true;
        }
        if (netIn == null || netIn.position() < 5) {
            return false;
        }
        int length = ((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff);
        return netIn.position() >= 5 + length;
    }

    // ---- plaintext in

    /**
     * Plaintext as the session asks for it. What is left in this transport's buffers when the session's is
     * full is delivered again as if the socket were readable, which the selector cannot know.
     */
    @Override
    public int read(ByteBuffer into) throws IOException {
        int n = unwrapInto(into);
        if (wantRead) {
            deliverLater();
        }
        return n;
    }

    private int unwrapInto(ByteBuffer into) throws IOException {
        if (appIn != null) {
            return fromAppIn(into);
        }
        int total = 0;
        while (into.hasRemaining()) {
            if (netIn != null) {
                SSLEngineResult r = unwrap(into);
                switch (r.getStatus()) {
                    case OK -> {
                        total += r.bytesProduced();
                        afterUnwrap(r);
                        if (r.bytesConsumed() > 0) {
                            continue;
                        }
                    }
                    case CLOSED -> inputEnded = true; // close_notify: the client has sent all it will
                    case BUFFER_OVERFLOW -> {
                        // The engine asks for room for a whole record before it knows whether all of it is here.
                        if (total > 0) {
                            return total;
                        }
                        int n = throughAppIn(into);
                        if (n != NEEDS_MORE) {
                            return n;
                        }
                    }
                    case BUFFER_UNDERFLOW -> {}
                }
            }
            if (inputEnded) {
                return total > 0 ? total : -1;
            }
            if (total > 0) {
                break; // what the session has is enough for now; the selector says when the socket has more
            }
            int n = receive();
            if (n == 0) {
                break;
            }
            if (n < 0) {
                inputEnded = true;
            }
        }
        return total;
    }

    /**
     * A record larger than the room the session left: unwrapped into a pool buffer and handed over in parts.
     * NEEDS_MORE when not all of the record is here yet.
     */
    private int throughAppIn(ByteBuffer into) throws IOException {
        appIn = pool.take();
        SSLEngineResult r = unwrap(appIn);
        appIn.flip();
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            return releaseAppIn(NEEDS_MORE);
        }
        afterUnwrap(r);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            inputEnded = true;
        }
        return appIn.hasRemaining() ? fromAppIn(into) : releaseAppIn(inputEnded ? -1 : 0);
    }

    private int fromAppIn(ByteBuffer into) {
        int n = Math.min(into.remaining(), appIn.remaining());
        into.put(into.position(), appIn, appIn.position(), n).position(into.position() + n);
        appIn.position(appIn.position() + n);
        return appIn.hasRemaining() ? n : releaseAppIn(n);
    }

    private int releaseAppIn(int result) {
        pool.give(appIn);
        appIn = null;
        return result;
    }

    /** What a record read after the handshake may ask for: a task to run, a record (a key update) to send. */
    private void afterUnwrap(SSLEngineResult r) throws IOException {
        if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            // Post-handshake messages are small and rare (a new key): not worth a trip to the workers.
            for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                t.run();
            }
        }
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && netOut == null) {
            flush();
            updateInterest();
        }
    }

    private SSLEngineResult unwrap(ByteBuffer into) throws SSLException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, into);
        } finally {
            netIn.compact();
            if (netIn.position() == 0) {
                pool.give(netIn);
                netIn = null;
            }
        }
    }

    /** Reads from the socket into netIn: the count, 0 when nothing came, -1 at the end of the input. */
    private int receive() throws IOException {
        if (netIn == null) {
            netIn = pool.take();
        } else if (!netIn.hasRemaining()) {
            throw new SSLException("a TLS record larger than " + pool.size() + " bytes");
        }
        int n = channel.read(netIn);
        if (netIn.position() == 0) {
            pool.give(netIn);
            netIn = null;
        }
        return n;
    }

    // ---- plaintext out

    @Override
    public long write(ByteBuffer[] from, int offset, int length) throws IOException {
        long done = 0;
        if (netOut != null) {
            if (!flush()) {
                return 0;
            }
            done = skip(from, offset, length, pendingPlain);
            pendingPlain = 0;
        }
        while (remaining(from, offset, length)) {
            if (marks.length < length) {
                marks = new int[length];
            }
            for (int i = 0; i < length; i++) {
                marks[i] = from[offset + i].position();
            }
            long consumed = wrap(from, offset, length).bytesConsumed();
            if (!flush()) {
                for (int i = 0; i < length; i++) {
                    from[offset + i].position(marks[i]);
                }
                pendingPlain = consumed;
                return done;
            }
            done += consumed;
        }
        return done;
    }

    /**
     * One record of the file at a time: read into the loop's scratch buffer, encrypted into a pool buffer,
     * sent; the plaintext is copied through the heap once, by the cipher.
     */
    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (netOut != null) {
            if (!flush()) {
                return 0;
            }
            long done = pendingPlain;
            pendingPlain = 0;
            if (done > 0) {
                return done;
            }
        }
        ByteBuffer plain = loop.scratch().clear();
        plain.limit((int) Math.min(plain.capacity(), count));
        int n = file.read(plain, position);
        if (n <= 0) {
            return 0; // the file shrank: the writer finds out
        }
        plain.flip();
        long consumed = wrap(new ByteBuffer[] {plain}, 0, 1).bytesConsumed(); // a record may hold less than read
        if (!flush()) {
            pendingPlain = consumed;
            return 0;
        }
        return consumed;
    }

    private SSLEngineResult wrap(ByteBuffer[] from, int offset, int length) throws IOException {
        netOut = pool.take();
        SSLEngineResult r = engine.wrap(from, offset, length, netOut);
        netOut.flip();
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && !handshaking) {
            throw new SSLException("the TLS connection is closed for writing");
        }
        return r;
    }

    /**
     * Sends what netOut holds, and then any record the engine asks to send of its own after the handshake;
     * true when all of it went.
     */
    private boolean flush() throws IOException {
        while (true) {
            if (netOut != null) {
                channel.write(netOut);
                if (netOut.hasRemaining()) {
                    return false;
                }
                pool.give(netOut);
                netOut = null;
            }
            if (handshaking || engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP || engine.isOutboundDone()) {
                return true;
            }
            wrap(NOTHING, 0, 1);
        }
    }

    private static boolean remaining(ByteBuffer[] from, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (from[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Advances the buffers past n bytes, which have been sent; returns n. */
    private static long skip(ByteBuffer[] from, int offset, int length, long n) {
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int step = (int) Math.min(left, from[i].remaining());
            from[i].position(from[i].position() + step);
            left -= step;
        }
        return n;
    }

    // ---- the end

    /** close_notify, so the client knows the response ended here; then the socket's end of output. */
    @Override
    public void shutdownOutput() throws IOException {
        closeNotify();
        channel.shutdownOutput();
    }

    /**
     * Closing a socket with received bytes unread makes the kernel reset the connection, which can destroy
     * what the client has not read yet. Over TLS the client's own close_notify is such bytes, often sent
     * right after its request: so what has arrived is read and dropped first (a bounded amount).
     */
    @Override
    protected void closing() {
        if (speaksTls) {
            closeNotify();
            try {
                for (int i = 0; i < 8 && channel.read(loop.scratch().clear()) > 0; i++) {
                    // dropped
                }
            } catch (IOException e) {
                // reset already: nothing left to protect
            }
        }
        for (ByteBuffer b : new ByteBuffer[] {netIn, netOut, appIn}) {
            if (b != null) {
                pool.give(b);
            }
        }
        netIn = netOut = appIn = null;
    }

    /** Ends the TLS output cleanly if the socket takes the alert now; a connection that cannot is cut anyway. */
    private void closeNotify() {
        if (engine == null || netOut != null || engine.isOutboundDone()) {
            return;
        }
        try {
            engine.closeOutbound();
            netOut = pool.take();
            engine.wrap(NOTHING, netOut);
            netOut.flip();
            channel.write(netOut);
        } catch (IOException e) {
            // the client is gone: nothing to tell it
        }
        pool.give(netOut);
        netOut = null;
    }
}
