package sws;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import sws.http.Limits;
import sws.http.Timeouts;
import sws.net.TrustedProxies;

/**
 * The server's settings, immutable; built with {@link #builder}, whose defaults are the ones of the spec
 * and the only ones there are (the command line shows these in its help).
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
 * @param maxConnections how many connections may be open at once; 0 for as many as the process's
 *     file-descriptor limit allows
 * @param tls HTTPS on the TCP listeners, or null for plain HTTP
 * @param unix the UNIX-domain listener besides the TCP one, or null for none
 * @param proxyProtocol the peers that may connect when every connection must begin with a PROXY header, or
 *     null when none is expected
 * @param content what file and listing responses carry beyond the file (spec section 8)
 * @param operations metrics, health checks, draining and port sharing (spec section 9)
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
        int maxConnections,
        Tls tls,
        Unix unix,
        TrustedProxies proxyProtocol,
        Content content,
        Operations operations) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_USERDIR = "sws";

    public Config {
        Objects.requireNonNull(docroot, "docroot");
        Objects.requireNonNull(userdir, "userdir");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(operations, "operations");
    }

    /** One event loop per core. */
    public static int defaultLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Settings for serving docroot, every other one at its default until set. */
    public static Builder builder(Path docroot) {
        return new Builder(docroot);
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
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_MAX_QUEUED = 256;

        /** CGI from dir with the default timeout and bounds. */
        public static Cgi in(Path dir) {
            return new Cgi(dir, DEFAULT_TIMEOUT, defaultMaxRunning(), DEFAULT_MAX_QUEUED);
        }

        /** A few programs per core: enough to keep the cores busy while some programs wait on I/O. */
        public static int defaultMaxRunning() {
            return 4 * Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * HTTPS on the TCP listeners (spec section 7.1).
     *
     * @param certificate the PEM certificate chain, leaf first
     * @param key the PEM private key
     * @param redirectPort the port of a plain listener that redirects every request to HTTPS, or -1 for none
     *     (0 picks a free one)
     * @param hstsSeconds the max-age of Strict-Transport-Security on every response, or -1 to send none
     */
    public record Tls(Path certificate, Path key, int redirectPort, long hstsSeconds) {
        /** HTTPS with this pair, no redirect listener and no HSTS. */
        public static Tls of(Path certificate, Path key) {
            return new Tls(certificate, key, -1, -1);
        }
    }

    /**
     * A UNIX-domain listener (spec section 7.2).
     *
     * @param mode the socket file's permission bits
     */
    public record Unix(Path path, int mode) {
        public static final int DEFAULT_MODE = 0660;
    }

    /**
     * The options of spec section 8: compression, caching and the fields and fallbacks static sites ask for.
     * Checked when the server starts (a field sws owns, a fallback file that is missing: a StartException).
     *
     * @param compress gzip compressible files on the fly for clients that accept it
     * @param cacheControl the Cache-Control value of every file and listing response, or null for none
     * @param headers "Name: value" fields added to every response that is not an error
     * @param cors the Access-Control-Allow-Origin value ("*" or an origin), or null for no CORS
     * @param fallback the docroot file that answers a GET of a missing extensionless path, or null for none
     */
    public record Content(boolean compress, String cacheControl, List<String> headers, String cors, String fallback) {
        public static final Content DEFAULT = new Content(true, null, List.of(), null, null);

        public Content {
            headers = List.copyOf(headers);
        }
    }

    /**
     * What operators of many instances need (spec section 9).
     *
     * @param metrics where the Prometheus listener listens, or null for none
     * @param healthPath the path of the balancer's health check, or null for none
     * @param drainDelay how long a stop keeps serving with the health check failing, before it closes the
     *     listeners; null for the default, 2 s with a health path and none without
     * @param reusePort join a port another process holds through SO_REUSEPORT instead of refusing it
     */
    public record Operations(InetSocketAddress metrics, String healthPath, Duration drainDelay, boolean reusePort) {
        public static final Operations DEFAULT = new Operations(null, null, null, false);
        public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(2);

        /** The lame-duck period a stop begins with. */
        public Duration lameDuck() {
            if (drainDelay != null) {
                return drainDelay;
            }
            return healthPath == null ? Duration.ZERO : DEFAULT_DRAIN_DELAY;
        }
    }

    /** Builds a Config; each setting not given keeps its default. */
    public static final class Builder {
        private final Path docroot;
        private Cgi cgi;
        private InetAddress address;
        private int port = DEFAULT_PORT;
        private Path accessLog;
        private boolean debug;
        private String userdir = DEFAULT_USERDIR;
        private Limits limits = Limits.DEFAULT;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private int loops = defaultLoops();
        private int maxConnections;
        private Tls tls;
        private Unix unix;
        private TrustedProxies proxyProtocol;
        private boolean compress = Content.DEFAULT.compress();
        private String cacheControl;
        private final List<String> headers = new ArrayList<>();
        private String cors;
        private String fallback;
        private Operations operations = Operations.DEFAULT;

        private Builder(Path docroot) {
            this.docroot = docroot;
        }

        /** CGI on, with these settings; null turns it off. */
        public Builder cgi(Cgi c) {
            cgi = c;
            return this;
        }

        /** CGI on, from dir, with this timeout and the default bounds. */
        public Builder cgi(Path dir, Duration timeout) {
            return cgi(new Cgi(dir, timeout, Cgi.defaultMaxRunning(), Cgi.DEFAULT_MAX_QUEUED));
        }

        public Builder address(InetAddress a) {
            address = a;
            return this;
        }

        public Builder port(int p) {
            port = p;
            return this;
        }

        public Builder accessLog(Path file) {
            accessLog = file;
            return this;
        }

        public Builder debug(boolean d) {
            debug = d;
            return this;
        }

        public Builder userdir(String pattern) {
            userdir = pattern;
            return this;
        }

        public Builder limits(Limits l) {
            limits = l;
            return this;
        }

        public Builder timeouts(Timeouts t) {
            timeouts = t;
            return this;
        }

        public Builder loops(int n) {
            loops = n;
            return this;
        }

        public Builder maxConnections(int n) {
            maxConnections = n;
            return this;
        }

        /** HTTPS on the TCP listeners; null for plain HTTP. */
        public Builder tls(Tls t) {
            tls = t;
            return this;
        }

        /** A UNIX-domain listener besides the TCP one; null for none. */
        public Builder unix(Unix u) {
            unix = u;
            return this;
        }

        /** A PROXY header first on every connection, from these peers only; null for none. */
        public Builder proxyProtocol(TrustedProxies trusted) {
            proxyProtocol = trusted;
            return this;
        }

        /** On-the-fly gzip of compressible files (on by default). */
        public Builder compress(boolean on) {
            compress = on;
            return this;
        }

        /** Cache-Control on every file and listing response; null for none. */
        public Builder cacheControl(String value) {
            cacheControl = value;
            return this;
        }

        /** One more "Name: value" field on every response that is not an error; may be called again. */
        public Builder header(String field) {
            headers.add(field);
            return this;
        }

        /** CORS for this origin ("*" for any); null for none. */
        public Builder cors(String origin) {
            cors = origin;
            return this;
        }

        /** The docroot file (such as "index.html") a single-page application's missing paths get; null for none. */
        public Builder fallback(String path) {
            fallback = path;
            return this;
        }

        /** A Prometheus listener at this address; null for none. */
        public Builder metrics(InetSocketAddress where) {
            operations =
                    new Operations(where, operations.healthPath(), operations.drainDelay(), operations.reusePort());
            return this;
        }

        /** The health check's path ("/healthz"); null for none. */
        public Builder healthPath(String path) {
            operations = new Operations(operations.metrics(), path, operations.drainDelay(), operations.reusePort());
            return this;
        }

        /** The lame-duck period of a stop; null for the default. */
        public Builder drainDelay(Duration delay) {
            operations = new Operations(operations.metrics(), operations.healthPath(), delay, operations.reusePort());
            return this;
        }

        /** Share the port with another process through SO_REUSEPORT. */
        public Builder reusePort(boolean on) {
            operations = new Operations(operations.metrics(), operations.healthPath(), operations.drainDelay(), on);
            return this;
        }

        public Config build() {
            return new Config(
                    docroot,
                    cgi,
                    address,
                    port,
                    accessLog,
                    debug,
                    userdir,
                    limits,
                    timeouts,
                    loops,
                    maxConnections,
                    tls,
                    unix,
                    proxyProtocol,
                    new Content(compress, cacheControl, headers, cors, fallback),
                    operations);
        }
    }
}
