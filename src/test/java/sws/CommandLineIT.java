package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.testing.Processes;
import sws.testing.RawClient;

/** Spec section 1: the packaged sws started as a real process with real arguments. */
class CommandLineIT {
    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("sws: listening on (.+):(\\d+)");
    private static final Pattern USAGE = Pattern.compile("(?s).*Usage: sws .*");

    @TempDir
    Path tmp;

    private Path docroot;
    private final Processes processes = new Processes();

    @BeforeEach
    void makeDocroot() throws IOException {
        docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("hello.txt"), "hello\n");
    }

    @AfterEach
    void killEverythingStarted() {
        processes.close();
    }

    // ---- usage, version and misuse: exit 0 or 2 ----

    @Test
    void helpPrintsUsageOnStdoutAndExitsZero() {
        var r = processes.run(QUICK, "-h");
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).matches(USAGE).contains("-p").contains("-i").contains("dir");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void versionPrintsNameAndVersionAndExitsZero() {
        var r = processes.run(QUICK, "--version");
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).matches("sws \\d+\\.\\d+\\.\\d+\\S*\\R");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void unknownOptionPrintsUsageOnStderrAndExitsTwo() {
        var r = processes.run(QUICK, "-x", docroot.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).matches(USAGE);
        assertThat(r.stdout()).isEmpty();
        assertNoStackTrace(r);
    }

    @Test
    void missingDocrootArgumentIsMisuse() {
        var r = processes.run(QUICK, "-f");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).matches(USAGE);
        assertNoStackTrace(r);
    }

    @Test
    void tooManyArgumentsIsMisuse() {
        var r = processes.run(QUICK, "-f", docroot.toString(), docroot.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).matches(USAGE);
        assertNoStackTrace(r);
    }

    @Test
    void portThatIsNotANumberIsMisuse() {
        var r = processes.run(QUICK, "-f", "-p", "notanumber", docroot.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).matches(USAGE);
        assertNoStackTrace(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536"})
    void portOutOfRangeIsMisuse(String port) {
        var r = processes.run(QUICK, "-f", "-p", port, docroot.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).matches(USAGE);
        assertNoStackTrace(r);
    }

    // ---- start-up failures: one line, exit 1 ----

    @Test
    void logFileThatCannotBeOpenedFailsWithOneLine() {
        Path log = tmp.resolve("no-such-dir").resolve("access.log");
        var r = processes.run(QUICK, "-f", "-l", log.toString(), "-p", "0", docroot.toString());
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains(log.toString());
    }

    @Test
    void docrootThatDoesNotExistFailsWithOneLine() {
        Path missing = tmp.resolve("no-such-dir");
        var r = processes.run(QUICK, "-f", "-p", "0", missing.toString());
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains(missing.toString()).containsIgnoringCase("no such");
    }

    @Test
    void fileAsDocrootFailsWithOneLine() {
        Path file = docroot.resolve("hello.txt");
        var r = processes.run(QUICK, "-f", "-p", "0", file.toString());
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains(file.toString()).containsIgnoringCase("not a directory");
    }

    @Test
    void portInUseFailsWithOneLine() throws IOException {
        try (var busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String port = String.valueOf(busy.getLocalPort());
            var r = processes.run(QUICK, "-f", "-i", "127.0.0.1", "-p", port, docroot.toString());
            assertOneLineFailure(r);
            assertThat(r.stderr()).contains(port).containsIgnoringCase("in use");
        }
    }

    @Test
    void addressNotOfThisHostFailsWithOneLine() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this host.
        var r = processes.run(QUICK, "-f", "-i", "192.0.2.1", "-p", "0", docroot.toString());
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains("192.0.2.1");
    }

    @Test
    void addressThatIsNotAnAddressFailsWithOneLine() {
        var r = processes.run(QUICK, "-f", "-i", "nonsense..", "-p", "0", docroot.toString());
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains("nonsense..");
    }

    // ---- serving in the foreground ----

    @Test
    void foregroundWithPortZeroAnnouncesThePortAndServesIpv4AndIpv6() throws IOException {
        var sws = processes.start("-f", "-p", "0", docroot.toString());
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);
        assertServes(InetAddress.getByName("::1"), port);
    }

    @Test
    void portZeroIsAnnouncedOnceForEachAddressWhateverTheNumberOfLoops() throws IOException {
        var sws = processes.start("-f", "-i", "127.0.0.1", "--loops", "2", "-p", "0", docroot.toString());
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);
        sws.process().destroy();
        assertThat(sws.awaitExit(QUICK)).isZero();
        assertThat(sws.stderr().text().lines().filter(l -> l.startsWith("sws: listening on")))
                .containsExactly("sws: listening on 127.0.0.1:" + port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-fp0", "-f -p0", "-f -p 0"})
    void shortOptionsClusterAsGetoptAllows(String options) throws IOException {
        List<String> args = new ArrayList<>(List.of(options.split(" ")));
        args.add(docroot.toString());
        var sws = processes.start(args.toArray(String[]::new));
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);
    }

    @Test
    void debugModeServesAndLogsToStdout() throws IOException {
        var sws = processes.start("-d", "-p", "0", docroot.toString());
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);
        sws.stdout()
                .awaitLine(
                        Pattern.compile("127\\.0\\.0\\.1 \\S+Z \"GET /hello\\.txt HTTP/1\\.1\" 200 6"),
                        Duration.ofSeconds(10));
    }

    /** Issue 10: -d says how CGI programs are started; never a warning about native access. */
    @Test
    void debugModeNamesHowProgramsStart() throws IOException {
        Path cgi = Files.createDirectories(tmp.resolve("cgi"));
        var sws = processes.start("-d", "-p", "0", "-c", cgi.toString(), docroot.toString());
        listeningPort(sws);
        sws.stderr().awaitLine(Pattern.compile("sws: CGI programs start with posix_spawn"), Duration.ofSeconds(10));
        assertThat(sws.stderr().text()).doesNotContainIgnoringCase("warning");
    }

    @Test
    void sigtermStopsGracefullyWithStatusZeroAndFlushesTheLog() throws IOException {
        Path log = tmp.resolve("access.log");
        var sws = processes.start("-f", "-l", log.toString(), "-p", "0", docroot.toString());
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);

        sws.process().destroy(); // SIGTERM

        assertThat(sws.awaitExit(QUICK)).isZero();
        assertThat(Files.readAllLines(log, StandardCharsets.US_ASCII))
                .singleElement(STRING)
                .matches("127\\.0\\.0\\.1 \\S+Z \"GET /hello\\.txt HTTP/1\\.1\" 200 6");
    }

    @Test
    void sigintStopsGracefullyWithStatusZero() throws Exception {
        var sws = processes.start("-f", "-p", "0", docroot.toString());
        int port = listeningPort(sws);
        assertServes(InetAddress.getByName("127.0.0.1"), port);

        Process kill = new ProcessBuilder(
                        "kill", "-INT", String.valueOf(sws.process().pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(sws.awaitExit(QUICK)).isZero();
    }

    // ---- daemon mode ----

    @Test
    void daemonLauncherExitsZeroOnceListeningAndTheDaemonStopsOnSigterm() throws Exception {
        Path pidFile = tmp.resolve("sws.pid");
        var launcher =
                processes.start("--pid-file", pidFile.toString(), "-p", "0", "-i", "127.0.0.1", docroot.toString());
        int status;
        try {
            status = launcher.awaitExit(QUICK);
        } finally {
            registerDaemonsServing(docroot);
        }
        assertThat(status).isZero();
        Matcher listening = launcher.stderr().awaitLine(LISTENING, Duration.ofSeconds(5));
        int port = Integer.parseInt(listening.group(2));

        assertThat(pidFile).exists();
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("pid " + pid + " is gone"));
        processes.register(daemon);
        assertThat(daemon.isAlive()).isTrue();
        assertThat(pid).isNotEqualTo(launcher.process().pid());
        assertThat(sessionOf(pid)).as("the daemon runs in a session of its own").isEqualTo(pid);
        assertServes(InetAddress.getByName("127.0.0.1"), port);

        assertThat(daemon.destroy()).as("SIGTERM sent").isTrue();
        daemon.onExit().get(QUICK.toSeconds(), TimeUnit.SECONDS);
        assertThat(daemon.isAlive()).isFalse();
        assertThat(pidFile).doesNotExist();
    }

    @Test
    void daemonLauncherReportsABusyPortAndExitsOne() throws IOException {
        try (var busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String port = String.valueOf(busy.getLocalPort());
            Processes.Result r;
            try {
                r = processes.run(QUICK, "-i", "127.0.0.1", "-p", port, docroot.toString());
            } finally {
                registerDaemonsServing(docroot);
            }
            assertOneLineFailure(r);
            assertThat(r.stderr()).contains(port).containsIgnoringCase("in use");
        }
    }

    @Test
    void daemonLauncherReportsABadDocrootAndExitsOne() {
        Path missing = tmp.resolve("no-such-dir");
        Processes.Result r;
        try {
            r = processes.run(QUICK, "-p", "0", missing.toString());
        } finally {
            registerDaemonsServing(missing);
        }
        assertOneLineFailure(r);
        assertThat(r.stderr()).contains(missing.toString());
    }

    // ---- helpers ----

    private static int listeningPort(Processes.Running sws) {
        Matcher m = sws.stderr().awaitLine(LISTENING, QUICK);
        return Integer.parseInt(m.group(2));
    }

    private static void assertServes(InetAddress address, int port) {
        try (var c = RawClient.connect(address, port)) {
            var r = c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(r.status()).as("status from %s", address).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello\n");
        }
    }

    private static void assertOneLineFailure(Processes.Result r) {
        assertThat(r.status()).as("exit status; stderr: %s", r.stderr()).isEqualTo(1);
        assertThat(r.stderrLines()).singleElement(STRING).startsWith("sws: ");
        assertNoStackTrace(r);
    }

    private static void assertNoStackTrace(Processes.Result r) {
        assertThat(r.stderr())
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("at sws.");
    }

    /** The session id of a process, from /proc/PID/stat (Linux): the field after state, ppid and pgrp. */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    /**
     * A daemon whose start the test could not follow to its end is still killed: it is found by the
     * test's own temporary docroot on its command line.
     */
    private void registerDaemonsServing(Path root) {
        String marker = root.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> List.of(a).contains(marker))
                        .orElse(false))
                .forEach(processes::register);
    }
}
