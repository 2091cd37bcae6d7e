package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The sending half of a TLS connection: plaintext wrapped into records in a pool buffer, then written to
 * the socket. A write counts as done only once its records have reached the socket: bytes the engine has
 * encrypted but the socket has not taken are reported unwritten (their buffers rewound), and reported once
 * sent, on the next call with the same bytes. So the session sees the same back-pressure as on a plain
 * socket, and a response it has finished writing is on the wire when it closes.
 */
final class TlsOutput {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SocketChannel channel;
    private final BufferPool pool;
    private SSLEngine engine;
    private ByteBuffer netOut; // ciphertext not yet sent, ready to be read from
    private long pendingPlain; // the session's bytes in netOut, reported written once it is sent
    private int[] marks = new int[4];

    TlsOutput(SocketChannel channel, BufferPool pool) {
        this.channel = channel;
        this.pool = pool;
    }

    void engine(SSLEngine e) {
        engine = e;
    }

    /** Whether records wait for room in the socket. */
    boolean holds() {
        return netOut != null;
    }

    /** Whether what waits is the engine's own records (a key update), none of the session's bytes. */
    boolean holdsOwnRecords() {
        return netOut != null && pendingPlain == 0;
    }

    /** Wraps what the handshake (or a post-handshake message) has to send, with no plaintext. */
    SSLEngineResult wrapNothing(boolean handshaking) throws IOException {
        return wrap(NOTHING, 0, 1, handshaking);
    }

    /** The session's plaintext, as much as the socket takes now; the count of it that is on its way. */
    long write(ByteBuffer[] from, int offset, int length) throws IOException {
        long done = 0;
        if (netOut != null) {
            if (!flush(false)) {
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
            long consumed = wrap(from, offset, length, false).bytesConsumed();
            if (!flush(false)) {
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
     * One record of the file at a time: read into the scratch buffer, encrypted into a pool buffer, sent; the
     * plaintext is copied through the heap once, by the cipher.
     */
    long transferFrom(FileChannel file, long position, long count, ByteBuffer scratch) throws IOException {
        if (netOut != null) {
            if (!flush(false)) {
                return 0;
            }
            long done = pendingPlain;
            pendingPlain = 0;
            if (done > 0) {
                return done;
            }
        }
        ByteBuffer plain = scratch.clear();
        plain.limit((int) Math.min(plain.capacity(), count));
        int n = file.read(plain, position);
        if (n <= 0) {
            return 0; // the file shrank: the writer finds out
        }
        plain.flip();
        long consumed = wrap(new ByteBuffer[] {plain}, 0, 1, false).bytesConsumed(); // a record may hold less
        if (!flush(false)) {
            pendingPlain = consumed;
            return 0;
        }
        return consumed;
    }

    private SSLEngineResult wrap(ByteBuffer[] from, int offset, int length, boolean handshaking) throws IOException {
        netOut = pool.take();
        SSLEngineResult r = engine.wrap(from, offset, length, netOut);
        netOut.flip();
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && !handshaking) {
            throw new SSLException("the TLS connection is closed for writing");
        }
        return r;
    }

    /**
     * Sends what is waiting, and then, once the handshake is over, any record the engine asks to send of its
     * own; true when all of it went.
     */
    boolean flush(boolean handshaking) throws IOException {
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
            wrap(NOTHING, 0, 1, false);
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

    /** Ends the TLS output cleanly if the socket takes the alert now; a connection that cannot is cut anyway. */
    void closeNotify() {
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
        release();
    }

    /** Gives the buffer back to the pool. */
    void release() {
        if (netOut != null) {
            pool.give(netOut);
            netOut = null;
        }
    }
}
