package sws.net;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/** A TCP connection as it is: the session's bytes go to the socket unchanged, files by sendfile(2). */
final class PlainTransport implements Transport {
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Peer peer;
    private final Consumer<SocketChannel> onClose;
    private Session session;
    private int writes;
    private boolean closed;

    /** @param onClose takes the channel, to be closed once the selector has let go of it */
    PlainTransport(SocketChannel channel, SelectionKey key, Peer peer, Consumer<SocketChannel> onClose) {
        this.channel = channel;
        this.key = key;
        this.peer = peer;
        this.onClose = onClose;
    }

    void attach(Session s) {
        session = s;
    }

    Session session() {
        return session;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    @Override
    public long write(ByteBuffer[] from, int offset, int length) throws IOException {
        beforeWrite();
        return channel.write(from, offset, length);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        beforeWrite();
        return file.transferTo(position, count, channel);
    }

    /**
     * Nagle's algorithm would hold a small write back while an earlier one is unacknowledged: the tail of a
     * file after its head, a piece of a stream, a second response. So TCP_NODELAY goes on before the second
     * write; a connection whose one answer goes out in one write costs no setsockopt.
     */
    private void beforeWrite() throws IOException {
        if (writes < 2 && ++writes == 2) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void await(boolean readable, boolean writable) {
        if (key.isValid()) {
            key.interestOps((readable ? SelectionKey.OP_READ : 0) | (writable ? SelectionKey.OP_WRITE : 0));
        }
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        onClose.accept(channel);
    }
}
