package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sws.http.HttpDate;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Issue 5, item 5 (no leaks): many requests of every kind from several clients at once, after which the
 * server's JVM holds as many file descriptors, as much heap (and direct memory) after a GC and as many
 * child processes as before. The server runs in this JVM so that the test measures the server itself.
 * The count is the system property {@code sws.soak.requests} (default 100,000).
 */
class SoakTest {
    private static final int REQUESTS = Integer.getInteger("sws.soak.requests", 100_000);
    /** Each CGI request spawns a process, which costs far more than any other kind: a fixed small share. */
    private static final int CGI_REQUESTS = Math.min(2_000, REQUESTS / 50);

    private static final int WARM_UP_REQUESTS = 5_000;
    private static final int CLIENTS = 8;
    private static final int SMALL_FILES = 20;
    private static final int LISTED_FILES = 50;
    private static final int BIG_FILE_BYTES = 2 * 1024 * 1024;
    private static final long MODIFIED = 1_577_836_800L; // 2020-01-01T00:00:00Z
    private static final String LAST_MODIFIED = HttpDate.format(MODIFIED);

    /** Descriptors, heap and direct memory may differ this much from the baseline (JIT, class loading). */
    private static final int DESCRIPTOR_SLACK = 8;

    private static final long MEMORY_SLACK = 8L * 1024 * 1024;
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration RUN_BOUND = Duration.ofMinutes(5);

    /** Requests that the server must refuse with 400 and a close. */
    private static final List<String> MALFORMED = List.of(
            "GET /small/f0.txt HTTP/1.1\r\n\r\n",
            "GET /small/f0.txt HTTP/1.1\r\nHost: soak\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: soak\r\n\r\n",
            "GET /small/f0.txt HTTP/1.10\r\nHost: soak\r\n\r\n",
            "GET /small/f0.txt HTTP/1.1\r\nHost : soak\r\n\r\n",
            "GET /a\u0001b HTTP/1.1\r\nHost: soak\r\n\r\n",
            "GET /small/f0.txt HTTP/1.1\r\nHost: soak\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");

    /**
     * What a client asks for, with its share in percent; GET makes up the rest, and the CGI kinds share
     * their own count, a tenth of it programs whose client hangs up while they still write.
     */
    enum Kind {
        GET(0),
        HEAD(8),
        LISTING(8),
        NOT_FOUND(10),
        NOT_MODIFIED(10),
        RANGE(10),
        BAD_REQUEST(4),
        ABORTED_DOWNLOAD(3),
        CGI(0),
        ABORTED_CGI(0);

        final int percent;

        Kind(int percent) {
            this.percent = percent;
        }
    }

    private static TestServer server;
    private static final byte[][] small = new byte[SMALL_FILES][];
    private static byte[] big;

    @BeforeAll
    static void start() {
        Path root = TestServer.newDocroot();
        Random random = new Random(5);
        for (int k = 0; k < SMALL_FILES; k++) {
            small[k] = printable(random, 100 + k * 397);
            TestServer.touch(TestServer.write(root, "small/f" + k + ".txt", small[k]), MODIFIED);
        }
        for (int k = 0; k < LISTED_FILES; k++) {
            TestServer.write(root, "list/f" + k + ".txt", "listed " + k + "\n");
        }
        big = new byte[BIG_FILE_BYTES];
        random.nextBytes(big);
        TestServer.write(root, "big.bin", big);
        Path cgi = CgiTest.cgiDir(root);
        CgiTest.script(cgi, "hello.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n");
        CgiTest.script(
                cgi,
                "stream.sh",
                "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nexec head -c 4194304 /dev/zero\n");
        server = TestServer.start(root, c -> c.cgi(cgi, Duration.ofSeconds(10)).loops(2));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void manyMixedRequestsLeaveNoDescriptorsMemoryOrProcessesBehind() throws Exception {
        Tally warmUp = run(schedule(WARM_UP_REQUESTS, WARM_UP_REQUESTS / 50, 1));
        assertThat(warmUp.failures.get()).as(warmUp.describe()).isZero();

        Set<Long> childrenBefore = awaitChildrenWithin(Set.of());
        int fdsBefore = settledDescriptors();
        long heapBefore = heapAfterGc();
        long directBefore = directMemory();

        long started = System.nanoTime();
        Tally soak = run(schedule(REQUESTS, CGI_REQUESTS, 2));
        double seconds = (System.nanoTime() - started) / 1e9;

        // Every client is closed by now: what the server holds must drain back to the baseline.
        boolean fdsBack = Poll.until(SETTLE, () -> openDescriptors() <= fdsBefore + DESCRIPTOR_SLACK);
        int fdsAfter = openDescriptors();
        long[] heapAfter = {0};
        boolean heapBack = Poll.until(SETTLE, () -> (heapAfter[0] = heapAfterGc()) <= heapBefore + MEMORY_SLACK);
        long directAfter = directMemory();
        Set<Long> childrenAfter = awaitChildrenWithin(childrenBefore);

        System.out.printf(
                "soak: %d requests (%d CGI) over %d connections from %d clients in %.1f s, %.0f req/s%n",
                soak.requests.get(), CGI_REQUESTS, soak.connections.get(), CLIENTS, seconds, REQUESTS / seconds);
        System.out.printf("soak: %s%n", soak.describe());
        System.out.printf(
                "soak: file descriptors before %d, at most %d during, after %d%n",
                fdsBefore, soak.peakDescriptors.get(), fdsAfter);
        System.out.printf("soak: heap after GC before %s, after %s%n", mib(heapBefore), mib(heapAfter[0]));
        System.out.printf("soak: direct memory before %s, after %s%n", mib(directBefore), mib(directAfter));
        System.out.printf("soak: child processes before %d, after %d%n", childrenBefore.size(), childrenAfter.size());

        // Every check is reported, so that a failing run says at once everything that leaked.
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(soak.requests.get()).isEqualTo(REQUESTS);
            softly.assertThat(soak.failures.get()).as(soak.describe()).isZero();
            softly.assertThat(fdsBack)
                    .as("open file descriptors %d, baseline %d (+%d allowed)", fdsAfter, fdsBefore, DESCRIPTOR_SLACK)
                    .isTrue();
            softly.assertThat(heapBack)
                    .as("heap after GC %s, baseline %s", mib(heapAfter[0]), mib(heapBefore))
                    .isTrue();
            softly.assertThat(directAfter)
                    .as("direct memory %s, baseline %s", mib(directAfter), mib(directBefore))
                    .isLessThanOrEqualTo(directBefore + MEMORY_SLACK);
            softly.assertThat(childrenAfter)
                    .as("child processes left: %s", commands(childrenAfter))
                    .isSubsetOf(childrenBefore);
        });
    }

    // ---- the load

    /** Each kind's share of count requests, shuffled so that the clients meet them all along the run. */
    private static Kind[] schedule(int count, int cgi, long seed) {
        List<Kind> kinds = new ArrayList<>(count);
        for (Kind k : Kind.values()) {
            int n =
                    switch (k) {
                        case CGI -> cgi - cgi / 10;
                        case ABORTED_CGI -> cgi / 10;
                        default -> (int) ((long) count * k.percent / 100);
                    };
            kinds.addAll(Collections.nCopies(n, k));
        }
        kinds.addAll(Collections.nCopies(count - kinds.size(), Kind.GET));
        Collections.shuffle(kinds, new Random(seed));
        return kinds.toArray(Kind[]::new);
    }

    /** Runs the schedule from CLIENTS threads, which take its entries in turn; returns once all are done. */
    private static Tally run(Kind[] schedule) throws Exception {
        Tally tally = new Tally();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = c;
                clients.add(pool.submit(() -> client(schedule, next, tally, new Random(seed))));
            }
            // Meanwhile, the most descriptors open at once: the connections the server (and clients) held.
            boolean done = Poll.until(RUN_BOUND, () -> {
                tally.peakDescriptors.accumulateAndGet(openDescriptors(), Math::max);
                return clients.stream().allMatch(Future::isDone);
            });
            assertThat(done).as("clients done within %s", RUN_BOUND).isTrue();
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        return tally;
    }

    /**
     * One client: keeps a connection (IPv4 or IPv6) for a random number of requests, the last of which
     * asks the server to close; a bad request ends its connection too; aborted downloads have their own.
     */
    private static void client(Kind[] schedule, AtomicInteger next, Tally tally, Random random) {
        RawClient connection = null;
        int left = 0;
        try {
            for (int i = next.getAndIncrement(); i < schedule.length; i = next.getAndIncrement()) {
                Kind kind = schedule[i];
                int serial = i;
                String problem;
                if (kind == Kind.ABORTED_DOWNLOAD || kind == Kind.ABORTED_CGI) {
                    tally.connections.incrementAndGet();
                    String target = kind == Kind.ABORTED_CGI ? "/cgi-bin/stream.sh" : "/big.bin";
                    problem = attempt(() -> abortDownload(target, random));
                } else {
                    if (connection == null) {
                        connection = random.nextBoolean() ? server.ipv4() : server.ipv6();
                        tally.connections.incrementAndGet();
                        left = sessionLength(random);
                    }
                    RawClient c = connection;
                    // A connection of one request is HTTP/1.0 without keep-alive; others end with close.
                    Framing framing = left == 1 && random.nextBoolean() ? Framing.HTTP10 : Framing.KEEP_ALIVE;
                    if (--left == 0 && framing == Framing.KEEP_ALIVE) {
                        framing = Framing.CLOSE;
                    }
                    Framing f = framing;
                    problem = attempt(() -> exchange(kind, c, f, serial, random));
                    if (problem != null || f != Framing.KEEP_ALIVE || kind == Kind.BAD_REQUEST) {
                        connection.close();
                        connection = null;
                    }
                }
                tally.record(kind, problem);
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** Requests on one connection: a third have one, a third up to 10, a third up to 100. */
    private static int sessionLength(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> 1;
            case 1 -> 1 + random.nextInt(10);
            default -> 1 + random.nextInt(100);
        };
    }

    private enum Framing {
        KEEP_ALIVE,
        CLOSE,
        HTTP10
    }

    private interface Exchange {
        String run() throws IOException;
    }

    /** Null when the exchange went as it should; otherwise what went wrong, exceptions included. */
    private static String attempt(Exchange exchange) {
        try {
            return exchange.run();
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    /** One request of the given kind on c; null when its answer is right, else what was wrong with it. */
    private static String exchange(Kind kind, RawClient c, Framing framing, int serial, Random random) {
        int k = random.nextInt(SMALL_FILES);
        String file = "/small/f" + k + ".txt";
        String problem =
                switch (kind) {
                    case GET -> check(c.send(request("GET", file, framing)).read(), 200, small[k]);
                    case HEAD -> {
                        var reply = c.send(request("HEAD", file, framing)).readHead();
                        yield check(reply, 200, new byte[0], "content-length", Integer.toString(small[k].length));
                    }
                    case LISTING -> {
                        var reply = c.send(request("GET", "/list/", framing)).read();
                        yield reply.status() == 200 && reply.text().contains("f" + (LISTED_FILES - 1) + ".txt")
                                ? null
                                : "listing: " + reply.statusLine();
                    }
                    case NOT_FOUND -> {
                        var reply = c.send(request("GET", "/missing/" + serial, framing))
                                .read();
                        yield reply.status() == 404 ? null : "404: " + reply.statusLine();
                    }
                    case NOT_MODIFIED -> {
                        var reply = c.send(request("GET", file, framing, "If-Modified-Since: " + LAST_MODIFIED))
                                .read();
                        yield check(reply, 304, new byte[0]);
                    }
                    case RANGE -> {
                        if (random.nextBoolean()) {
                            var reply = c.send(request("GET", file, framing, "Range: bytes=10-99"))
                                    .read();
                            yield check(reply, 206, Arrays.copyOfRange(small[k], 10, 100));
                        }
                        int from = random.nextInt(BIG_FILE_BYTES - 4096);
                        var reply = c.send(request(
                                        "GET", "/big.bin", framing, "Range: bytes=" + from + "-" + (from + 4095)))
                                .read();
                        yield check(reply, 206, Arrays.copyOfRange(big, from, from + 4096));
                    }
                    case CGI -> {
                        var reply = c.send(request("GET", "/cgi-bin/hello.sh", framing))
                                .read();
                        yield check(reply, 200, "hello\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    case BAD_REQUEST -> {
                        var reply =
                                c.send(MALFORMED.get(serial % MALFORMED.size())).read();
                        if (reply.status() != 400) {
                            yield "malformed request " + serial % MALFORMED.size() + ": " + reply.statusLine();
                        }
                        yield c.closedWithin(2_000) ? null : "connection left open after 400";
                    }
                    case ABORTED_DOWNLOAD, ABORTED_CGI -> throw new IllegalArgumentException("has its own connection");
                };
        if (problem == null && framing != Framing.KEEP_ALIVE && kind != Kind.BAD_REQUEST && !c.closedWithin(2_000)) {
            return kind + " with " + framing + ": connection left open";
        }
        return problem;
    }

    private static String request(String method, String target, Framing framing, String... fields) {
        StringBuilder sb = new StringBuilder(128).append(method).append(' ').append(target);
        sb.append(framing == Framing.HTTP10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\nHost: soak\r\n");
        if (framing == Framing.CLOSE) {
            sb.append("Connection: close\r\n");
        }
        for (String f : fields) {
            sb.append(f).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String check(RawClient.Reply reply, int status, byte[] body, String... fields) {
        if (reply.status() != status) {
            return "expected " + status + ": " + reply.statusLine();
        }
        if (!Arrays.equals(reply.body(), body)) {
            return status + " with a body of " + reply.body().length + " bytes, not the expected " + body.length;
        }
        for (int i = 0; i < fields.length; i += 2) {
            if (!fields[i + 1].equals(reply.header(fields[i]))) {
                return status + " with " + fields[i] + ": " + reply.header(fields[i]);
            }
        }
        return null;
    }

    /**
     * Asks for a large response on a new connection, reads a few KiB of it and hangs up: half the time
     * with a reset (SO_LINGER 0), else with an ordinary close, which resets too since data is left unread.
     */
    private static String abortDownload(String target, Random random) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            s.setSoTimeout(10_000);
            if (random.nextBoolean()) {
                s.setSoLinger(true, 0);
            }
            s.getOutputStream().write(request("GET", target, Framing.KEEP_ALIVE).getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(1024 + random.nextInt(8 * 1024));
            String head = new String(first, 0, Math.min(first.length, 13), StandardCharsets.US_ASCII);
            return head.equals("HTTP/1.1 200 ") ? null : "aborted " + target + ": " + head;
        }
    }

    /** Requests and failures counted across all clients, with the first few failures kept to show. */
    private static final class Tally {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger peakDescriptors = new AtomicInteger();
        final AtomicIntegerArray byKind = new AtomicIntegerArray(Kind.values().length);
        final List<String> examples = Collections.synchronizedList(new ArrayList<>());

        void record(Kind kind, String problem) {
            requests.incrementAndGet();
            byKind.incrementAndGet(kind.ordinal());
            if (problem != null) {
                failures.incrementAndGet();
                if (examples.size() < 20) {
                    examples.add(kind + ": " + problem);
                }
            }
        }

        String describe() {
            String kinds = Arrays.stream(Kind.values())
                    .map(k -> k + " " + byKind.get(k.ordinal()))
                    .collect(Collectors.joining(", "));
            return kinds + "; " + failures.get() + " failures " + examples;
        }
    }

    // ---- what the JVM holds

    /** Entries in /proc/self/fd: every file, socket, pipe and selector this JVM has open. */
    private static int openDescriptors() {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) {
            throw new UncheckedIOException(new IOException("cannot list /proc/self/fd"));
        }
        return names.length;
    }

    /** The descriptor count once it has held still for half a second (connections closing have closed). */
    private static int settledDescriptors() {
        int[] last = {-1};
        long[] since = {0};
        boolean settled = Poll.until(SETTLE, () -> {
            int now = openDescriptors();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] >= 500_000_000L;
        });
        assertThat(settled).as("descriptor count settles after the warm-up").isTrue();
        return last[0];
    }

    /**
     * Heap in use after full collections, taken once two in a row agree within 256 KiB (reference
     * processing and cleaners may free more on a second pass).
     */
    private static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 256 * 1024) {
                return Math.min(previous, used);
            }
            previous = used;
        }
        return previous;
    }

    /** Bytes in direct buffers (the file cache keeps its contents there, off the heap). */
    private static long directMemory() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    /** This JVM's child processes, once none but those allowed remain (CGI programs are reaped off-thread). */
    private static Set<Long> awaitChildrenWithin(Set<Long> allowed) {
        Poll.until(SETTLE, () -> allowed.containsAll(children()));
        return children();
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static List<String> commands(Set<Long> pids) {
        return pids.stream()
                .map(pid -> pid + " "
                        + ProcessHandle.of(pid)
                                .flatMap(h -> h.info().commandLine())
                                .orElse("(gone)"))
                .toList();
    }

    private static byte[] printable(Random random, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i % 64 == 63 ? '\n' : ' ' + random.nextInt(95));
        }
        return b;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
