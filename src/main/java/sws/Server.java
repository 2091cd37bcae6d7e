package sws;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import sws.cgi.Gateway;
import sws.content.Site;
import sws.content.UserDirs;
import sws.http.Handler;
import sws.log.AccessLog;
import sws.net.ConnectionLimit;
import sws.net.EventLoop;

/** A running sws: its listening sockets, event loops and access log. Embeddable; Main is a thin front. */
public final class Server implements AutoCloseable {
    private static final int BACKLOG = 1024;

    private final List<ServerSocketChannel> listeners;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AccessLog accessLog;
    private final int port;
    private final Gateway gateway;
    private boolean stopped;

    private Server(List<ServerSocketChannel> listeners, AccessLog accessLog, int port, Gateway gateway) {
        this.listeners = listeners;
        this.accessLog = accessLog;
        this.port = port;
        this.gateway = gateway;
    }

    /**
     * Binds, opens the log and starts the loops. Throws BindException for an address in use or not
     * local, IOException for a docroot or log that cannot be used.
     */
    public static Server start(Config config) throws IOException {
        Site site = new Site(config.docroot(), new UserDirs(config.userdir()));
        Config.Cgi cgi = config.cgi();
        Gateway gateway = cgi == null
                ? null
                : new Gateway(cgi.dir(), config.docroot(), cgi.timeout(), cgi.maxRunning(), cgi.maxQueued());
        Handler handler = new Router(site, gateway);
        int n = config.debug() ? 1 : Math.max(1, config.loops());
        List<ServerSocketChannel> listeners;
        try {
            listeners = bind(config.address(), config.port(), n);
        } catch (IOException e) {
            if (gateway != null) {
                gateway.close();
            }
            throw e;
        }
        int port = ((InetSocketAddress) listeners.get(0).getLocalAddress()).getPort();
        AccessLog log;
        try {
            log = config.debug()
                    ? AccessLog.to(System.out)
                    : config.accessLog() == null ? null : AccessLog.append(config.accessLog());
        } catch (IOException e) {
            closeAll(listeners);
            if (gateway != null) {
                gateway.close();
            }
            throw e;
        }
        Server server = new Server(listeners, log, port, gateway);
        ConnectionLimit limit = new ConnectionLimit(
                config.maxConnections() > 0 ? config.maxConnections() : ConnectionLimit.fromDescriptorLimit());
        try {
            for (int i = 0; i < n; i++) {
                server.loops.add(new EventLoop(
                        List.of(listeners.get(i)),
                        handler,
                        config.limits(),
                        config.timeouts(),
                        log,
                        limit,
                        config.debug()));
            }
        } catch (IOException e) {
            server.close();
            throw e;
        }
        for (int i = 0; i < n; i++) {
            Thread t = Thread.ofPlatform().name("sws-loop-" + i).start(server.loops.get(i));
            server.threads.add(t);
        }
        return server;
    }

    /**
     * The listening sockets, one per event loop. Without an address each is an IPv6 socket on the
     * wildcard address, which Linux makes dual-stack so that it answers IPv4 clients too (an IPv4
     * wildcard where the host has no IPv6). With several loops the sockets share the port through
     * SO_REUSEPORT, so the kernel spreads new connections over the loops and wakes only one of them.
     */
    private static List<ServerSocketChannel> bind(InetAddress address, int port, int count) throws IOException {
        ProtocolFamily family;
        InetSocketAddress where;
        if (address != null) {
            family = address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            where = new InetSocketAddress(address, port);
        } else if (ipv6Available()) {
            family = StandardProtocolFamily.INET6;
            where = new InetSocketAddress(port);
        } else {
            family = StandardProtocolFamily.INET;
            where = new InetSocketAddress(port);
        }
        if (count == 1) {
            return List.of(open(family, where, false));
        }
        if (port != 0) {
            // SO_REUSEPORT would let us share a port with another server of the same user without a word;
            // a plain bind first finds the port busy, as a single socket would.
            open(family, where, false).close();
        }
        List<ServerSocketChannel> channels = new ArrayList<>();
        try {
            channels.add(open(family, where, true));
            int actual = ((InetSocketAddress) channels.get(0).getLocalAddress()).getPort();
            InetSocketAddress same = new InetSocketAddress(where.getAddress(), actual);
            while (channels.size() < count) {
                channels.add(open(family, same, true));
            }
            return channels;
        } catch (IOException e) {
            closeAll(channels);
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

    /** The port the server listens on (the chosen one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The addresses listened on. */
    public List<InetSocketAddress> addresses() throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (ServerSocketChannel l : listeners) {
            out.add((InetSocketAddress) l.getLocalAddress());
        }
        return out;
    }

    /** Closes and reopens the access log file, for log rotation (SIGHUP). */
    public void reopenLog() {
        if (accessLog != null) {
            accessLog.reopen();
        }
    }

    /** Waits until the server has stopped. */
    public void await() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * Stops gracefully: no new connections, responses in flight finish within the grace period, the
     * access log is written out. Returns once all of that is done.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        loops.forEach(EventLoop::stop);
        boolean interrupted = false;
        // A listening socket registered with a selector is really closed only once no selector holds it;
        // so wait for every loop to let go, then close: from here on new clients are refused.
        for (EventLoop loop : loops) {
            try {
                loop.awaitListenersReleased();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        closeAll(listeners);
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (gateway != null) {
            gateway.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(List<ServerSocketChannel> channels) {
        for (ServerSocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a listener cannot lose anything
            }
        }
    }
}
