package sws;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sws.content.UserDirs;
import sws.http.Limits;
import sws.http.Version;
import sws.net.Timeouts;

/** The command line of spec section 1: parses the options, daemonizes when asked, runs a Server. */
@Command(
        name = "sws",
        sortOptions = false,
        customSynopsis = "sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir",
        usageHelpAutoWidth = true,
        versionProvider = Main.VersionProvider.class,
        description = "A simple web server: serves dir over HTTP/1.1, with directory indexes, ~user and CGI.")
public final class Main implements Callable<Integer> {
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

    @Option(
            names = "-p",
            paramLabel = "port",
            description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one)",
            defaultValue = "8080")
    int port;

    @Option(
            names = "--userdir",
            paramLabel = "PATTERN",
            description = "where /~user/ maps: a folder name in the user's home (default ${DEFAULT-VALUE}) "
                    + "or a path with * for the user name",
            defaultValue = Config.DEFAULT_USERDIR)
    String userdir;

    @Option(
            names = "--cgi-timeout",
            paramLabel = "SECONDS",
            description = "kill a CGI program running longer (default ${DEFAULT-VALUE})",
            defaultValue = "30")
    int cgiTimeout;

    @Option(
            names = "--cgi-max",
            paramLabel = "N",
            description = "most CGI programs running at once (default: 4 per core)")
    Integer cgiMax;

    @Option(
            names = "--cgi-queue",
            paramLabel = "N",
            description = "most CGI requests waiting for a free slot; more get 503 (default ${DEFAULT-VALUE})",
            defaultValue = "256")
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
            description = "longest request line (default ${DEFAULT-VALUE}; 414 beyond)",
            defaultValue = "8192")
    int maxRequestLine;

    @Option(
            names = "--max-header-bytes",
            paramLabel = "BYTES",
            description = "largest header section (default ${DEFAULT-VALUE}; 431 beyond)",
            defaultValue = "65536")
    int maxHeaderBytes;

    @Option(
            names = "--max-header-fields",
            paramLabel = "N",
            description = "most header fields (default ${DEFAULT-VALUE}; 431 beyond)",
            defaultValue = "100")
    int maxHeaderFields;

    @Option(
            names = "--max-body",
            paramLabel = "BYTES",
            description = "largest request body (default ${DEFAULT-VALUE}; 413 beyond)",
            defaultValue = "1073741824")
    long maxBody;

    @Option(
            names = "--request-timeout",
            paramLabel = "SECONDS",
            description = "time to send a request head (default ${DEFAULT-VALUE}; 408 beyond)",
            defaultValue = "10")
    int requestTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description = "an idle keep-alive connection is closed after (default ${DEFAULT-VALUE})",
            defaultValue = "15")
    int idleTimeout;

    @Option(
            names = "--write-timeout",
            paramLabel = "SECONDS",
            description = "a client reading nothing is dropped after (default ${DEFAULT-VALUE})",
            defaultValue = "30")
    int writeTimeout;

    @Option(names = "--version", versionHelp = true, description = "print the version and exit")
    boolean version;

    @Parameters(index = "0", paramLabel = "dir", description = "the document root")
    Path docroot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("sws: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("sws: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    /** A mistake of the user's that ends the program with one line and exit status 1. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() throws Failure {
        validateOptions();
        checkDirectory(docroot, "docroot");
        if (cgiDir != null) {
            checkDirectory(cgiDir, "CGI directory");
        }
        InetAddress bindAddress = resolveAddress();
        if (!debug && !foreground && !Daemon.isChild()) {
            return Daemon.launch();
        }
        Config config = Config.defaults(docroot)
                .withAddress(bindAddress)
                .withPort(port)
                .withAccessLog(logFile)
                .withDebug(debug)
                .withUserdir(userdir)
                .withCgi(
                        cgiDir == null
                                ? null
                                : new Config.Cgi(
                                        cgiDir,
                                        Duration.ofSeconds(cgiTimeout),
                                        cgiMax == null ? Config.Cgi.defaultMaxRunning() : cgiMax,
                                        cgiQueue))
                .withLimits(new Limits(maxRequestLine, maxHeaderBytes, maxHeaderFields, maxBody))
                .withLoops(loops == null ? Runtime.getRuntime().availableProcessors() : loops)
                .withMaxConnections(maxConnections == null ? 0 : maxConnections)
                .withTimeouts(new Timeouts(
                        Duration.ofSeconds(requestTimeout),
                        Duration.ofSeconds(idleTimeout),
                        Duration.ofSeconds(writeTimeout),
                        Timeouts.DEFAULT.grace()));
        Server server = startServer(config);
        try {
            writePidFile();
        } catch (Failure f) {
            server.close();
            throw f;
        }
        if (port == 0) {
            announce(server);
        }
        Signals.onStop(() -> Thread.ofPlatform().name("sws-stop").start(server::close));
        Signals.onHangUp(server::reopenLog);
        if (Daemon.isChild()) {
            Daemon.ready();
        }
        try {
            server.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        deletePidFile();
        return 0;
    }

    private void validateOptions() {
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

    private InetAddress resolveAddress() throws Failure {
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

    private Server startServer(Config config) throws Failure {
        String where = (address == null ? "*" : address) + ":" + port;
        try {
            return Server.start(config);
        } catch (BindException e) {
            String why = e.getMessage() == null ? "cannot bind" : e.getMessage();
            if (why.contains("in use")) {
                why = "port " + port + " is already in use";
            } else if (why.contains("assign")) {
                why = "address " + address + " is not an address of this host";
            }
            throw new Failure("cannot listen on " + where + ": " + why);
        } catch (IOException e) {
            if (logFile != null && !Files.isWritable(logFile.toAbsolutePath().getParent())) {
                throw new Failure("cannot open log file " + logFile + ": " + e.getMessage());
            }
            throw new Failure("cannot start: " + e.getMessage());
        }
    }

    private void writePidFile() throws Failure {
        if (pidFile == null) {
            return;
        }
        try {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new Failure("cannot write pid file " + pidFile + ": " + e.getMessage());
        }
    }

    private void deletePidFile() {
        if (pidFile == null) {
            return;
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            System.err.println("sws: cannot remove pid file " + pidFile + ": " + e.getMessage());
        }
    }

    private static void announce(Server server) {
        try {
            // One listening socket per event loop, all on the same address: name each address once.
            for (InetSocketAddress a : new LinkedHashSet<>(server.addresses())) {
                String host = a.getAddress().getHostAddress();
                host = host.contains(":") ? "[" + sws.net.Addresses.text(a.getAddress()) + "]" : host;
                System.err.println("sws: listening on " + host + ":" + a.getPort());
            }
        } catch (IOException e) {
            System.err.println("sws: listening on port " + server.port());
        }
    }

    /** Prints nothing more: output after start-up in the background would go to a closed pipe. */
    static void silence() {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(none);
        System.setErr(none);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sws " + Version.VERSION};
        }
    }
}
