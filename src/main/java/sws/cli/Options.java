package sws.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import sws.Config;
import sws.content.UserDirs;
import sws.http.Limits;
import sws.http.Timeouts;
import sws.net.TrustedProxies;

/**
 * The command line of spec section 1, parsed as getopt(3) and getopt_long(3) would: short options cluster
 * ({@code -df}, {@code -p8080}, {@code -fp 8080}), long options take their value after a space or '=', and
 * {@code --} ends the options. Every default shown and used is {@link Config}'s own.
 */
final class Options {
    /** A command line that cannot be run: the message, then the usage, and exit status 2. */
    static final class Misuse extends Exception {
        Misuse(String message) {
            super(message, null, false, false);
        }
    }

    Path cgiDir;
    boolean debug;
    boolean foreground;
    boolean help;
    boolean version;
    String address;
    Path logFile;
    int port = Config.DEFAULT_PORT;
    String userdir = Config.DEFAULT_USERDIR;
    int cgiTimeout = (int) Config.Cgi.DEFAULT_TIMEOUT.toSeconds();
    Integer cgiMax;
    int cgiQueue = Config.Cgi.DEFAULT_MAX_QUEUED;
    Integer loops;
    Integer maxConnections;
    Path pidFile;
    int maxRequestLine = Limits.DEFAULT.maxRequestLine();
    int maxHeaderBytes = Limits.DEFAULT.maxHeaderBytes();
    int maxHeaderFields = Limits.DEFAULT.maxHeaderFields();
    long maxBody = Limits.DEFAULT.maxBodyBytes();
    int requestTimeout = (int) Timeouts.DEFAULT.request().toSeconds();
    int idleTimeout = (int) Timeouts.DEFAULT.idle().toSeconds();
    int writeTimeout = (int) Timeouts.DEFAULT.write().toSeconds();
    Path tlsCert;
    Path tlsKey;
    Integer redirectPort;
    Long hsts;
    Path unixPath;
    Integer unixMode;
    boolean proxyProtocol;
    TrustedProxies trustedProxies;
    boolean compress = Config.Content.DEFAULT.compress();
    String cacheControl;
    final List<String> headers = new ArrayList<>();
    String cors;
    String fallback;
    String metrics;
    String healthPath;
    Integer drainDelay;
    int drainTimeout = (int) Timeouts.DEFAULT.grace().toSeconds();
    boolean reusePort;
    Path docroot;

    private Options() {}

    /** The options of a command line; -h and --version need no docroot. */
    static Options parse(String... args) throws Misuse {
        try {
            return read(args);
        } catch (OptionTable.BadValue e) {
            throw new Misuse(e.getMessage());
        }
    }

    private static Options read(String... args) throws Misuse {
        Options o = new Options();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                operands.addAll(List.of(args).subList(i + 1, args.length));
                break;
            } else if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                OptionTable.Option option = named(eq < 0 ? arg.substring(2) : arg.substring(2, eq));
                if (option.label() == null) {
                    if (eq >= 0) {
                        throw new Misuse("option --" + option.name() + " takes no value");
                    }
                    option.set().accept(o, null);
                } else if (eq >= 0) {
                    option.set().accept(o, arg.substring(eq + 1));
                } else if (option.optional()) {
                    // "--cors https://a.example dir" reads as users mean it; a docroot never looks like an origin
                    boolean given = i + 1 < args.length && looksLikeOrigin(args[i + 1]);
                    option.set().accept(o, given ? args[++i] : null);
                } else {
                    option.set().accept(o, value(args, ++i, "--" + option.name()));
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int k = 1; k < arg.length(); k++) {
                    OptionTable.Option option = lettered(arg.charAt(k));
                    if (option.label() == null) {
                        option.set().accept(o, null);
                    } else {
                        // getopt: the rest of the cluster is the value, else the next argument is
                        String v =
                                k + 1 < arg.length() ? arg.substring(k + 1) : value(args, ++i, "-" + option.letter());
                        option.set().accept(o, v);
                        break;
                    }
                }
            } else {
                operands.add(arg);
            }
        }
        if (o.help || o.version) {
            return o;
        }
        if (operands.isEmpty()) {
            throw new Misuse("missing the document root (dir)");
        }
        if (operands.size() > 1) {
            throw new Misuse("unexpected argument: " + operands.get(1));
        }
        o.docroot = Path.of(operands.get(0));
        o.validate();
        return o;
    }

    private static boolean looksLikeOrigin(String arg) {
        return arg.equals("*") || arg.equals("null") || arg.startsWith("http://") || arg.startsWith("https://");
    }

    private static OptionTable.Option named(String name) throws Misuse {
        for (OptionTable.Option option : OptionTable.ALL) {
            if (name.equals(option.name())) {
                return option;
            }
        }
        throw new Misuse("unknown option: --" + name);
    }

    private static OptionTable.Option lettered(char letter) throws Misuse {
        for (OptionTable.Option option : OptionTable.ALL) {
            if (letter == option.letter()) {
                return option;
            }
        }
        throw new Misuse("unknown option: -" + letter);
    }

    private static String value(String[] args, int i, String option) throws Misuse {
        if (i >= args.length) {
            throw new Misuse("option " + option + " needs a value");
        }
        return args[i];
    }

    /** Refuses values no server could run with. */
    private void validate() throws Misuse {
        if (port < 0 || port > 65535) {
            throw new Misuse("port must be between 0 and 65535: " + port);
        }
        if (!UserDirs.validPattern(userdir)) {
            throw new Misuse("--userdir must be a folder name or a path containing '*': " + userdir);
        }
        if (cgiTimeout <= 0 || requestTimeout <= 0 || idleTimeout <= 0 || writeTimeout <= 0) {
            throw new Misuse("timeouts must be positive numbers of seconds");
        }
        if (maxConnections != null && maxConnections < 1) {
            throw new Misuse("--max-connections must be at least 1");
        }
        if (loops != null && (loops < 1 || loops > 1024)) {
            throw new Misuse("--loops must be between 1 and 1024");
        }
        if ((cgiMax != null && cgiMax < 1) || cgiQueue < 0) {
            throw new Misuse("--cgi-max must be at least 1 and --cgi-queue at least 0");
        }
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaderFields < 1 || maxBody < 0) {
            throw new Misuse("limits are too small to serve any request");
        }
        validateListeners();
    }

    /** The options of spec section 7 only make sense together in some ways. */
    private void validateListeners() throws Misuse {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new Misuse("--tls-cert and --tls-key go together: give both or neither");
        }
        if (tlsCert == null && (redirectPort != null || hsts != null)) {
            throw new Misuse((redirectPort != null ? "--redirect-port" : "--hsts") + " needs --tls-cert and --tls-key");
        }
        if (redirectPort != null && (redirectPort < 0 || redirectPort > 65535 || (port != 0 && redirectPort == port))) {
            throw new Misuse("--redirect-port must be a port between 0 and 65535 other than -p's: " + redirectPort);
        }
        if (hsts != null && hsts < 0) {
            throw new Misuse("--hsts must be a number of seconds, 0 or more");
        }
        if (healthPath != null && !healthPath.startsWith("/")) {
            throw new Misuse("--health-path must be a path beginning with '/': " + healthPath);
        }
        if (drainTimeout < 0 || (drainDelay != null && drainDelay < 0)) {
            throw new Misuse("--drain-delay and --drain-timeout must be 0 or more seconds");
        }
        if (metrics != null && (metrics.lastIndexOf(':') <= 0 || metrics.endsWith(":"))) {
            throw new Misuse("--metrics must be ADDRESS:PORT, such as 127.0.0.1:9100: " + metrics);
        }
        if (unixMode != null && unixPath == null) {
            throw new Misuse("--unix-mode needs --unix");
        }
        if (trustedProxies != null && !proxyProtocol) {
            throw new Misuse("--trusted-proxy needs --proxy-protocol");
        }
    }

    /** The usage of spec section 1, every option with its default. */
    static String usage() {
        StringBuilder sb = new StringBuilder(
                """
                Usage: sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir
                A simple web server: serves dir over HTTP/1.1, with directory indexes, ~user and CGI.
                  dir                          the document root
                """);
        for (OptionTable.Option option : OptionTable.ALL) {
            sb.append(String.format("  %-28s %s%n", option.shown(), option.help()));
        }
        return sb.toString();
    }

    /** Checks the directories and the address: a failure is one line and exit 1. */
    void check() throws Failure {
        checkDirectory(docroot, "docroot");
        if (cgiDir != null) {
            checkDirectory(cgiDir, "CGI directory");
        }
        bindAddress();
    }

    private static void checkDirectory(Path dir, String what) throws Failure {
        if (!Files.exists(dir)) {
            throw new Failure(what + " " + dir + ": no such directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new Failure(what + " " + dir + ": not a directory");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new Failure(what + " " + dir + ": permission denied");
        }
    }

    /** The -i address (brackets allowed around IPv6), or null for every address. */
    private InetAddress bindAddress() throws Failure {
        if (address == null) {
            return null;
        }
        String literal =
                address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new Failure("cannot use address " + address + ": not an IP address or known host name");
        }
    }

    /** The --metrics address, or null: one line and exit 1 when it is not an address of this host's kind. */
    private java.net.InetSocketAddress metricsAddress() throws Failure {
        if (metrics == null) {
            return null;
        }
        int colon = metrics.lastIndexOf(':');
        String host = metrics.substring(0, colon);
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        long port;
        try {
            port = Long.parseLong(metrics.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new Failure("cannot use --metrics " + metrics + ": the port must be between 0 and 65535");
        }
        try {
            return new java.net.InetSocketAddress(InetAddress.getByName(literal), (int) port);
        } catch (UnknownHostException e) {
            throw new Failure("cannot use --metrics " + metrics + ": not an IP address or known host name");
        }
    }

    /** The settings these options describe. */
    Config config() throws Failure {
        var builder = Config.builder(docroot)
                .address(bindAddress())
                .port(port)
                .accessLog(logFile)
                .debug(debug)
                .userdir(userdir)
                .limits(new Limits(maxRequestLine, maxHeaderBytes, maxHeaderFields, maxBody))
                .timeouts(new Timeouts(
                        Duration.ofSeconds(requestTimeout),
                        Duration.ofSeconds(idleTimeout),
                        Duration.ofSeconds(writeTimeout),
                        Duration.ofSeconds(drainTimeout)));
        if (cgiDir != null) {
            builder.cgi(new Config.Cgi(
                    cgiDir,
                    Duration.ofSeconds(cgiTimeout),
                    cgiMax == null ? Config.Cgi.defaultMaxRunning() : cgiMax,
                    cgiQueue));
        }
        if (loops != null) {
            builder.loops(loops);
        }
        if (maxConnections != null) {
            builder.maxConnections(maxConnections);
        }
        if (tlsCert != null) {
            builder.tls(new Config.Tls(
                    tlsCert, tlsKey, redirectPort == null ? -1 : redirectPort, hsts == null ? -1 : hsts));
        }
        if (unixPath != null) {
            builder.unix(new Config.Unix(unixPath, unixMode == null ? Config.Unix.DEFAULT_MODE : unixMode));
        }
        if (proxyProtocol) {
            builder.proxyProtocol(trustedProxies == null ? TrustedProxies.DEFAULT : trustedProxies);
        }
        builder.compress(compress).cacheControl(cacheControl).cors(cors).fallback(fallback);
        headers.forEach(builder::header);
        builder.metrics(metricsAddress())
                .healthPath(healthPath)
                .drainDelay(drainDelay == null ? null : Duration.ofSeconds(drainDelay))
                .reusePort(reusePort);
        return builder.build();
    }
}
