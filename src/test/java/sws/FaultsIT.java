package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.testing.Poll;
import sws.testing.Processes;
import sws.testing.RawClient;

/**
 * Issue 5, items 3 and 4, against the packaged sws as a process: ten thousand idle connections, running out
 * of file descriptors, SIGTERM under load and SIGHUP for log rotation.
 */
class FaultsIT {
    private static final Pattern LISTENING = Pattern.compile("sws: listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START = Duration.ofSeconds(20);
    private static final String HELLO = "hello\n";
    private static final String GET_HELLO = "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path tmp;

    private Path docroot;
    private final Processes processes = new Processes();

    @BeforeEach
    void makeDocroot() throws IOException {
        docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("hello.txt"), HELLO);
    }

    @AfterEach
    void killEverythingStarted() {
        processes.close();
    }

    // ---- many idle connections

    @Test
    void tenThousandIdleConnectionsAreHeldWhileANormalClientIsServedFast() throws IOException {
        Processes.Running sws = processes.start(
                "-f", "-i", "127.0.0.1", "-p", "0", "--request-timeout", "120", "--idle-timeout", "120", dir());
        int port = port(sws);
        long pid = sws.process().pid();
        List<Socket> idle = new ArrayList<>(10_000);
        try {
            for (int i = 0; i < 10_000; i++) {
                idle.add(connect(port));
            }
            // Held by the server, not waiting in its listen queue.
            Poll.await(Duration.ofSeconds(30), () -> descriptors(pid) > 10_000);

            List<Duration> latencies = new ArrayList<>();
            try (RawClient kept = RawClient.connect(InetAddress.getLoopbackAddress(), port)) {
                for (int i = 0; i < 100; i++) {
                    latencies.add(
                            SlowClientsTest.timedGet(() -> kept.send(GET_HELLO).read(), HELLO));
                    latencies.add(SlowClientsTest.timedGet(() -> send(port, GET_HELLO), HELLO));
                }
            }
            assertThat(latencies).allSatisfy(d -> assertThat(d).isLessThan(SlowClientsTest.FAST));
            assertThat(latencies.stream().sorted().toList().get(latencies.size() / 2))
                    .as("median")
                    .isLessThan(Duration.ofMillis(50));

            for (int i = 0; i < idle.size(); i += 100) {
                assertThat(status(idle.get(i), GET_HELLO)).isEqualTo(200);
            }
            assertThat(sws.process().isAlive()).isTrue();
        } finally {
            closeAll(idle);
        }
    }

    // ---- running out of file descriptors

    @Test
    void outOfDescriptorsTheServerWaitsWithoutSpinningAndServesOnceTheyAreFree() throws Exception {
        Process sws = startUnderDescriptorLimit(96, "--max-connections", "1000");
        int port = port(tmp.resolve("stderr"));
        long pid = sws.pid();
        assertThat(send(port, GET_HELLO).text()).isEqualTo(HELLO); // cached: answered without a descriptor

        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                flood.add(connect(port));
            }
            Poll.await(Duration.ofSeconds(10), () -> descriptors(pid) >= 90);

            long ticks = cpuTicks(pid);
            long start = System.nanoTime();
            assertThat(sws.waitFor(2, TimeUnit.SECONDS)).as("sws exited").isFalse();
            double seconds = (System.nanoTime() - start) / 1e9;
            double share = (cpuTicks(pid) - ticks) / 100.0 / seconds;
            assertThat(share).as("CPU share while out of descriptors").isLessThan(0.25);

            // A connection it did accept is still served.
            assertThat(status(flood.get(0), GET_HELLO)).isEqualTo(200);
        } finally {
            closeAll(flood);
        }
        Poll.await(Duration.ofSeconds(15), () -> statusOrZero(port) == 200);
        for (int i = 0; i < 20; i++) {
            assertThat(send(port, GET_HELLO).text()).isEqualTo(HELLO);
        }
        assertThat(sws.isAlive()).isTrue();
    }

    @Test
    void defaultConnectionLimitUnderASmallDescriptorLimitAnswersTheExcessWith503() throws Exception {
        Process sws = startUnderDescriptorLimit(96);
        int port = port(tmp.resolve("stderr"));
        assertThat(send(port, GET_HELLO).text()).isEqualTo(HELLO);

        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                flood.add(connect(port));
            }
            // 96 descriptors leave room for 32 connections (the limit less a reserve of 64); the rest are
            // answered at once.
            Poll.await(Duration.ofSeconds(10), () -> answered(flood).size() >= 100 - 32);
            List<Socket> refused = answered(flood);
            for (Socket s : refused) {
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 503 ");
            }
            List<Socket> held = new ArrayList<>(flood);
            held.removeAll(refused);
            assertThat(held).isNotEmpty().hasSizeLessThanOrEqualTo(32);
            for (Socket s : held) {
                assertThat(status(s, GET_HELLO)).isEqualTo(200);
            }
        } finally {
            closeAll(flood);
        }
        Poll.await(Duration.ofSeconds(10), () -> statusOrZero(port) == 200);
        assertThat(sws.isAlive()).isTrue();
    }

    // ---- signals

    @Test
    void sigtermUnderLoadFinishesInFlightResponsesRefusesNewOnesLogsEverythingAndExitsZero() throws Exception {
        long big = 32L << 20;
        SlowClientsTest.sparseFile(docroot.resolve("big.bin"), big);
        Path log = tmp.resolve("access.log");
        Processes.Running sws = processes.start("-f", "-i", "127.0.0.1", "-p", "0", "-l", log.toString(), dir());
        int port = port(sws);

        AtomicBoolean terminated = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(Thread.ofPlatform()
                    .name("load-" + i)
                    .start(() -> load(port, terminated, sent, received, failures)));
        }
        try (Socket download = connect(port)) {
            download.setReceiveBufferSize(64 * 1024);
            download.getOutputStream()
                    .write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = download.getInputStream();
            assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);
            Poll.await(Duration.ofSeconds(15), () -> received.get() >= 300 || !failures.isEmpty());

            terminated.set(true);
            sws.process().destroy(); // SIGTERM

            // The download is still in flight, so sws is still running, but no longer accepting.
            Poll.await(Duration.ofSeconds(3), () -> refused(port));
            assertThat(sws.process().isAlive()).isTrue();
            long rest = SlowClientsTest.drain(in);
            assertThat((1 << 20) + rest).as("the whole download, head included").isGreaterThan(big);
        }
        assertThat(sws.awaitExit(Duration.ofSeconds(10))).isZero();
        for (Thread t : workers) {
            assertThat(t.join(Duration.ofSeconds(10)))
                    .as(t.getName() + " ended")
                    .isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(received.get()).isGreaterThanOrEqualTo(300);

        List<String> lines = Files.readAllLines(log);
        // Every answered request and the download; nothing that was not sent.
        assertThat(lines.stream().filter(l -> l.contains("\"GET /hello.txt HTTP/1.1\" 200 6")))
                .hasSizeBetween(received.get(), sent.get());
        assertThat(lines.stream().filter(l -> l.contains("\"GET /big.bin HTTP/1.1\" 200 " + big)))
                .hasSize(1);
        assertThat(sws.stderr().awaitEnd(Duration.ofSeconds(5)))
                .doesNotContain("Exception")
                .doesNotContain("internal error");
    }

    @Test
    void sighupReopensTheLogFileAfterItIsMovedAway() throws Exception {
        Path log = tmp.resolve("access.log");
        Path rotated = tmp.resolve("access.log.1");
        Processes.Running sws = processes.start("-f", "-i", "127.0.0.1", "-p", "0", "-l", log.toString(), dir());
        int port = port(sws);

        assertThat(send(port, "GET /hello.txt?a HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        Poll.await(
                Duration.ofSeconds(5),
                () -> SlowClientsTest.logLines(log, "?a ").size() == 1);
        Files.move(log, rotated);
        // Until the signal, lines go on into the moved file.
        assertThat(send(port, "GET /hello.txt?b HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        Poll.await(
                Duration.ofSeconds(5),
                () -> SlowClientsTest.logLines(rotated, "?b ").size() == 1);

        Process kill = new ProcessBuilder(
                        "kill", "-HUP", Long.toString(sws.process().pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        Poll.await(Duration.ofSeconds(5), () -> Files.exists(log));

        assertThat(send(port, "GET /hello.txt?c HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        Poll.await(
                Duration.ofSeconds(5),
                () -> SlowClientsTest.logLines(log, "?c ").size() == 1);
        assertThat(Files.readString(rotated)).contains("?a ").contains("?b ").doesNotContain("?c ");
        assertThat(Files.readString(log)).doesNotContain("?a ").doesNotContain("?b ");
        assertThat(sws.process().isAlive()).isTrue();
    }

    // ---- fixtures

    private String dir() {
        return docroot.toString();
    }

    /**
     * Starts the jar under {@code ulimit -n limit} (bash execs java, so the pid is sws's) with its stderr in
     * a file, and has it killed at the end like every other process started here.
     */
    private Process startUnderDescriptorLimit(int limit, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "-c",
                "ulimit -n " + limit + " && exec \"$@\"",
                "sws",
                System.getProperty("java.home") + "/bin/java",
                "-jar",
                jar(),
                "-f",
                "-i",
                "127.0.0.1",
                "-p",
                "0"));
        command.addAll(List.of(options));
        command.add(dir());
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(tmp.resolve("stderr").toFile())
                .start();
        processes.register(p.toHandle());
        return p;
    }

    private static String jar() {
        String jar = System.getProperty("sws.jar");
        assertThat(jar).as("system property sws.jar (set by failsafe)").isNotNull();
        return jar;
    }

    private static int port(Processes.Running sws) {
        return Integer.parseInt(sws.stderr().awaitLine(LISTENING, START).group(1));
    }

    /** The port announced in a stderr file. */
    private static int port(Path stderr) {
        int[] port = {0};
        Poll.await(START, () -> {
            try {
                Matcher m = LISTENING.matcher(Files.readString(stderr));
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                }
                return port[0] > 0;
            } catch (IOException e) {
                return false;
            }
        });
        return port[0];
    }

    /** A client's loop: keep-alive connections of 50 requests each, until sws stops answering. */
    private static void load(
            int port,
            AtomicBoolean terminated,
            AtomicInteger sent,
            AtomicInteger received,
            ConcurrentLinkedQueue<Throwable> failures) {
        while (true) {
            try (RawClient c = RawClient.connect(InetAddress.getLoopbackAddress(), port)) {
                for (int i = 0; i < 50; i++) {
                    sent.incrementAndGet();
                    RawClient.Reply r = c.send(GET_HELLO).read();
                    if (r.status() != 200 || !r.text().equals(HELLO)) {
                        failures.add(new AssertionError(
                                "a short or wrong response: " + r.statusLine() + " " + r.body().length + " bytes"));
                        return;
                    }
                    received.incrementAndGet();
                }
            } catch (UncheckedIOException e) {
                if (!terminated.get()) {
                    failures.add(e);
                    return;
                }
                if (e.getCause() instanceof ConnectException) {
                    return; // refused: sws no longer accepts
                }
                // a connection closed by the stop; the next attempt finds sws gone or still draining
            } catch (RuntimeException | AssertionError e) {
                failures.add(e);
                return;
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static RawClient.Reply send(int port, String request) {
        try (RawClient c = RawClient.connect(InetAddress.getLoopbackAddress(), port)) {
            return c.send(request).read();
        }
    }

    private static int statusOrZero(int port) {
        try {
            return send(port, GET_HELLO).status();
        } catch (UncheckedIOException e) {
            return 0;
        }
    }

    /** Sends a request on an open socket and returns the status of the answer's status line. */
    private static int status(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        byte[] line = s.getInputStream().readNBytes(12);
        String text = new String(line, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 ");
        return Integer.parseInt(text.substring(9, 12));
    }

    /** The sockets the server has written to already (a 503 before closing). */
    private static List<Socket> answered(List<Socket> sockets) {
        List<Socket> out = new ArrayList<>();
        for (Socket s : sockets) {
            try {
                if (s.getInputStream().available() > 0) {
                    out.add(s);
                }
            } catch (IOException e) {
                out.add(s);
            }
        }
        return out;
    }

    private static long descriptors(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // a test socket: nothing to lose
            }
        }
    }
}
