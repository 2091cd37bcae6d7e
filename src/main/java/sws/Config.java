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
 * @param cgiDir where /cgi-bin/ programs live, or null when CGI is off
 * @param address the one address to bind, or null for every address, IPv4 and IPv6
 * @param port the TCP port; 0 picks a free one
 * @param accessLog the file the access log is appended to, or null
 * @param debug one connection at a time, access log on stdout (-d)
 * @param userdir the --userdir pattern
 * @param cgiTimeout how long a CGI program may run
 * @param limits the request size limits
 * @param timeouts the connection timeouts
 * @param loops how many event loops (selector threads) to run
 */
public record Config(
        Path docroot,
        Path cgiDir,
        InetAddress address,
        int port,
        Path accessLog,
        boolean debug,
        String userdir,
        Duration cgiTimeout,
        Limits limits,
        Timeouts timeouts,
        int loops) {

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
                Duration.ofSeconds(30),
                Limits.DEFAULT,
                Timeouts.DEFAULT,
                Runtime.getRuntime().availableProcessors());
    }

    public Config withAddress(InetAddress a) {
        return new Config(docroot, cgiDir, a, port, accessLog, debug, userdir, cgiTimeout, limits, timeouts, loops);
    }

    public Config withPort(int p) {
        return new Config(docroot, cgiDir, address, p, accessLog, debug, userdir, cgiTimeout, limits, timeouts, loops);
    }

    public Config withAccessLog(Path file) {
        return new Config(docroot, cgiDir, address, port, file, debug, userdir, cgiTimeout, limits, timeouts, loops);
    }

    public Config withDebug(boolean d) {
        return new Config(docroot, cgiDir, address, port, accessLog, d, userdir, cgiTimeout, limits, timeouts, loops);
    }

    public Config withUserdir(String u) {
        return new Config(docroot, cgiDir, address, port, accessLog, debug, u, cgiTimeout, limits, timeouts, loops);
    }

    public Config withCgi(Path dir, Duration timeout) {
        return new Config(docroot, dir, address, port, accessLog, debug, userdir, timeout, limits, timeouts, loops);
    }

    public Config withLimits(Limits l) {
        return new Config(docroot, cgiDir, address, port, accessLog, debug, userdir, cgiTimeout, l, timeouts, loops);
    }

    public Config withTimeouts(Timeouts t) {
        return new Config(docroot, cgiDir, address, port, accessLog, debug, userdir, cgiTimeout, limits, t, loops);
    }

    public Config withLoops(int n) {
        return new Config(docroot, cgiDir, address, port, accessLog, debug, userdir, cgiTimeout, limits, timeouts, n);
    }
}
