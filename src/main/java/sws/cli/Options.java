package sws.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import sws.Config;
import sws.content.UserDirs;
import sws.http.Limits;
import sws.http.Timeouts;

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

    /** One option: its names, the label of its value (null for a flag), what it does, how it is set. */
    private record Option(char letter, String name, String label, String help, BiConsumer<Options, String> set) {
        String shown() {
            String names = letter != 0 ? "-" + letter : "--" + name;
            return label == null ? names : names + " " + label;
        }
    }

    private static final List<Option> ALL = List.of(
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
            new Option((char) 0, "version", null, "print the version and exit", (o, v) -> o.version = true));

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
    Path docroot;

    private Options() {}

    /** The options of a command line; -h and --version need no docroot. */
    static Options parse(String... args) throws Misuse {
        try {
            return read(args);
        } catch (BadValue e) {
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
                Option option = named(eq < 0 ? arg.substring(2) : arg.substring(2, eq));
                if (option.label == null) {
                    if (eq >= 0) {
                        throw new Misuse("option --" + option.name + " takes no value");
                    }
                    option.set.accept(o, null);
                } else if (eq >= 0) {
                    option.set.accept(o, arg.substring(eq + 1));
                } else {
                    option.set.accept(o, value(args, ++i, "--" + option.name));
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int k = 1; k < arg.length(); k++) {
                    Option option = lettered(arg.charAt(k));
                    if (option.label == null) {
                        option.set.accept(o, null);
                    } else {
                        // getopt: the rest of the cluster is the value, else the next argument is
                        String v = k + 1 < arg.length() ? arg.substring(k + 1) : value(args, ++i, "-" + option.letter);
                        option.set.accept(o, v);
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

    private static Option named(String name) throws Misuse {
        for (Option option : ALL) {
            if (name.equals(option.name)) {
                return option;
            }
        }
        throw new Misuse("unknown option: --" + name);
    }

    private static Option lettered(char letter) throws Misuse {
        for (Option option : ALL) {
            if (letter == option.letter) {
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

    /** Values are parsed as they are read; a bad one ends the parse (lambdas cannot throw Misuse). */
    private static final class BadValue extends RuntimeException {
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

    private static long number(String option, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadValue("invalid value for " + option + ": '" + v + "' is not a number");
        }
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
    }

    /** The usage of spec section 1, every option with its default. */
    static String usage() {
        StringBuilder sb = new StringBuilder(
                """
                Usage: sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir
                A simple web server: serves dir over HTTP/1.1, with directory indexes, ~user and CGI.
                  dir                          the document root
                """);
        for (Option option : ALL) {
            sb.append(String.format("  %-28s %s%n", option.shown(), option.help));
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
                        Timeouts.DEFAULT.grace()));
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
        return builder.build();
    }
}
