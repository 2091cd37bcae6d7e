package sws;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import sws.http.Limits;
import sws.net.Timeouts;

/**
 * The server's settings, immutable; the command line builds one, tests build their own.
 *
 * @param docroot the document root
 * @param cgi the CGI settings, or null when CGI is off
 * @param address the one address to bind, or null for every address, IPv4 and IPv6
 * @param port the TCP port; 0 picks a free one
 * @param accessLog the file the access log is appended to, or null
 * @param debug one connection at a time, access log on stdout (-d)
 * @param userdir the --userdir pattern
 * @param limits the request size limits
 * @param timeouts the connection timeouts
 * @param loops how many event loops (selector threads) to run
 * @param maxConnections how many connections may be open at once; 0 for the default, sized to the
 *     process's file-descriptor limit
 */
public record Config(
        Path docroot,
        Cgi cgi,
        InetAddress address,
        int port,
        Path accessLog,
        boolean debug,
        String userdir,
        Limits limits,
        Timeouts timeouts,
        int loops,
        int maxConnections) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_USERDIR = "sws";

    /** The defaults of spec section 1 for this docroot: every address, port 8080, one loop per core. */
    public static Config defaults(Path docroot) {
        return new Config(
                docroot,
                null,
                null,
                DEFAULT_PORT,
                null,
                false,
                DEFAULT_USERDIR,
                Limits.DEFAULT,
                Timeouts.DEFAULT,
                Runtime.getRuntime().availableProcessors(),
                0);
    }

    public Config withAddress(InetAddress a) {
        return new Config(docroot, cgi, a, port, accessLog, debug, userdir, limits, timeouts, loops, maxConnections);
    }

    public Config withPort(int p) {
        return new Config(docroot, cgi, address, p, accessLog, debug, userdir, limits, timeouts, loops, maxConnections);
    }

    public Config withAccessLog(Path file) {
        return new Config(docroot, cgi, address, port, file, debug, userdir, limits, timeouts, loops, maxConnections);
    }

    public Config withDebug(boolean d) {
        return new Config(docroot, cgi, address, port, accessLog, d, userdir, limits, timeouts, loops, maxConnections);
    }

    public Config withUserdir(String u) {
        return new Config(docroot, cgi, address, port, accessLog, debug, u, limits, timeouts, loops, maxConnections);
    }

    public Config withMaxConnections(int n) {
        return new Config(docroot, cgi, address, port, accessLog, debug, userdir, limits, timeouts, loops, n);
    }

    /** CGI on, from dir, with the default bounds on programs running and waiting. */
    public Config withCgi(Path dir, Duration timeout) {
        return withCgi(new Cgi(dir, timeout, Cgi.defaultMaxRunning(), Cgi.DEFAULT_MAX_QUEUED));
    }

    public Config withCgi(Cgi c) {
        return new Config(
                docroot, c, address, port, accessLog, debug, userdir, limits, timeouts, loops, maxConnections);
    }

    /**
     * The CGI settings of spec section 5.
     *
     * @param dir where /cgi-bin/ programs live
     * @param timeout how long a program may run before it is killed
     * @param maxRunning how many programs may run at once
     * @param maxQueued how many requests may wait for a free slot; more are answered 503
     */
    public record Cgi(Path dir, Duration timeout, int maxRunning, int maxQueued) {
        public static final int DEFAULT_MAX_QUEUED = 256;

        /** A few programs per core: enough to keep the cores busy while some programs wait on I/O. */
        public static int defaultMaxRunning() {
            return 4 * Runtime.getRuntime().availableProcessors();
        }
    }

    public Config withLimits(Limits l) {
        return new Config(docroot, cgi, address, port, accessLog, debug, userdir, l, timeouts, loops, maxConnections);
    }

    public Config withTimeouts(Timeouts t) {
        return new Config(docroot, cgi, address, port, accessLog, debug, userdir, limits, t, loops, maxConnections);
    }

    public Config withLoops(int n) {
        return new Config(docroot, cgi, address, port, accessLog, debug, userdir, limits, timeouts, n, maxConnections);
    }
}
