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
 * none. Receiving is {@link TlsInput}'s, sending {@link TlsOutput}'s.
 */
final class TlsTransport extends SocketTransport {
    private static final byte HANDSHAKE_RECORD = 22;
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final byte[] NOT_TLS = notTls();

    private final TlsContext tls;
    private final BufferPool pool;
    private final TlsInput in;
    private final TlsOutput out;
    private SSLEngine engine;
    private boolean speaksTls;
    private boolean handshaking = true;
    private boolean tasksRunning;
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
        this.in = new TlsInput(channel, pool);
        this.out = new TlsOutput(channel, pool);
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
            in.carry(carried);
        }
        engine = tls.newEngine();
        in.engine(engine);
        out.engine(engine);
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
                        if (!out.flush(true)) {
                            interest(false, true);
                            return;
                        }
                        SSLEngineResult r = out.wrapNothing(true);
                        boolean sent = out.flush(true);
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
        if (in.hasRecords() && !checkFirstByte()) {
            return false;
        }
        if (in.hasRecords()) {
            SSLEngineResult r = in.unwrap(NOTHING); // handshake records carry no plaintext
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
        int n = in.receive();
        if (n < 0) {
            close();
            return false;
        }
        if (n == 0) {
            interest(true, out.holds());
            return false;
        }
        return true;
    }

    /** A first byte that does not begin a TLS handshake is most likely plain HTTP: it gets nginx's kind of 400. */
    private boolean checkFirstByte() {
        if (speaksTls) {
            return true;
        }
        if (in.firstByte() == HANDSHAKE_RECORD) {
            speaksTls = true;
            return true;
        }
        in.release();
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
        if (in.buffered()) {
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
        if (out.holdsOwnRecords()) {
            try {
                if (!out.flush(false)) {
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
        if (!readScheduled && in.buffered()) {
            readScheduled = true;
            loop.execute(this::deliverBuffered);
        }
    }

    private void deliverBuffered() {
        readScheduled = false;
        if (!isClosed() && wantRead && in.buffered()) {
            session().onReadable();
        }
    }

    private void updateInterest() {
        interest(wantRead && !tasksRunning, (wantWrite || out.holds()) && !tasksRunning);
    }

    // ---- plaintext in

    /**
     * Plaintext as the session asks for it. What is left in this transport's buffers when the session's is
     * full is delivered again as if the socket were readable, which the selector cannot know.
     */
    @Override
    public int read(ByteBuffer into) throws IOException {
        int n = in.read(into, this::afterUnwrap);
        if (wantRead) {
            deliverLater();
        }
        return n;
    }

    /** What a record read after the handshake may ask for: a task to run, a record (a key update) to send. */
    private void afterUnwrap(SSLEngineResult r) throws IOException {
        if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            // Post-handshake messages are small and rare (a new key): not worth a trip to the workers.
            for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
                t.run();
            }
        }
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !out.holds()) {
            out.flush(false);
            updateInterest();
        }
    }

    // ---- plaintext out

    @Override
    public long write(ByteBuffer[] from, int offset, int length) throws IOException {
        return out.write(from, offset, length);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        return out.transferFrom(file, position, count, loop.scratch());
    }

    // ---- the end

    /** close_notify, so the client knows the response ended here; then the socket's end of output. */
    @Override
    public void shutdownOutput() throws IOException {
        out.closeNotify();
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
            out.closeNotify();
            try {
                for (int i = 0; i < 8 && channel.read(loop.scratch().clear()) > 0; i++) {
                    // dropped
                }
            } catch (IOException e) {
                // reset already: nothing left to protect
            }
        }
        in.release();
        out.release();
    }
}
