package sws.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** One listening TCP socket, on one address or on all of them (dual stack). */
public final class TcpListener extends Listener {
    private static final int BACKLOG = 1024;

    private TcpListener(ServerSocketChannel channel) {
        super(channel);
    }

    /**
     * The listening sockets, one per event loop. Without an address each is an IPv6 socket on the wildcard
     * address, which Linux makes dual-stack so that it answers IPv4 clients too (an IPv4 wildcard where the
     * host has no IPv6). Several sockets share the port through SO_REUSEPORT, so the kernel spreads new
     * connections over the loops and wakes only one of them.
     *
     * @param address the one address to listen on, or null for every address
     * @param reusePort join the port even when another process (another sws, say) holds it with SO_REUSEPORT
     * @throws java.net.BindException when the port is taken or the address is not one of this host's
     */
    public static List<TcpListener> bind(InetAddress address, int port, int count, boolean reusePort)
            throws IOException {
        ProtocolFamily family;
        InetSocketAddress where;
        if (address != null) {
            family = address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            where = new InetSocketAddress(address, port);
        } else {
            family = ipv6Available() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            where = new InetSocketAddress(port);
        }
        if (count == 1 && !reusePort) {
            return List.of(new TcpListener(open(family, where, false)));
        }
        if (port != 0 && !reusePort) {
            // SO_REUSEPORT would let us share a port with another server of the same user without a word;
            // a plain bind first finds the port busy, as a single socket would.
            open(family, where, false).close();
        }
        List<TcpListener> listeners = new ArrayList<>();
        try {
            listeners.add(new TcpListener(open(family, where, true)));
            InetSocketAddress same =
                    new InetSocketAddress(where.getAddress(), listeners.get(0).port());
            while (listeners.size() < count) {
                listeners.add(new TcpListener(open(family, same, true)));
            }
            return listeners;
        } catch (IOException e) {
            listeners.forEach(TcpListener::close);
            throw e;
        }
    }

    private static boolean ipv6Available() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            return probe.isOpen();
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    private static ServerSocketChannel open(ProtocolFamily family, InetSocketAddress where, boolean shared)
            throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(family);
        try {
            if (shared) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(where, BACKLOG);
            channel.configureBlocking(false);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The address listened on; ClosedChannelException once the listener is closed. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    public int port() throws IOException {
        return address().getPort();
    }

    @Override
    Peer peerOf(SocketChannel connection, boolean secure) throws IOException {
        return Peer.tcp(
                (InetSocketAddress) connection.getRemoteAddress(),
                (InetSocketAddress) connection.getLocalAddress(),
                secure);
    }

    @Override
    public String describe() {
        try {
            String host = Addresses.text(address().getAddress());
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
        } catch (IOException e) {
            return "a closed TCP listener";
        }
    }
}
