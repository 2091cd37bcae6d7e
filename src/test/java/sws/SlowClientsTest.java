package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sws.http.Timeouts;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Issue 5, item 3 (spec section 3, limits): slow and idle clients are cut by their timeout or held, and
 * meanwhile a normal client's requests still succeed fast; connections over --max-connections get 503.
 */
class SlowClientsTest {
    /** The latency a normal client must see for each request while the server is under attack. */
    static final Duration FAST = Duration.ofMillis(500);

    private static final String PAGE = "<h1>hello</h1>\n";
    private static final int TICK_MILLIS = 300;

    // ---- slowloris: a request head a byte at a time

    @Test
    void slowlorisGets408AfterTheRequestTimeoutWhileOthersAreServedFast() throws Exception {
        try (TestServer server = start(new Timeouts(secs(1), secs(15), secs(30), secs(1)));
                ExecutorService attackers = Executors.newVirtualThreadPerTaskExecutor()) {
            byte[] head = ("GET /index.html HTTP/1.1\r\nHost: x\r\n" + "X-Slow: " + "a".repeat(200) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            List<CompletableFuture<Trickled>> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                slow.add(CompletableFuture.supplyAsync(
                        () -> trickle(server.port(), new byte[0], head, Duration.ofSeconds(8)), attackers));
            }

            List<Duration> latencies = serveWhileWaiting(server, slow);

            assertThat(latencies).hasSizeGreaterThan(5).allSatisfy(d -> assertThat(d)
                    .isLessThan(FAST));
            for (CompletableFuture<Trickled> f : slow) {
                Trickled t = f.join();
                assertThat(t.text()).startsWith("HTTP/1.1 408 ");
                assertThat(t.closed()).as("closed after the 408").isTrue();
                // Cut by the request timeout (1 s, checked once a second), not before, and long before the
                // whole head could have arrived.
                assertThat(t.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofMillis(3500));
                assertThat(t.bytesSent()).isLessThan(head.length);
            }
        }
    }

    // ---- slow request bodies

    /**
     * A body that stops arriving is cut after the request timeout: with 408 while nothing has been answered
     * (a static path, whose 405 waits for the body to be read; a program that reads all its input first),
     * by closing the connection when a program has begun its answer already.
     */
    @ParameterizedTest
    @CsvSource({"/index.html, HTTP/1.1 408 ", "/cgi-bin/slurp.sh, HTTP/1.1 408 ", "/cgi-bin/cat.sh, HTTP/1.1 200 "})
    void bodyThatStopsArrivingIsCutAfterTheRequestTimeoutWhileOthersAreServedFast(String path, String answer)
            throws Exception {
        try (TestServer server = startWithCgi(new Timeouts(secs(1), secs(15), secs(30), secs(1)));
                ExecutorService attackers = Executors.newVirtualThreadPerTaskExecutor()) {
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII);
            List<CompletableFuture<Trickled>> slow = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                slow.add(CompletableFuture.supplyAsync(
                        () -> trickle(server.port(), head, new byte[0], Duration.ofSeconds(6)), attackers));
            }

            List<Duration> latencies = serveWhileWaiting(server, slow);

            assertThat(latencies).hasSizeGreaterThan(5).allSatisfy(d -> assertThat(d)
                    .isLessThan(FAST));
            for (CompletableFuture<Trickled> f : slow) {
                Trickled t = f.join();
                assertThat(t.text()).startsWith(answer);
                assertThat(t.closed()).as("closed by the server").isTrue();
                assertThat(t.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofMillis(3500));
            }
            assertThat(server.send("GET /index.html HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        }
    }

    @Test
    void bodyTrickledFasterThanTheRequestTimeoutIsHeldAndAnswered() throws Exception {
        try (TestServer server = startWithCgi(new Timeouts(secs(1), secs(15), secs(30), secs(1)));
                ExecutorService attackers = Executors.newVirtualThreadPerTaskExecutor()) {
            // Each read must come within the request timeout; the body as a whole may take longer (2.4 s).
            String body = "abcdefgh";
            byte[] head = ("POST /cgi-bin/cat.sh HTTP/1.0\r\nContent-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            List<CompletableFuture<Trickled>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(CompletableFuture.supplyAsync(
                        () -> trickle(
                                server.port(), head, body.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(8)),
                        attackers));
            }

            List<Duration> latencies = serveWhileWaiting(server, slow);

            assertThat(latencies).hasSizeGreaterThan(5).allSatisfy(d -> assertThat(d)
                    .isLessThan(FAST));
            for (CompletableFuture<Trickled> f : slow) {
                Trickled t = f.join();
                assertThat(t.text()).startsWith("HTTP/1.0 200 ").endsWith("\r\n\r\n" + body);
                assertThat(t.closed()).isTrue();
                assertThat(t.elapsed()).isGreaterThan(Duration.ofMillis(2 * TICK_MILLIS * body.length() / 3));
            }
        }
    }

    // ---- a client that never reads its response

    @Test
    void clientThatNeverReadsALargeFileIsDroppedAfterTheWriteTimeout() throws Exception {
        Path root = docroot();
        long size = 64L << 20;
        sparseFile(root.resolve("big.bin"), size);
        Path log = root.getParent().resolve("access.log");
        try (TestServer server =
                TestServer.start(root, c -> c.timeouts(new Timeouts(secs(10), secs(15), secs(1), secs(1)))
                        .accessLog(log))) {
            List<Socket> deaf = new ArrayList<>();
            try {
                long sent = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(32 * 1024);
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
                    s.getOutputStream()
                            .write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    deaf.add(s);
                }

                // An aborted response is logged when the server drops the connection.
                List<Duration> latencies =
                        serveUntil(server, () -> logLines(log, "GET /big.bin").size() == 5, Duration.ofSeconds(8));
                Duration dropped = Duration.ofNanos(System.nanoTime() - sent);

                assertThat(latencies).allSatisfy(d -> assertThat(d).isLessThan(FAST));
                assertThat(dropped).isGreaterThan(Duration.ofMillis(900));
                for (Socket s : deaf) {
                    s.setSoTimeout(10_000);
                    long received = drain(s.getInputStream());
                    assertThat(received)
                            .as("bytes before the close")
                            .isPositive()
                            .isLessThan(size);
                }
            } finally {
                for (Socket s : deaf) {
                    s.close();
                }
            }
            assertThat(server.send("GET /index.html HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        }
    }

    // ---- idle connections

    @Test
    void twoThousandIdleConnectionsAreHeldWhileOthersAreServedFast() throws Exception {
        try (TestServer server = start(new Timeouts(secs(60), secs(60), secs(30), secs(1)))) {
            List<RawClient> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 2000; i++) {
                    idle.add(server.ipv4());
                }
                List<Duration> latencies = new ArrayList<>();
                try (RawClient kept = server.ipv4()) {
                    for (int i = 0; i < 50; i++) {
                        latencies.add(timed(() -> kept.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                                .read()));
                        latencies.add(timed(() -> server.send("GET /index.html HTTP/1.0\r\n\r\n")));
                    }
                }
                assertThat(latencies).allSatisfy(d -> assertThat(d).isLessThan(FAST));
                // Every idle connection was accepted and held: each is answered at once when it speaks.
                for (RawClient c : idle) {
                    c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                for (RawClient c : idle) {
                    RawClient.Reply r = c.read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.text()).isEqualTo(PAGE);
                }
            } finally {
                idle.forEach(RawClient::close);
            }
        }
    }

    @Test
    void silentConnectionsGet408AndIdleKeepAliveConnectionsAreClosed() throws Exception {
        try (TestServer server = start(new Timeouts(secs(1), secs(1), secs(30), secs(1)))) {
            List<RawClient> silent = new ArrayList<>();
            List<RawClient> kept = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    silent.add(server.ipv4());
                    RawClient k = server.ipv4();
                    assertThat(k.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .read()
                                    .status())
                            .isEqualTo(200);
                    kept.add(k);
                }
                for (RawClient c : silent) {
                    assertThat(new String(c.readToClose(), StandardCharsets.ISO_8859_1))
                            .startsWith("HTTP/1.1 408 ");
                }
                for (RawClient c : kept) {
                    assertThat(c.readToClose()).as("closed without a response").isEmpty();
                }
            } finally {
                silent.forEach(RawClient::close);
                kept.forEach(RawClient::close);
            }
        }
    }

    // ---- --max-connections

    @Test
    void connectionsOverTheLimitGet503AndTheServerServesAgainOnceOthersClose() throws Exception {
        Path root = docroot();
        try (TestServer server = TestServer.start(root, c -> c.maxConnections(10))) {
            List<RawClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    RawClient c = server.ipv4();
                    assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .read()
                                    .status())
                            .isEqualTo(200);
                    held.add(c);
                }
                for (int i = 0; i < 50; i++) {
                    try (RawClient excess = server.ipv4()) {
                        String answer = new String(excess.readToClose(), StandardCharsets.ISO_8859_1);
                        assertThat(answer)
                                .as("503 or a bare close")
                                .satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a)
                                        .startsWith("HTTP/1.1 503 "));
                    }
                }
                // The held connections are unharmed by the flood.
                for (RawClient c : held) {
                    assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .read()
                                    .status())
                            .isEqualTo(200);
                }

                held.remove(0).close();

                assertThat(Poll.until(
                                Duration.ofSeconds(5),
                                () -> statusOrClosed(server, "GET /index.html HTTP/1.0\r\n\r\n") == 200))
                        .as("served once a slot is free")
                        .isTrue();
            } finally {
                held.forEach(RawClient::close);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(statusOrClosed(server, "GET /index.html HTTP/1.0\r\n\r\n"))
                        .isEqualTo(200);
            }
        }
    }

    // ---- fixtures

    /** What a trickling client sent and got back. */
    record Trickled(byte[] received, int bytesSent, Duration elapsed, boolean closed) {
        String text() {
            return new String(received, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Connects, sends {@code prefix} at once and then {@code slowly} a byte per tick, the tick paced by a
     * read with a timeout on the same socket; takes whatever the server sends meanwhile, until it closes.
     */
    static Trickled trickle(int port, byte[] prefix, byte[] slowly, Duration bound) {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        long tick = Duration.ofMillis(TICK_MILLIS).toNanos();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(prefix);
            int sent = prefix.length;
            int next = 0;
            long nextSend = System.nanoTime();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (System.nanoTime() < deadline) {
                if (next < slowly.length && System.nanoTime() >= nextSend) {
                    try {
                        out.write(slowly[next++]);
                        sent++;
                    } catch (IOException e) {
                        next = slowly.length; // the server has stopped reading; what it said is still to come
                    }
                    nextSend += tick;
                }
                long wait = next < slowly.length ? nextSend - System.nanoTime() : deadline - System.nanoTime();
                s.setSoTimeout((int) Math.max(1, wait / 1_000_000));
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return new Trickled(got.toByteArray(), sent, since(start), true);
                    }
                    got.write(buffer, 0, n);
                } catch (SocketTimeoutException e) {
                    // time for the next byte
                } catch (SocketException e) {
                    return new Trickled(got.toByteArray(), sent, since(start), true); // reset
                }
            }
            return new Trickled(got.toByteArray(), sent, since(start), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** Reads and counts everything until the server closes; fails when the socket's timeout comes first. */
    static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (SocketException e) {
            // a reset also ends the stream
        }
        return total;
    }

    /**
     * A normal client's requests, a new connection and a kept-alive one in turn, every 50 ms until all the
     * given work is done: returns the time each request took.
     */
    static List<Duration> serveWhileWaiting(TestServer server, List<? extends CompletableFuture<?>> work)
            throws Exception {
        CompletableFuture<Void> all = CompletableFuture.allOf(work.toArray(CompletableFuture[]::new));
        List<Duration> latencies = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (RawClient kept = server.ipv4()) {
            while (true) {
                try {
                    all.get(50, TimeUnit.MILLISECONDS);
                    return latencies;
                } catch (TimeoutException e) {
                    assertThat(System.nanoTime()).as("the slow clients finish").isLessThan(deadline);
                }
                latencies.add(timed(() ->
                        kept.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").read()));
                latencies.add(timed(() -> server.send("GET /index.html HTTP/1.0\r\n\r\n")));
            }
        }
    }

    /** Like serveWhileWaiting, until the condition holds; fails when it does not within the bound. */
    static List<Duration> serveUntil(TestServer server, BooleanSupplier done, Duration bound) {
        List<Duration> latencies = new ArrayList<>();
        long deadline = System.nanoTime() + bound.toNanos();
        try (RawClient kept = server.ipv4()) {
            while (!done.getAsBoolean()) {
                assertThat(System.nanoTime()).as("condition within " + bound).isLessThan(deadline);
                latencies.add(timed(() ->
                        kept.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").read()));
                latencies.add(timed(() -> server.send("GET /index.html HTTP/1.0\r\n\r\n")));
                kept.closedWithin(50); // paces the loop; the kept connection stays open
            }
        }
        return latencies;
    }

    /** Runs one request, checks it got the page, and returns how long it took. */
    private static Duration timed(Supplier<RawClient.Reply> request) {
        return timedGet(request, PAGE);
    }

    /** Runs one request, checks it got 200 with the expected text, and returns how long it took. */
    static Duration timedGet(Supplier<RawClient.Reply> request, String expected) {
        long t = System.nanoTime();
        RawClient.Reply r = request.get();
        Duration d = Duration.ofNanos(System.nanoTime() - t);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(expected);
        return d;
    }

    /** The status of the answer to a request on a new connection, or 0 when the server just closed it. */
    private static int statusOrClosed(TestServer server, String request) {
        try (RawClient c = server.ipv4()) {
            c.send(request);
            return c.read().status();
        } catch (UncheckedIOException e) {
            return 0;
        }
    }

    static List<String> logLines(Path log, String containing) {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains(containing))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sparseFile(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static Path docroot() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "index.html", PAGE);
        return root;
    }

    private static TestServer start(Timeouts timeouts) {
        return TestServer.start(docroot(), c -> c.timeouts(timeouts));
    }

    private static TestServer startWithCgi(Timeouts timeouts) {
        Path root = docroot();
        Path cgi = CgiTest.cgiDir(root);
        CgiTest.script(cgi, "cat.sh", "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nexec cat\n");
        CgiTest.script(cgi, "slurp.sh", "body=$(cat)\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$body\"\n");
        return TestServer.start(root, c -> c.timeouts(timeouts).cgi(cgi, Duration.ofSeconds(30)));
    }

    private static Duration secs(long n) {
        return Duration.ofSeconds(n);
    }
}
