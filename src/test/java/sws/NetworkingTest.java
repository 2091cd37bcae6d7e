package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sws.http.Timeouts;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/** Spec section 2: listening on IPv4 and IPv6, many clients at once, a graceful stop. */
class NetworkingTest {
    private static final InetAddress IPV4 = address("127.0.0.1");
    private static final InetAddress IPV6 = address("::1");

    @Test
    void defaultListenerAnswersOnIpv4AndIpv6() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root)) {
            assertServes(IPV4, server.port());
            assertServes(IPV6, server.port());
        }
    }

    @Test
    void boundToIpv4OnlyRefusesIpv6() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root, c -> c.address(IPV4))) {
            assertServes(IPV4, server.port());
            assertRefused(IPV6, server.port());
        }
    }

    @Test
    void boundToIpv6OnlyRefusesIpv4() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root, c -> c.address(IPV6))) {
            assertServes(IPV6, server.port());
            assertRefused(IPV4, server.port());
        }
    }

    @Test
    void manyConcurrentKeepAliveClientsAreAllAnsweredCorrectly() throws Exception {
        int clients = 50;
        int requestsEach = 10;
        var root = TestServer.newDocroot();
        for (int i = 0; i < clients; i++) {
            TestServer.write(root, "f" + i + ".txt", ("file " + i + "\n").repeat(i + 1));
        }
        try (var server = TestServer.start(root);
                ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            var ready = new CountDownLatch(clients);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    try (var c = n % 2 == 0 ? server.ipv4() : server.ipv6()) {
                        ready.countDown();
                        ready.await(10, TimeUnit.SECONDS);
                        int ok = 0;
                        for (int k = 0; k < requestsEach; k++) {
                            int file = (n + k) % clients;
                            var r = c.send("GET /f" + file + ".txt HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .read();
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(r.text()).isEqualTo(("file " + file + "\n").repeat(file + 1));
                            ok++;
                        }
                        return ok;
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(requestsEach);
            }
        }
    }

    @Test
    void aClientThatSentHalfARequestDoesNotDelayAnother() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        // One event loop, so the idle client and the prompt one are certainly served by the same thread.
        try (var server = TestServer.start(root, c -> c.loops(1));
                var slow = server.ipv4()) {
            slow.send("GET /hello.txt HTTP/1.1\r\nHo");
            long start = System.nanoTime();
            var r = server.send("GET /hello.txt HTTP/1.0\r\n\r\n");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(200);
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            // The slow client is still served once it finishes its request.
            var late = slow.send("st: x\r\n\r\n").read();
            assertThat(late.status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDoesNotReadItsResponseDoesNotDelayAnother() throws IOException {
        var root = TestServer.newDocroot();
        TestServer.write(root, "big.bin", new byte[8 << 20]);
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root, c -> c.loops(1));
                var stalled = server.ipv4()) {
            stalled.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            long start = System.nanoTime();
            var r = server.send("GET /hello.txt HTTP/1.0\r\n\r\n");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(200);
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            assertThat(stalled.read().body()).hasSize(8 << 20);
        }
    }

    @Test
    void debugModeServesOneConnectionAtATime() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root, c -> c.debug(true));
                var first = server.ipv4();
                var second = server.ipv4()) {
            assertThat(first.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
            second.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            second.setReadTimeout(500);
            assertThatThrownBy(second::read).hasRootCauseInstanceOf(SocketTimeoutException.class);
            second.setReadTimeout(10_000);
            first.close();
            assertThat(second.read().status()).isEqualTo(200);
        }
    }

    @Test
    void gracefulCloseFinishesAResponseInFlightAndRefusesNewClients() throws Exception {
        int size = 20 << 20;
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31 + (i >> 12));
        }
        var root = TestServer.newDocroot();
        TestServer.write(root, "big.bin", content);
        // A grace period long enough that the response in flight certainly ends within it.
        Timeouts timeouts = new Timeouts(
                Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30));
        try (var server = TestServer.start(root, c -> c.timeouts(timeouts));
                var client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(new InetSocketAddress(IPV4, server.port()), 5_000);
            client.setSoTimeout(10_000);
            client.getOutputStream()
                    .write("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            byte[] start = in.readNBytes(64 * 1024);
            assertThat(start).hasSize(64 * 1024);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server.server()::close);
            awaitListenerClosed(server.server(), Duration.ofSeconds(5));
            // The channel reports closed a moment before the kernel socket goes: allow that moment.
            awaitRefused(IPV4, server.port(), Duration.ofSeconds(2));
            assertRefused(IPV4, server.port());
            assertRefused(IPV6, server.port());
            assertThat(closing).as("close waits for the response in flight").isNotDone();

            byte[] rest = in.readAllBytes();
            byte[] all = new byte[start.length + rest.length];
            System.arraycopy(start, 0, all, 0, start.length);
            System.arraycopy(rest, 0, all, start.length, rest.length);
            String response = new String(all, StandardCharsets.ISO_8859_1);
            int headEnd = response.indexOf("\r\n\r\n") + 4;
            assertThat(response).startsWith("HTTP/1.1 200 ").contains("Content-Length: " + size);
            byte[] body = Arrays.copyOfRange(all, headEnd, all.length);
            assertThat(body).hasSize(size).isEqualTo(content);
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    private static void assertServes(InetAddress address, int port) {
        try (var c = RawClient.connect(address, port)) {
            var r = c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).as("status from %s", address).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello\n");
        }
    }

    private static void assertRefused(InetAddress address, int port) {
        assertThatThrownBy(() -> RawClient.connect(address, port).close())
                .as("connecting to %s port %d", address, port)
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ConnectException.class);
    }

    /** Waits, within the bound, until the server's listening socket is closed. */
    private static void awaitRefused(InetAddress address, int port, Duration bound) {
        boolean refused = Poll.until(bound, () -> {
            try {
                RawClient.connect(address, port).close();
                return false;
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof ConnectException) {
                    return true;
                }
                throw e;
            }
        });
        assertThat(refused)
                .as("connections to %s port %d refused within %s", address, port, bound)
                .isTrue();
    }

    private static void awaitListenerClosed(Server server, Duration bound) {
        boolean closed = Poll.until(bound, () -> {
            try {
                server.addresses();
                return false;
            } catch (ClosedChannelException e) {
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(closed).as("the listener closed within %s", bound).isTrue();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
