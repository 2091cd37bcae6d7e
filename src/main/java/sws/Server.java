package sws;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import sws.cgi.Gateway;
import sws.content.Site;
import sws.content.UserDirs;
import sws.http.AddedFields;
import sws.http.Http1;
import sws.http.Version;
import sws.log.AccessLog;
import sws.metrics.Metrics;
import sws.net.Addresses;
import sws.net.Binding;
import sws.net.ConnectionLimit;
import sws.net.Endpoint;
import sws.net.EventLoop;
import sws.net.Listener;
import sws.net.TcpListener;
import sws.net.TlsContext;
import sws.net.UnixListener;
import sws.route.Cors;
import sws.route.Health;
import sws.route.HttpsRedirect;
import sws.route.MetricsPage;
import sws.route.Router;

/**
 * A running sws: it assembles the parts a {@link Config} asks for (the site, the CGI gateway, the router,
 * the access log, HTTP/1 on the event loops and their listening sockets), starts them, and stops them.
 * Embeddable: {@code try (var server = Server.start(Config.builder(dir).port(0).build())) { ... }}.
 */
public final class Server implements AutoCloseable {
    /** Scrapers are few: the metrics listener holds this many connections at most, apart from the site's. */
    private static final int METRICS_CONNECTIONS = 16;

    private final List<Listener> listeners = new ArrayList<>();
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private AccessLog accessLog; // opened once the sockets are bound
    private final Gateway gateway;
    private final TlsContext tls;
    private List<TcpListener> main = List.of();
    private List<TcpListener> redirect = List.of();
    private UnixListener unix;
    private List<TcpListener> metricsListener = List.of();
    private final Metrics metrics = new Metrics(Version.VERSION);
    private Health health;
    private Duration lameDuck = Duration.ZERO;
    private int port;
    private int redirectPort = -1;
    private boolean stopped;

    private Server(Gateway gateway, TlsContext tls) {
        this.gateway = gateway;
        this.tls = tls;
    }

    /**
     * Loads the certificate, binds, opens the log and starts the loops; a failure says which of these went
     * wrong, and nothing is left listening.
     */
    public static Server start(Config config) throws StartException {
        Site site = directory(
                config.docroot(),
                "docroot",
                () -> new Site(
                        config.docroot(),
                        new Site.Policy(
                                config.content().compress(), config.content().cacheControl())));
        Config.Cgi cgi = config.cgi();
        Gateway gateway = cgi == null
                ? null
                : directory(
                        cgi.dir(),
                        "CGI directory",
                        () -> new Gateway(
                                cgi.dir(), config.docroot(), cgi.timeout(), cgi.maxRunning(), cgi.maxQueued()));
        TlsContext tls = null;
        AccessLog log = null;
        Server server = null;
        try {
            tls = config.tls() == null ? null : loadTls(config.tls());
            server = new Server(gateway, tls);
            server.bind(config);
            log = openLog(config);
            server.accessLog = log;
            String fallback = ContentSettings.check(config.content(), site.docroot());
            server.operate(config.operations(), site);
            server.startLoops(
                    config,
                    new Router(
                            site,
                            new UserDirs(config.userdir()),
                            gateway,
                            config.content().cors() != null,
                            fallback,
                            server.health));
            return server;
        } catch (StartException e) {
            release(server, log, gateway, tls);
            throw e;
        } catch (IOException e) {
            release(server, log, gateway, tls);
            throw new StartException(StartException.Kind.OTHER, "cannot start: " + e.getMessage(), e);
        }
    }

    private static TlsContext loadTls(Config.Tls settings) throws StartException {
        try {
            return TlsContext.load(settings.certificate(), settings.key());
        } catch (TlsContext.Unusable e) {
            throw new StartException(StartException.Kind.TLS, e.getMessage(), e);
        }
    }

    /** The listeners: TCP (one per loop), the redirect port's, the UNIX socket. */
    private void bind(Config config) throws StartException {
        int count = config.debug() ? 1 : Math.max(1, config.loops());
        main = bindTcp(
                config.address(), config.port(), count, config.operations().reusePort());
        listeners.addAll(main);
        port = portOf(main);
        if (config.tls() != null && config.tls().redirectPort() >= 0) {
            redirect = bindTcp(
                    config.address(),
                    config.tls().redirectPort(),
                    count,
                    config.operations().reusePort());
            listeners.addAll(redirect);
            redirectPort = portOf(redirect);
        }
        var metricsAt = config.operations().metrics();
        if (metricsAt != null) {
            metricsListener = bindTcp(metricsAt.getAddress(), metricsAt.getPort(), 1, false);
            listeners.addAll(metricsListener);
        }
        if (config.unix() != null) {
            try {
                unix = UnixListener.bind(config.unix().path(), config.unix().mode());
            } catch (IOException e) {
                throw new StartException(StartException.Kind.UNIX_SOCKET, e.getMessage(), e);
            }
            listeners.add(unix);
        }
    }

    /** Spec section 9: the health check, the lame-duck period, and what the metrics read from the parts. */
    private void operate(Config.Operations operations, Site site) {
        if (operations.healthPath() != null) {
            health = new Health(operations.healthPath());
        }
        lameDuck = operations.lameDuck();
        if (gateway != null) {
            metrics.gauge("sws_cgi_running", "CGI programs running now.", gateway::running);
            metrics.gauge("sws_cgi_queued", "CGI requests waiting for a free slot.", gateway::queued);
            metrics.counter("sws_cgi_timeouts_total", "CGI programs killed after --cgi-timeout.", gateway::timeouts);
        } else {
            metrics.gauge("sws_cgi_running", "CGI programs running now.", () -> 0);
            metrics.gauge("sws_cgi_queued", "CGI requests waiting for a free slot.", () -> 0);
            metrics.counter("sws_cgi_timeouts_total", "CGI programs killed after --cgi-timeout.", () -> 0);
        }
        metrics.counter("sws_file_cache_hits_total", "Requests the file cache answered.", site::cacheHits);
        metrics.counter("sws_file_cache_misses_total", "Requests that took the whole lookup.", site::cacheMisses);
    }

    private void startLoops(Config config, Router router) throws IOException {
        var limits = config.limits();
        var timeouts = config.timeouts();
        var proxies = config.proxyProtocol();
        var preamble = timeouts.request();
        var content = config.content();
        List<String> every = content.cors() == null ? List.of() : new Cors(content.cors()).fields();
        List<String> headers =
                content.headers().stream().map(AddedFields::normalized).toList();
        String quiet = health == null ? null : health.path();
        Http1 plain = new Http1(router, limits, timeouts, accessLog, new AddedFields(every, headers), quiet, true);
        Http1 site = plain;
        if (config.tls() != null && config.tls().hstsSeconds() >= 0) {
            var hsts = new ArrayList<>(every);
            hsts.add("Strict-Transport-Security: max-age=" + config.tls().hstsSeconds());
            site = new Http1(router, limits, timeouts, accessLog, new AddedFields(hsts, headers), quiet, true);
        }
        var siteEndpoint = new Endpoint(site, tls, proxies, preamble);
        var redirectEndpoint = new Endpoint(
                new Http1(new HttpsRedirect(port()), limits, timeouts, accessLog, AddedFields.NONE),
                null,
                proxies,
                preamble);
        var unixEndpoint = new Endpoint(plain, null, proxies, preamble);
        var metricsEndpoint = new Endpoint(
                new Http1(new MetricsPage(metrics), limits, timeouts, null, AddedFields.NONE, null, false),
                null,
                null,
                preamble);
        var limit = new ConnectionLimit(
                config.maxConnections() > 0 ? config.maxConnections() : ConnectionLimit.fromDescriptorLimit());
        for (int i = 0; i < main.size(); i++) {
            List<Binding> bindings = new ArrayList<>();
            bindings.add(new Binding(main.get(i), siteEndpoint));
            if (!redirect.isEmpty()) {
                bindings.add(new Binding(redirect.get(i), redirectEndpoint));
            }
            if (unix != null) {
                bindings.add(new Binding(unix, unixEndpoint)); // one socket, watched by every loop
            }
            if (i == 0 && !metricsListener.isEmpty()) {
                bindings.add(
                        new Binding(metricsListener.get(0), metricsEndpoint, new ConnectionLimit(METRICS_CONNECTIONS)));
            }
            loops.add(new EventLoop(bindings, limit, config.debug(), timeouts.grace(), metrics.newLoop()));
        }
        for (int i = 0; i < loops.size(); i++) {
            threads.add(Thread.ofPlatform().name("sws-loop-" + i).start(loops.get(i)));
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
    private static List<TcpListener> bindTcp(InetAddress address, int port, int count, boolean reusePort)
            throws StartException {
        String shown = address == null ? "*" : Addresses.text(address);
        String where = (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port;
        try {
            return TcpListener.bind(address, port, count, reusePort);
        } catch (BindException e) {
            if (address != null && !isLocal(address)) {
                throw new StartException(
                        StartException.Kind.ADDRESS_NOT_LOCAL,
                        "cannot listen on " + where + ": address " + shown + " is not an address of this host",
                        e);
            }
            throw new StartException(
                    StartException.Kind.PORT_IN_USE,
                    "cannot listen on " + where + ": port " + port + " is already in use",
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

    private static void release(Server server, AccessLog log, Gateway gateway, TlsContext tls) {
        if (server != null) {
            server.listeners.forEach(Listener::close);
        }
        if (log != null) {
            log.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (tls != null) {
            tls.close();
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

    /** The port of the --metrics listener, or -1 when there is none. */
    public int metricsPort() throws IOException {
        return metricsListener.isEmpty() ? -1 : metricsListener.get(0).port();
    }

    /** The port of the listener that redirects to HTTPS, or -1 when there is none. */
    public int redirectPort() {
        return redirectPort;
    }

    private static int portOf(List<TcpListener> listeners) throws StartException {
        try {
            return listeners.get(0).port();
        } catch (IOException e) {
            throw new StartException(StartException.Kind.OTHER, "cannot listen: " + e.getMessage(), e);
        }
    }

    /** The addresses listened on, each once; ClosedChannelException once the server has stopped. */
    public List<InetSocketAddress> addresses() throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (TcpListener listener : main) {
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

    /**
     * Reads the certificate and key again (SIGHUP); new connections get the new pair. A pair that cannot be
     * used leaves the one in use as it is, and the exception says why.
     */
    public void reloadTls() throws TlsContext.Unusable {
        if (tls != null) {
            tls.reload();
        }
    }

    /**
     * Spec section 9's first step of a stop: the health check fails at once, and everything else is served
     * as usual for the lame-duck period, so a balancer stops sending before anything is refused. True when
     * the wait was interrupted.
     */
    private boolean lameDuck() {
        if (health == null) {
            return false;
        }
        health.drain();
        try {
            Thread.sleep(lameDuck);
            return false;
        } catch (InterruptedException e) {
            return true;
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
        boolean interrupted = lameDuck();
        loops.forEach(EventLoop::stop);
        // A listening socket registered with a selector is really closed only once no selector holds it;
        // so wait for every loop to let go, then close: from here on new clients are refused.
        for (EventLoop loop : loops) {
            try {
                loop.awaitListenerReleased();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        listeners.forEach(Listener::close); // the UNIX socket's file goes with it
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
        if (tls != null) {
            tls.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
