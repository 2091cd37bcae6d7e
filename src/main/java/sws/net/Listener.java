package sws.net;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import sws.io.Quietly;

/** A listening socket: TCP on an address and port, or UNIX-domain on a path. */
public abstract sealed class Listener implements AutoCloseable permits TcpListener, UnixListener {
    protected final ServerSocketChannel channel;

    protected Listener(ServerSocketChannel channel) {
        this.channel = channel;
    }

    SelectionKey register(Selector selector) throws IOException {
        return channel.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** The next connection waiting, or null when none is (or another loop took it). */
    SocketChannel accept() throws IOException {
        return channel.accept();
    }

    /** The two ends of a connection this listener accepted. */
    abstract Peer peerOf(SocketChannel connection, boolean secure) throws IOException;

    /** What the listener is, for messages: "[::]:8080", "/run/sws.sock". */
    public abstract String describe();

    @Override
    public void close() {
        Quietly.close(channel);
    }
}
