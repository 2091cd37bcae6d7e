package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static sws.CgiTest.assertNoZombieChildren;
import static sws.CgiTest.cgiDir;
import static sws.CgiTest.script;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 5, "none of this disturbs other clients", and issue 3's bounds: many programs at once,
 * static files served while programs run, the running/queued limits with 503 beyond them, no zombies.
 * Slow programs here wait for a release file the test creates, so nothing depends on how long they sleep.
 */
class CgiConcurrencyTest {
    private Path root;
    private Path cgiDir;
    private Path started;
    private Path release;
    private ExecutorService clients;

    @BeforeEach
    void prepare() throws IOException {
        root = TestServer.newDocroot();
        TestServer.write(root, "file.txt", "static file\n");
        cgiDir = cgiDir(root);
        started = Files.createDirectories(root.getParent().resolve("started"));
        release = root.getParent().resolve("release");
        script(cgiDir, "echo.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$QUERY_STRING\"\n");
        // Waits for the release file (at most about 15 s, so a failed test leaves nothing running).
        script(
                cgiDir,
                "hold.sh",
                "touch " + started + "/$$\ni=0\nwhile [ ! -e " + release
                        + " ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done\n"
                        + "printf 'Content-Type: text/plain\\r\\n\\r\\nreleased %s' \"$QUERY_STRING\"\n");
        script(
                cgiDir,
                "ticker.sh",
                "touch " + started + "/$$\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                        + "i=0\nwhile [ $i -lt 150 ]; do echo tick; sleep 0.1; i=$((i+1)); done\n");
        clients = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void release() throws IOException {
        // Frees programs a failed test left waiting, unless the server's close already removed the folder
        // (they then end by their own bound).
        if (Files.isDirectory(release.getParent())) {
            Files.writeString(release, "");
        }
        clients.shutdownNow();
    }

    @AfterAll
    static void noZombies() {
        assertNoZombieChildren();
    }

    @Test
    void fiftyConcurrentRequestsAreEachAnsweredWithTheirOwnBody() throws Exception {
        try (var server = TestServer.start(root, c -> c.cgi(cgiDir, Duration.ofSeconds(20)))) {
            var go = new CountDownLatch(1);
            List<Future<RawClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                replies.add(clients.submit(() -> {
                    go.await();
                    try (var c = n % 2 == 0 ? server.ipv4() : server.ipv6()) {
                        return c.send("GET /cgi-bin/echo.sh?n=" + n
                                        + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                                .read();
                    }
                }));
            }
            go.countDown();

            for (int i = 0; i < 50; i++) {
                var reply = replies.get(i).get(30, TimeUnit.SECONDS);
                assertThat(reply.status()).as("request %d", i).isEqualTo(200);
                assertThat(reply.text()).as("request %d", i).isEqualTo("n=" + i);
            }
        }
    }

    @Test
    void staticFilesAreServedQuicklyWhileTwentySlowProgramsRun() throws Exception {
        try (var server = TestServer.start(root, c -> c.cgi(new Config.Cgi(cgiDir, Duration.ofSeconds(30), 32, 64)))) {
            List<Future<RawClient.Reply>> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                slow.add(clients.submit(() -> server.send(
                        "GET /cgi-bin/hold.sh?" + n + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")));
            }
            assertThat(Poll.until(Duration.ofSeconds(15), () -> startedCount() == 20))
                    .as("20 programs running")
                    .isTrue();

            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                var reply = server.send("GET /file.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
                long took = CgiTest.millisSince(start);
                assertThat(reply.text()).isEqualTo("static file\n");
                assertThat(took).as("static request %d, in ms", i).isLessThan(1000);
            }
            assertThat(slow).as("still in flight").noneMatch(Future::isDone);

            Files.writeString(release, "");
            for (int i = 0; i < 20; i++) {
                var reply = slow.get(i).get(20, TimeUnit.SECONDS);
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.text()).isEqualTo("released " + i);
            }
        }
    }

    @Test
    void beyondTheRunningAndQueuedBoundsRequestsAre503AndTheQueuedOneStillRuns() throws Exception {
        // One event loop: a request sent earlier is read before a later connection is answered.
        try (var server = TestServer.start(root, c -> c.cgi(new Config.Cgi(cgiDir, Duration.ofSeconds(30), 2, 1))
                .loops(1))) {
            var first = clients.submit(() -> server.send(hold(1)));
            var second = clients.submit(() -> server.send(hold(2)));
            assertThat(Poll.until(Duration.ofSeconds(10), () -> startedCount() == 2))
                    .isTrue();
            // Sent from this thread, so its bytes are on the way before the round trip below begins.
            var thirdClient = server.ipv4();
            thirdClient.send(hold(3));
            var third = clients.submit(() -> {
                try (thirdClient) {
                    return thirdClient.read();
                }
            });
            // A round trip on the same loop: by its answer the third request has been read and queued.
            assertThat(server.send("GET /file.txt HTTP/1.0\r\n\r\n").status()).isEqualTo(200);

            long start = System.nanoTime();
            var fourth = server.send(hold(4));
            long took = CgiTest.millisSince(start);

            assertThat(fourth.status()).isEqualTo(503);
            assertThat(took).as("503 at once, in ms").isLessThan(2000);
            assertThat(startedCount()).as("the third waits, it does not run").isEqualTo(2);
            Files.writeString(release, "");
            assertThat(first.get(20, TimeUnit.SECONDS).text()).isEqualTo("released 1");
            assertThat(second.get(20, TimeUnit.SECONDS).text()).isEqualTo("released 2");
            var queued = third.get(20, TimeUnit.SECONDS);
            assertThat(queued.status()).isEqualTo(200);
            assertThat(queued.text()).isEqualTo("released 3");
        }
    }

    @Test
    void streamingProgramIsKilledWhenTheClientGoesAway() throws Exception {
        try (var server = TestServer.start(root, c -> c.cgi(cgiDir, Duration.ofSeconds(30)))) {
            try (var s = new CgiTest.StreamingClient(server.port())) {
                s.send("GET /cgi-bin/ticker.sh HTTP/1.1\r\nHost: h\r\n\r\n");
                s.head();
                assertThat(s.chunk()).isEqualTo("tick\n");
            }
            long pid = startedPid();

            assertThat(Poll.until(Duration.ofSeconds(5), () -> !CgiTest.running(pid)))
                    .as("program %d stopped long before its 30 s timeout", pid)
                    .isTrue();
        }
    }

    @Test
    void programStillWorkingIsKilledWhenTheClientResetsTheConnection() throws Exception {
        try (var server = TestServer.start(root, c -> c.cgi(cgiDir, Duration.ofSeconds(30)))) {
            var s = new CgiTest.StreamingClient(server.port());
            s.send(hold(1));
            assertThat(Poll.until(Duration.ofSeconds(10), () -> startedCount() == 1))
                    .isTrue();
            s.reset();
            long pid = startedPid();

            // Otherwise its slot is held for nobody until the timeout: a few such clients and others get 503.
            // (A plain close cannot be told from a half-close, which must still get its answer; a reset can.)
            assertThat(Poll.until(Duration.ofSeconds(5), () -> !CgiTest.running(pid)))
                    .as("program %d stopped long before its 30 s timeout", pid)
                    .isTrue();
        }
    }

    private static String hold(int n) {
        return "GET /cgi-bin/hold.sh?" + n + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    }

    private long startedPid() throws IOException {
        try (Stream<Path> s = Files.list(started)) {
            return Long.parseLong(s.findFirst().orElseThrow().getFileName().toString());
        }
    }

    private long startedCount() {
        try (Stream<Path> s = Files.list(started)) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
