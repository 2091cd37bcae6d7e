package sws.net;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/** A connection as it is: the session's bytes go to the socket unchanged, files by sendfile(2). */
final class PlainTransport extends SocketTransport {
    private final boolean tcp;
    private ByteBuffer carried;
    private int writes;

    PlainTransport(
            SocketChannel channel,
            SelectionKey key,
            Peer peer,
            Endpoint endpoint,
            LoopContext loop,
            Consumer<SocketChannel> onClose) {
        super(channel, key, peer, endpoint, loop, onClose);
        this.tcp = peer.localPort() >= 0;
    }

    @Override
    protected void begin() {
        carried = takeCarried();
        Session session = openSession();
        if (carried != null) {
            session.onReadable(); // the request began in the read that ended the PROXY header
        }
    }

    @Override
    protected void readable() {
        session().onReadable();
    }

    @Override
    protected void writable() {
        session().onWritable();
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        if (carried != null) {
            int n = Math.min(into.remaining(), carried.remaining());
            into.put(into.position(), carried, carried.position(), n).position(into.position() + n);
            carried.position(carried.position() + n);
            if (!carried.hasRemaining()) {
                carried = null;
            }
            return n;
        }
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
        if (tcp && writes < 2 && ++writes == 2) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void await(boolean readable, boolean writable) {
        interest(readable, writable);
    }
}
