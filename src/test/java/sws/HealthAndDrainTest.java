package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static sws.testing.ProxyHeaders.LOCAL;
import static sws.testing.ProxyHeaders.UNSPEC;
import static sws.testing.ProxyHeaders.concat;
import static sws.testing.ProxyHeaders.v2;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Timeouts;
import sws.net.TrustedProxies;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 9 with the server embedded: the health check of --health-path (200 "ok" while serving, never
 * logged, on HTTP/1.0 without Host and behind a PROXY v2 LOCAL header), and the three steps of a graceful stop
 * (a lame duck that fails only the health check, the listeners closing, what is in flight finishing within
 * the drain timeout, or cut at its end).
 */
class HealthAndDrainTest {
    private static final String HEALTH = "/healthz";
    private static final String HELLO = "hello\n";
    private static final Duration DELAY = Duration.ofSeconds(1);
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private final List<TestServer> opened = new ArrayList<>();
    private final List<Thread> stops = new ArrayList<>();

    @AfterEach
    void closeOpened() throws InterruptedException {
        for (Thread stop : stops) {
            stop.join(BOUND.toMillis());
        }
        opened.forEach(TestServer::close);
    }

    @AfterAll
    static void noProgramLeftBehind() {
        CgiTest.assertNoZombieChildren();
    }

    /** A server over a docroot with hello.txt and a CGI directory, with the health check unless told otherwise. */
    private TestServer start(UnaryOperator<Config.Builder> adjust) {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", HELLO);
        Path cgi = CgiTest.cgiDir(root);
        Path marker = root.getParent().resolve("started");
        // Each program leaves a file behind once it runs, so a test knows its request is in flight.
        CgiTest.script(
                cgi,
                "slow.sh",
                "touch " + marker + "\nsleep 2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow done\\n'\n");
        CgiTest.script(cgi, "stuck.sh", "touch " + marker + "\nexec sleep 30\n");
        TestServer server = TestServer.start(
                root, c -> adjust.apply(c.cgi(cgi, Duration.ofSeconds(20)).healthPath(HEALTH)));
        opened.add(server);
        return server;
    }

    private static Path marker(TestServer server) {
        return server.scratch().resolve("started");
    }

    /** Begins a graceful stop on a thread of its own, as a signal handler would. */
    private Thread stopInBackground(TestServer server) {
        Thread stop = Thread.ofPlatform().name("stop").start(server.server()::close);
        stops.add(stop);
        return stop;
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static RawClient.Reply health(TestServer server) {
        return server.send("GET " + HEALTH + " HTTP/1.0\r\n\r\n");
    }

    private static String hello11(boolean close) {
        return "GET /hello.txt HTTP/1.1\r\nHost: h\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    }

    // ---- the health check

    @ParameterizedTest
    @ValueSource(strings = {HEALTH, HEALTH + "?probe=1", HEALTH + "?"})
    void healthCheckAnswersOkOnHttp10WithoutHost(String target) {
        TestServer server = start(c -> c);
        var get = server.send("GET " + target + " HTTP/1.0\r\n\r\n");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("ok\n");
        assertThat(get.header("Content-Type")).startsWith("text/plain");
        try (RawClient c = server.ipv4()) {
            var head = c.send("HEAD " + target + " HTTP/1.0\r\n\r\n").readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("3");
            assertThat(c.closedWithin(2_000))
                    .as("no body after the head of a HEAD")
                    .isTrue();
        }
    }

    @Test
    void healthCheckAnswersOkOnHttp11() {
        TestServer server = start(c -> c);
        var reply = server.send("GET " + HEALTH + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("ok\n");
    }

    @Test
    void healthChecksAreNeverInTheAccessLog() throws IOException {
        Path log = tmp.resolve("access.log");
        TestServer server = start(c -> c.accessLog(log));
        server.send("GET " + HEALTH + " HTTP/1.0\r\n\r\n");
        server.send("HEAD " + HEALTH + "?x=1 HTTP/1.0\r\n\r\n");
        server.send("GET " + HEALTH + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertThat(server.send(hello11(true)).status()).isEqualTo(200);
        server.server().close(); // the log is written out
        assertThat(Files.readAllLines(log, StandardCharsets.US_ASCII))
                .singleElement()
                .asString()
                .contains("\"GET /hello.txt HTTP/1.1\" 200 6");
    }

    @Test
    void postToTheHealthPathIsNotTheHealthCheck() {
        TestServer server = start(c -> c);
        var reply = server.send(
                "POST " + HEALTH + " HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.text()).isNotEqualTo("ok\n");
    }

    @Test
    void postToTheHealthPathIsLoggedLikeAnyOtherRequest() throws IOException {
        Path log = tmp.resolve("access.log");
        TestServer server = start(c -> c.accessLog(log));
        server.send("POST " + HEALTH + " HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        server.server().close();
        assertThat(Files.readAllLines(log, StandardCharsets.US_ASCII))
                .singleElement()
                .asString()
                .contains("\"POST " + HEALTH + " HTTP/1.1\" 405");
    }

    @Test
    void withoutAHealthPathThePathIsAnOrdinary404() {
        TestServer server = start(c -> c.healthPath(null));
        assertThat(health(server).status()).isEqualTo(404);
    }

    @Test
    void healthCheckBehindAProxyV2LocalHeaderIsAnswered() {
        TestServer server = start(c -> c.proxyProtocol(TrustedProxies.DEFAULT));
        try (RawClient c = server.ipv4()) {
            c.send(concat(
                    v2(LOCAL, UNSPEC, new byte[0]),
                    ("GET " + HEALTH + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            var reply = c.read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("ok\n");
        }
    }

    // ---- a graceful stop

    @Test
    void lameDuckFailsTheHealthCheckWhileServingNewConnectionsThenRefusesThem() throws InterruptedException {
        TestServer server = start(c -> c.drainDelay(DELAY));
        int port = server.port();
        assertThat(health(server).status()).isEqualTo(200);

        Thread stop = stopInBackground(server);

        Poll.await(DELAY, () -> health(server).status() == 503);
        var draining = health(server);
        assertThat(draining.text()).isEqualTo("draining\n");
        var other = server.send(hello11(true));
        assertThat(other.status()).as("served as usual in the lame duck").isEqualTo(200);
        assertThat(other.text()).isEqualTo(HELLO);
        assertThat(stop.isAlive()).as("still in the lame duck").isTrue();

        Poll.await(BOUND, () -> !connects(port));
        stop.join(BOUND.toMillis());
        assertThat(stop.isAlive()).isFalse();
    }

    @Test
    void keptAliveConnectionGetsConnectionCloseOnItsResponseInFlight() throws InterruptedException {
        TestServer server = start(c -> c.drainDelay(DELAY));
        try (RawClient c = server.ipv4()) {
            var first = c.send(hello11(false)).read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("Connection")).isNull();
            c.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: h\r\n\r\n");
            Poll.await(BOUND, () -> Files.exists(marker(server)));

            long begun = System.nanoTime();
            Thread stop = stopInBackground(server);

            // the program sleeps 2 s: the lame duck (1 s) ends and the listeners close while it runs
            var slow = c.read();
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.text()).isEqualTo("slow done\n");
            assertThat(slow.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(2_000)).isTrue();
            stop.join(BOUND.toMillis());
            assertThat(stop.isAlive()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Timeouts.DEFAULT.grace());
        }
    }

    @Test
    void keptAliveConnectionIsServedAsUsualInTheLameDuck() {
        TestServer server = start(c -> c.drainDelay(Duration.ofSeconds(3)));
        try (RawClient c = server.ipv4()) {
            assertThat(c.send(hello11(false)).read().status()).isEqualTo(200);
            stopInBackground(server);
            Poll.await(BOUND, () -> health(server).status() == 503);
            var again = c.send(hello11(false)).read();
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.header("Connection")).isNull();
        }
    }

    @Test
    void idleKeptAliveConnectionGetsConnectionCloseOnItsNextResponseAfterTheListenersClose() {
        TestServer server = start(c -> c.drainDelay(DELAY));
        int port = server.port();
        try (RawClient c = server.ipv4()) {
            assertThat(c.send(hello11(false)).read().status()).isEqualTo(200);
            stopInBackground(server);
            Poll.await(BOUND, () -> !connects(port));
            var next = c.send(hello11(false)).read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("Connection")).isEqualToIgnoringCase("close");
        }
    }

    @Test
    void stuckResponseIsCutAtTheEndOfTheDrainTimeout() {
        Duration grace = Duration.ofSeconds(1);
        TestServer server = start(c -> c.drainDelay(DELAY)
                .timeouts(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), grace)));
        try (RawClient c = server.ipv4()) {
            c.send("GET /cgi-bin/stuck.sh HTTP/1.1\r\nHost: h\r\n\r\n");
            Poll.await(BOUND, () -> Files.exists(marker(server)));

            long begun = System.nanoTime();
            server.server().close();
            Duration took = Duration.ofNanos(System.nanoTime() - begun);

            assertThat(took).isGreaterThanOrEqualTo(DELAY.plus(grace).minusMillis(100));
            assertThat(took).isLessThan(DELAY.plus(grace).plusSeconds(2));
            assertThat(new String(c.readToClose(), StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1 200");
        }
    }
}
