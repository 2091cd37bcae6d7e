package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * One accepted socket, driven by its event loop: it reads the PROXY header when one must come first, lets
 * the subclass make the connection ready (nothing for plain TCP, the handshake for TLS), then opens the
 * protocol's session on it and passes the loop's events on. Until there is a session the transport keeps
 * time itself: the PROXY header and the handshake together have the preamble timeout.
 */
abstract sealed class SocketTransport implements Transport permits PlainTransport, TlsTransport {
    /** How long a connection refused with a last answer may still send before it is closed. */
    private static final long LINGER_MILLIS = 2000;

    protected final SocketChannel channel;
    protected final SelectionKey key;
    protected final Endpoint endpoint;
    protected final LoopContext loop;
    private final Consumer<SocketChannel> onClose;
    private final long acceptedAt;
    private Peer peer;
    private byte[] preamble; // the PROXY header so far, while one is awaited
    private int preambleLength;
    private ByteBuffer carried; // bytes that came with the PROXY header and belong to what follows it
    private Session session;
    private long deadline;
    private boolean draining;
    private boolean closed;

    /** @param onClose takes the channel, to be closed once the selector has let go of it */
    SocketTransport(
            SocketChannel channel,
            SelectionKey key,
            Peer peer,
            Endpoint endpoint,
            LoopContext loop,
            Consumer<SocketChannel> onClose) {
        this.channel = channel;
        this.key = key;
        this.peer = peer;
        this.endpoint = endpoint;
        this.loop = loop;
        this.onClose = onClose;
        this.acceptedAt = loop.now();
    }

    /** Begins with the PROXY header if one must come first, else with what the subclass does before a session. */
    final void start() {
        deadline = acceptedAt + endpoint.preambleTimeout().toMillis();
        if (endpoint.proxies() != null) {
            preamble = new byte[ProxyHeader.MAX_LENGTH];
        } else {
            begin();
        }
    }

    /** What comes between the PROXY header (if any) and the session: opening it, or a handshake first. */
    protected abstract void begin();

    /** The socket is readable, and the PROXY header is behind. */
    protected abstract void readable();

    /** The socket is writable, and the PROXY header is behind. */
    protected abstract void writable();

    /** What the subclass lets go of when the connection closes; it may still write a last record. */
    protected void closing() {}

    final void onReadable() {
        if (draining) {
            drain();
        } else if (preamble != null) {
            readPreamble();
        } else {
            readable();
        }
    }

    final void onWritable() {
        if (!draining && preamble == null) {
            writable();
        }
    }

    /** About once a second: the session's timeouts, or before there is one, the preamble's. */
    final void onTick(long now) {
        if (session != null) {
            session.onTick(now);
        } else if (now >= deadline) {
            if (preamble != null) {
                reject();
            } else {
                close();
            }
        }
    }

    /** Whether nothing is in flight, so that a stopping server may close the connection at once. */
    final boolean idle() {
        return session == null || session.idle();
    }

    /** The loop gives up on the connection. */
    /** At the start of a stop: a connection that has not begun its session (a PROXY header, a handshake) goes on. */
    final void stopping() {
        if (session != null) {
            session.stopping();
        }
    }

    final void abort() {
        if (session != null) {
            session.abort();
        } else {
            close();
        }
    }

    final Session session() {
        return session;
    }

    /** Opens the protocol's session: from now on its timeouts apply, and it gets the events. */
    protected final Session openSession() {
        deadline = Long.MAX_VALUE;
        session = endpoint.protocol().open(this, loop);
        return session;
    }

    /** What came after the PROXY header in the same read, once; null when nothing did. */
    protected final ByteBuffer takeCarried() {
        ByteBuffer b = carried;
        carried = null;
        return b;
    }

    private void readPreamble() {
        int n;
        try {
            n = channel.read(ByteBuffer.wrap(preamble, preambleLength, preamble.length - preambleLength));
        } catch (IOException e) {
            close();
            return;
        }
        if (n < 0) {
            if (preambleLength > 0) {
                reject(); // a header begun and never finished
            } else {
                close(); // a bare connect and close, as balancers check that a port is open
            }
            return;
        }
        preambleLength += n;
        switch (ProxyHeader.parse(preamble, preambleLength)) {
            case ProxyHeader.Incomplete incomplete -> {
                if (preambleLength == preamble.length) {
                    reject(); // cannot happen with the parser's own bounds; kept so that it never waits forever
                }
            }
            case ProxyHeader.Invalid invalid -> reject();
            case ProxyHeader.Parsed parsed -> {
                if (parsed.client() != null) {
                    peer = peer.withClient(parsed.client());
                }
                if (parsed.length() < preambleLength) {
                    carried = ByteBuffer.wrap(preamble, parsed.length(), preambleLength - parsed.length());
                }
                preamble = null;
                begin();
            }
        }
    }

    /** No valid PROXY header: one log line through the protocol, and a close without an answer. */
    private void reject() {
        preamble = null;
        endpoint.protocol().rejected(peer, acceptedAt);
        close();
    }

    /**
     * Sends a last answer that the socket takes at once, then reads and drops what the client still sends
     * until it closes or a short linger passes: closing with its bytes unread would reset the connection
     * and could destroy the answer on its way.
     */
    protected final void answerAndClose(ByteBuffer answer) {
        try {
            channel.write(answer);
            channel.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        draining = true;
        deadline = loop.now() + LINGER_MILLIS;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void drain() {
        try {
            int n;
            do {
                n = channel.read(loop.scratch().clear());
            } while (n > 0);
            if (n < 0) {
                close();
            }
        } catch (IOException e) {
            close();
        }
    }

    /** Sets what the selector watches, unless the connection is closed already. */
    protected final void interest(boolean readable, boolean writable) {
        if (key.isValid()) {
            key.interestOps((readable ? SelectionKey.OP_READ : 0) | (writable ? SelectionKey.OP_WRITE : 0));
        }
    }

    protected final boolean isClosed() {
        return closed;
    }

    @Override
    public final Peer peer() {
        return peer;
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing();
        key.cancel();
        onClose.accept(channel);
    }
}
