package sws;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import sws.cgi.Gateway;
import sws.content.Site;
import sws.content.UserDirs;
import sws.http.Http1;
import sws.log.AccessLog;
import sws.net.Addresses;
import sws.net.ConnectionLimit;
import sws.net.EventLoop;
import sws.net.TcpListener;
import sws.route.Router;

/**
 * A running sws: it assembles the parts a {@link Config} asks for (the site, the CGI gateway, the router,
 * the access log, HTTP/1 on the event loops and their listening sockets), starts them, and stops them.
 * Embeddable: {@code try (var server = Server.start(Config.builder(dir).port(0).build())) { ... }}.
 */
public final class Server implements AutoCloseable {
    private final List<TcpListener> listeners;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AccessLog accessLog;
    private final Gateway gateway;
    private final int port;
    private boolean stopped;

    private Server(List<TcpListener> listeners, AccessLog accessLog, Gateway gateway) throws IOException {
        this.listeners = listeners;
        this.port = listeners.get(0).port();
        this.accessLog = accessLog;
        this.gateway = gateway;
    }

    /** Binds, opens the log and starts the loops; a failure says which of these went wrong. */
    public static Server start(Config config) throws StartException {
        Site site = directory(config.docroot(), "docroot", () -> new Site(config.docroot()));
        Config.Cgi cgi = config.cgi();
        Gateway gateway = cgi == null
                ? null
                : directory(
                        cgi.dir(),
                        "CGI directory",
                        () -> new Gateway(
                                cgi.dir(), config.docroot(), cgi.timeout(), cgi.maxRunning(), cgi.maxQueued()));
        AccessLog log = null;
        List<TcpListener> listeners = List.of();
        try {
            listeners = bind(config);
            log = openLog(config);
            Server server = new Server(listeners, log, gateway);
            Http1 http = new Http1(
                    new Router(site, new UserDirs(config.userdir()), gateway), config.limits(), config.timeouts(), log);
            var limit = new ConnectionLimit(
                    config.maxConnections() > 0 ? config.maxConnections() : ConnectionLimit.fromDescriptorLimit());
            for (TcpListener listener : listeners) {
                server.loops.add(new EventLoop(
                        listener, http, limit, config.debug(), config.timeouts().grace()));
            }
            for (int i = 0; i < server.loops.size(); i++) {
                server.threads.add(Thread.ofPlatform().name("sws-loop-" + i).start(server.loops.get(i)));
            }
            return server;
        } catch (StartException e) {
            release(listeners, log, gateway);
            throw e;
        } catch (IOException e) {
            release(listeners, log, gateway);
            throw new StartException(StartException.Kind.OTHER, "cannot start: " + e.getMessage(), e);
        }
    }

    private interface Opening<T> {
        T open() throws IOException;
    }

    private static <T> T directory(java.nio.file.Path dir, String what, Opening<T> opening) throws StartException {
        try {
            return opening.open();
        } catch (IOException e) {
            throw new StartException(StartException.Kind.DIRECTORY, what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One listening socket per loop (one in -d mode), told apart when the port or the address is the trouble. */
    private static List<TcpListener> bind(Config config) throws StartException {
        int count = config.debug() ? 1 : Math.max(1, config.loops());
        InetAddress address = config.address();
        String shown = address == null ? "*" : Addresses.text(address);
        String where = (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + config.port();
        try {
            return TcpListener.bind(address, config.port(), count);
        } catch (BindException e) {
            if (address != null && !isLocal(address)) {
                throw new StartException(
                        StartException.Kind.ADDRESS_NOT_LOCAL,
                        "cannot listen on " + where + ": address " + shown + " is not an address of this host",
                        e);
            }
            throw new StartException(
                    StartException.Kind.PORT_IN_USE,
                    "cannot listen on " + where + ": port " + config.port() + " is already in use",
                    e);
        } catch (IOException e) {
            throw new StartException(StartException.Kind.OTHER, "cannot listen on " + where + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static AccessLog openLog(Config config) throws StartException {
        if (config.debug()) {
            return AccessLog.to(System.out);
        }
        if (config.accessLog() == null) {
            return null;
        }
        try {
            return AccessLog.append(config.accessLog());
        } catch (IOException e) {
            throw new StartException(
                    StartException.Kind.LOG_FILE,
                    "cannot open log file " + config.accessLog() + ": " + e.getMessage(),
                    e);
        }
    }

    private static void release(List<TcpListener> listeners, AccessLog log, Gateway gateway) {
        listeners.forEach(TcpListener::close);
        if (log != null) {
            log.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** How CGI programs are started ("posix_spawn", or "ProcessBuilder" and why), or null without CGI. */
    public String cgiSpawning() {
        return gateway == null ? null : gateway.spawning();
    }

    /** The port the server listens on (the chosen one when 0 was asked for). */
    public int port() {
        return port;
    }

    /** The addresses listened on, each once; ClosedChannelException once the server has stopped. */
    public List<InetSocketAddress> addresses() throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (TcpListener listener : listeners) {
            if (!addresses.contains(listener.address())) {
                addresses.add(listener.address());
            }
        }
        return addresses;
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
     * Stops gracefully: no new connections, responses in flight finish within the grace period, the access
     * log is written out. Returns once all of that is done.
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
                loop.awaitListenerReleased();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        listeners.forEach(TcpListener::close);
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
}
