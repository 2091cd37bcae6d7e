package sws.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sws.Config;
import sws.content.UserDirs;
import sws.http.Limits;
import sws.http.Timeouts;

/**
 * The options of spec section 1: what each means, whether the values make sense together, and the
 * {@link Config} they describe. The defaults shown and used are Config's own ({@link Defaults}).
 */
final class Options {
    @Option(names = "-c", paramLabel = "dir", description = "enable CGI: run programs in dir for /cgi-bin/ paths")
    Path cgiDir;

    @Option(names = "-d", description = "debugging: foreground, one connection at a time, log to stdout")
    boolean debug;

    @Option(names = "-f", description = "stay in the foreground (do not daemonize)")
    boolean foreground;

    @Option(names = "-h", usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "-i", paramLabel = "address", description = "bind to this IPv4 or IPv6 address only")
    String address;

    @Option(names = "-l", paramLabel = "file", description = "append the access log to file")
    Path logFile;

    @Option(names = "-p", paramLabel = "port", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(
            names = "--userdir",
            paramLabel = "PATTERN",
            description = "where /~user/ maps: a folder name in the user's home (default ${DEFAULT-VALUE}) "
                    + "or a path with * for the user name")
    String userdir;

    @Option(
            names = "--cgi-timeout",
            paramLabel = "SECONDS",
            description = "kill a CGI program running longer (default ${DEFAULT-VALUE})")
    int cgiTimeout;

    @Option(
            names = "--cgi-max",
            paramLabel = "N",
            description = "most CGI programs running at once (default: 4 per core)")
    Integer cgiMax;

    @Option(
            names = "--cgi-queue",
            paramLabel = "N",
            description = "most CGI requests waiting for a free slot; more get 503 (default ${DEFAULT-VALUE})")
    int cgiQueue;

    @Option(
            names = "--loops",
            paramLabel = "N",
            description = "event loops (selector threads) serving connections (default: one per core)")
    Integer loops;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "most connections open at once; more get 503 and are closed "
                    + "(default: what the file-descriptor limit allows, less a reserve)")
    Integer maxConnections;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "write the server's process id here")
    Path pidFile;

    @Option(
            names = "--max-request-line",
            paramLabel = "BYTES",
            description = "longest request line (default ${DEFAULT-VALUE}; 414 beyond)")
    int maxRequestLine;

    @Option(
            names = "--max-header-bytes",
            paramLabel = "BYTES",
            description = "largest header section (default ${DEFAULT-VALUE}; 431 beyond)")
    int maxHeaderBytes;

    @Option(
            names = "--max-header-fields",
            paramLabel = "N",
            description = "most header fields (default ${DEFAULT-VALUE}; 431 beyond)")
    int maxHeaderFields;

    @Option(
            names = "--max-body",
            paramLabel = "BYTES",
            description = "largest request body (default ${DEFAULT-VALUE}; 413 beyond)")
    long maxBody;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            description = "time to send a request head (default ${DEFAULT-VALUE}; 408 beyond)")
    int requestTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description = "an idle keep-alive connection is closed after (default ${DEFAULT-VALUE})")
    int idleTimeout;

    @Option(
            names = "--write-timeout",
            paramLabel = "SECONDS",
            description = "a client reading nothing is dropped after (default ${DEFAULT-VALUE})")
    int writeTimeout;

    @Option(names = "--version", versionHelp = true, description = "print the version and exit")
    boolean version;

    @Parameters(index = "0", paramLabel = "dir", description = "the document root")
    Path docroot;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /** Refuses values no server could run with: a usage error (exit 2). */
    void validate() {
        if (port < 0 || port > 65535) {
            throw usage("port must be between 0 and 65535: " + port);
        }
        if (!UserDirs.validPattern(userdir)) {
            throw usage("--userdir must be a folder name or a path containing '*': " + userdir);
        }
        if (cgiTimeout <= 0 || requestTimeout <= 0 || idleTimeout <= 0 || writeTimeout <= 0) {
            throw usage("timeouts must be positive numbers of seconds");
        }
        if (maxConnections != null && maxConnections < 1) {
            throw usage("--max-connections must be at least 1");
        }
        if (loops != null && (loops < 1 || loops > 1024)) {
            throw usage("--loops must be between 1 and 1024");
        }
        if ((cgiMax != null && cgiMax < 1) || cgiQueue < 0) {
            throw usage("--cgi-max must be at least 1 and --cgi-queue at least 0");
        }
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaderFields < 1 || maxBody < 0) {
            throw usage("limits are too small to serve any request");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
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

    /** The defaults of the options that have a fixed one, from where the server keeps them. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        private static final Map<String, Object> VALUES = Map.ofEntries(
                Map.entry("-p", Config.DEFAULT_PORT),
                Map.entry("--userdir", Config.DEFAULT_USERDIR),
                Map.entry("--cgi-timeout", Config.Cgi.DEFAULT_TIMEOUT.toSeconds()),
                Map.entry("--cgi-queue", Config.Cgi.DEFAULT_MAX_QUEUED),
                Map.entry("--max-request-line", Limits.DEFAULT.maxRequestLine()),
                Map.entry("--max-header-bytes", Limits.DEFAULT.maxHeaderBytes()),
                Map.entry("--max-header-fields", Limits.DEFAULT.maxHeaderFields()),
                Map.entry("--max-body", Limits.DEFAULT.maxBodyBytes()),
                Map.entry("--request-timeout", Timeouts.DEFAULT.request().toSeconds()),
                Map.entry("--idle-timeout", Timeouts.DEFAULT.idle().toSeconds()),
                Map.entry("--write-timeout", Timeouts.DEFAULT.write().toSeconds()));

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec argument) {
            if (!(argument instanceof CommandLine.Model.OptionSpec option)) {
                return null;
            }
            Object value = VALUES.get(option.longestName());
            return value == null ? null : value.toString();
        }
    }
}
