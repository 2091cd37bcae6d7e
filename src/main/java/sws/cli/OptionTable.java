package sws.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import sws.Config;
import sws.http.Limits;
import sws.http.Timeouts;
import sws.net.TrustedProxies;

/** Every option of the command line: its names, its value, its help line, and how it sets {@link Options}. */
final class OptionTable {
    private OptionTable() {}

    /** One option: its names, the label of its value (null for a flag), what it does, how it is set. */
    record Option(char letter, String name, String label, String help, BiConsumer<Options, String> set) {
        /** Whether the value may be left out (getopt_long's optional_argument): then it follows '='. */
        boolean optional() {
            return label != null && label.startsWith("[");
        }

        String shown() {
            String names = letter != 0 ? "-" + letter : "--" + name;
            return label == null ? names : names + " " + label;
        }
    }

    static final List<Option> ALL = List.of(
            new Option(
                    'c',
                    null,
                    "dir",
                    "enable CGI: run programs in dir for /cgi-bin/ paths",
                    (o, v) -> o.cgiDir = Path.of(v)),
            new Option(
                    'd',
                    null,
                    null,
                    "debugging: foreground, one connection at a time, log to stdout",
                    (o, v) -> o.debug = true),
            new Option('f', null, null, "stay in the foreground (do not daemonize)", (o, v) -> o.foreground = true),
            new Option('h', null, null, "print this help and exit", (o, v) -> o.help = true),
            new Option('i', null, "address", "bind to this IPv4 or IPv6 address only", (o, v) -> o.address = v),
            new Option('l', null, "file", "append the access log to file", (o, v) -> o.logFile = Path.of(v)),
            new Option(
                    'p',
                    null,
                    "port",
                    "TCP port (default " + Config.DEFAULT_PORT + "; 0 picks a free one)",
                    (o, v) -> o.port = integer("-p", v)),
            new Option(
                    (char) 0,
                    "userdir",
                    "PATTERN",
                    "where /~user/ maps: a folder in the user's home (default " + Config.DEFAULT_USERDIR
                            + ") or a path with * for the user name",
                    (o, v) -> o.userdir = v),
            new Option(
                    (char) 0,
                    "cgi-timeout",
                    "SECONDS",
                    "kill a CGI program running longer (default " + Config.Cgi.DEFAULT_TIMEOUT.toSeconds() + ")",
                    (o, v) -> o.cgiTimeout = integer("--cgi-timeout", v)),
            new Option(
                    (char) 0,
                    "cgi-max",
                    "N",
                    "most CGI programs running at once (default: 4 per core)",
                    (o, v) -> o.cgiMax = integer("--cgi-max", v)),
            new Option(
                    (char) 0,
                    "cgi-queue",
                    "N",
                    "most CGI requests waiting for a free slot; more get 503 (default " + Config.Cgi.DEFAULT_MAX_QUEUED
                            + ")",
                    (o, v) -> o.cgiQueue = integer("--cgi-queue", v)),
            new Option(
                    (char) 0,
                    "loops",
                    "N",
                    "event loops (selector threads) serving connections (default: one per core)",
                    (o, v) -> o.loops = integer("--loops", v)),
            new Option(
                    (char) 0,
                    "max-connections",
                    "N",
                    "most connections open at once; more get 503 and are closed (default: what the "
                            + "file-descriptor limit allows, less a reserve)",
                    (o, v) -> o.maxConnections = integer("--max-connections", v)),
            new Option(
                    (char) 0,
                    "pid-file",
                    "FILE",
                    "write the server's process id here",
                    (o, v) -> o.pidFile = Path.of(v)),
            new Option(
                    (char) 0,
                    "max-request-line",
                    "BYTES",
                    "longest request line (default " + Limits.DEFAULT.maxRequestLine() + "; 414 beyond)",
                    (o, v) -> o.maxRequestLine = integer("--max-request-line", v)),
            new Option(
                    (char) 0,
                    "max-header-bytes",
                    "BYTES",
                    "largest header section (default " + Limits.DEFAULT.maxHeaderBytes() + "; 431 beyond)",
                    (o, v) -> o.maxHeaderBytes = integer("--max-header-bytes", v)),
            new Option(
                    (char) 0,
                    "max-header-fields",
                    "N",
                    "most header fields (default " + Limits.DEFAULT.maxHeaderFields() + "; 431 beyond)",
                    (o, v) -> o.maxHeaderFields = integer("--max-header-fields", v)),
            new Option(
                    (char) 0,
                    "max-body",
                    "BYTES",
                    "largest request body (default " + Limits.DEFAULT.maxBodyBytes() + "; 413 beyond)",
                    (o, v) -> o.maxBody = number("--max-body", v)),
            new Option(
                    (char) 0,
                    "request-timeout",
                    "SECONDS",
                    "time to send a request head (default "
                            + Timeouts.DEFAULT.request().toSeconds() + "; 408 beyond)",
                    (o, v) -> o.requestTimeout = integer("--request-timeout", v)),
            new Option(
                    (char) 0,
                    "idle-timeout",
                    "SECONDS",
                    "an idle keep-alive connection is closed after (default "
                            + Timeouts.DEFAULT.idle().toSeconds() + ")",
                    (o, v) -> o.idleTimeout = integer("--idle-timeout", v)),
            new Option(
                    (char) 0,
                    "write-timeout",
                    "SECONDS",
                    "a client reading nothing is dropped after (default "
                            + Timeouts.DEFAULT.write().toSeconds() + ")",
                    (o, v) -> o.writeTimeout = integer("--write-timeout", v)),
            new Option(
                    (char) 0,
                    "tls-cert",
                    "FILE",
                    "speak HTTPS with this PEM certificate chain (leaf first); needs --tls-key",
                    (o, v) -> o.tlsCert = Path.of(v)),
            new Option(
                    (char) 0,
                    "tls-key",
                    "FILE",
                    "the PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1; not encrypted)",
                    (o, v) -> o.tlsKey = Path.of(v)),
            new Option(
                    (char) 0,
                    "redirect-port",
                    "PORT",
                    "also listen for plain HTTP here and redirect every request to HTTPS",
                    (o, v) -> o.redirectPort = integer("--redirect-port", v)),
            new Option(
                    (char) 0,
                    "hsts",
                    "SECONDS",
                    "send Strict-Transport-Security: max-age=SECONDS on every HTTPS response",
                    (o, v) -> o.hsts = number("--hsts", v)),
            new Option(
                    (char) 0,
                    "unix",
                    "PATH",
                    "also listen on a UNIX-domain socket at PATH",
                    (o, v) -> o.unixPath = Path.of(v)),
            new Option(
                    (char) 0,
                    "unix-mode",
                    "OCTAL",
                    "permissions of the --unix socket file (default 0660)",
                    (o, v) -> o.unixMode = octal("--unix-mode", v)),
            new Option(
                    (char) 0,
                    "proxy-protocol",
                    null,
                    "every connection begins with a PROXY protocol header (v1 or v2) naming the client",
                    (o, v) -> o.proxyProtocol = true),
            new Option(
                    (char) 0,
                    "trusted-proxy",
                    "CIDR[,CIDR...]",
                    "with --proxy-protocol, the only peers allowed to connect (default "
                            + "127.0.0.0/8,::1/128,unix; 'unix' is the UNIX socket)",
                    (o, v) -> o.trustedProxies = trusted(v)),
            new Option(
                    (char) 0,
                    "no-compress",
                    null,
                    "do not gzip compressible files on the fly",
                    (o, v) -> o.compress = false),
            new Option(
                    (char) 0,
                    "cache-control",
                    "VALUE",
                    "send Cache-Control: VALUE with every file and listing",
                    (o, v) -> o.cacheControl = v),
            new Option(
                    (char) 0,
                    "header",
                    "'NAME: VALUE'",
                    "add this field to every response that is not an error (repeatable)",
                    (o, v) -> o.headers.add(v)),
            new Option(
                    (char) 0,
                    "cors",
                    "[ORIGIN]",
                    "allow cross-origin requests from ORIGIN (default *) and answer preflights",
                    (o, v) -> o.cors = v == null ? "*" : v),
            new Option(
                    (char) 0,
                    "fallback",
                    "PATH",
                    "answer missing extensionless paths with this docroot file (single-page applications)",
                    (o, v) -> o.fallback = v),
            new Option(
                    (char) 0,
                    "metrics",
                    "ADDRESS:PORT",
                    "serve Prometheus metrics at http://ADDRESS:PORT/metrics (a listener of its own)",
                    (o, v) -> o.metrics = v),
            new Option(
                    (char) 0,
                    "health-path",
                    "PATH",
                    "answer GET PATH with 200 ok, and 503 once a graceful stop begins (for load balancers)",
                    (o, v) -> o.healthPath = v),
            new Option(
                    (char) 0,
                    "drain-delay",
                    "SECONDS",
                    "on a stop, keep serving this long with the health check failing (default "
                            + Config.Operations.DEFAULT_DRAIN_DELAY.toSeconds() + " with --health-path, else 0)",
                    (o, v) -> o.drainDelay = integer("--drain-delay", v)),
            new Option(
                    (char) 0,
                    "drain-timeout",
                    "SECONDS",
                    "on a stop, let what is in flight finish within this (default "
                            + Timeouts.DEFAULT.grace().toSeconds() + ")",
                    (o, v) -> o.drainTimeout = integer("--drain-timeout", v)),
            new Option(
                    (char) 0,
                    "reuse-port",
                    null,
                    "share the port with another sws (SO_REUSEPORT), for restarts without downtime",
                    (o, v) -> o.reusePort = true),
            new Option((char) 0, "version", null, "print the version and exit", (o, v) -> o.version = true));

    /** Values are parsed as they are read; a bad one ends the parse (lambdas cannot throw Misuse). */
    static final class BadValue extends RuntimeException {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    private static int integer(String option, String v) {
        long n = number(option, v);
        if (n > Integer.MAX_VALUE) {
            throw new BadValue("invalid value for " + option + ": " + v);
        }
        return (int) n;
    }

    private static int octal(String option, String v) {
        if (!v.matches("0?[0-7]{1,3}")) {
            throw new BadValue("invalid value for " + option + ": '" + v + "' is not an octal mode such as 0660");
        }
        return Integer.parseInt(v, 8);
    }

    private static TrustedProxies trusted(String v) {
        try {
            return TrustedProxies.parse(v);
        } catch (IllegalArgumentException e) {
            throw new BadValue("invalid value for --trusted-proxy: " + e.getMessage());
        }
    }

    private static long number(String option, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadValue("invalid value for " + option + ": '" + v + "' is not a number");
        }
    }
}
