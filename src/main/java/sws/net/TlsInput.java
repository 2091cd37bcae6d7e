package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * The receiving half of a TLS connection: ciphertext read from the socket into a pool buffer, unwrapped
 * into the session's buffer, or, for a record larger than the room the session left, into a second pool
 * buffer handed over in parts. Both go back to the pool as soon as they are empty.
 */
final class TlsInput {
    private static final int NEEDS_MORE = -2;

    /** What a record read after the handshake may ask of the connection. */
    interface AfterRecord {
        void unwrapped(SSLEngineResult result) throws IOException;
    }

    private final SocketChannel channel;
    private final BufferPool pool;
    private SSLEngine engine;
    private ByteBuffer netIn; // ciphertext received and not yet unwrapped, ready to be written into
    private ByteBuffer appIn; // plaintext unwrapped and not yet read, ready to be read from
    private boolean inputEnded;

    TlsInput(SocketChannel channel, BufferPool pool) {
        this.channel = channel;
        this.pool = pool;
    }

    void engine(SSLEngine e) {
        engine = e;
    }

    /** Bytes that arrived before TLS began (read with a PROXY header) are the first of the ciphertext. */
    void carry(ByteBuffer carried) {
        netIn = pool.take().put(carried);
    }

    /** Whether ciphertext has arrived that is not unwrapped yet. */
    boolean hasRecords() {
        return netIn != null;
    }

    /** The first byte received, which tells a TLS handshake from plain HTTP; -1 when none has come. */
    int firstByte() {
        return netIn == null ? -1 : netIn.get(0);
    }

    /** Whether plaintext, or a whole record, is waiting here rather than in the socket. */
    boolean buffered() {
        if (appIn != null) {
            return true;
        }
        if (netIn == null || netIn.position() < 5) {
            return false;
        }
        int length = ((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff);
        return netIn.position() >= 5 + length;
    }

    /**
     * Plaintext for the session: what is left of a large record first, then records unwrapped from what has
     * arrived, reading the socket when there is no whole record; -1 once the client has ended its side.
     *
     * @param after what a record read after the handshake may ask for (a task, a key update to send)
     */
    int read(ByteBuffer into, AfterRecord after) throws IOException {
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
                        after.unwrapped(r);
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
                        int n = throughAppIn(into, after);
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
    private int throughAppIn(ByteBuffer into, AfterRecord after) throws IOException {
        appIn = pool.take();
        SSLEngineResult r = unwrap(appIn);
        appIn.flip();
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            return releaseAppIn(NEEDS_MORE);
        }
        after.unwrapped(r);
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

    /** Unwraps one record from what has arrived into into. */
    SSLEngineResult unwrap(ByteBuffer into) throws SSLException {
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
    int receive() throws IOException {
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

    /** Gives the buffers back to the pool. */
    void release() {
        if (netIn != null) {
            pool.give(netIn);
            netIn = null;
        }
        if (appIn != null) {
            pool.give(appIn);
            appIn = null;
        }
    }
}
