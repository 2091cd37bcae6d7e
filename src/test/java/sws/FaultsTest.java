package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Issue 5, item 4 (spec sections 3 and 6): faults in the client, the files served and the access log; the
 * server survives each, loses nothing it could keep, and goes on serving.
 */
class FaultsTest {
    private static final long BIG = 64L << 20;
    private static final String SMALL = "small\n";

    // ---- clients that go away

    @Test
    void clientsThatResetMidResponseLeaveNothingBehind() throws Exception {
        Path root = docroot();
        SlowClientsTest.sparseFile(root.resolve("big.bin"), BIG);
        Path log = root.getParent().resolve("access.log");
        try (TestServer server = TestServer.start(root, c -> c.accessLog(log))) {
            assertThat(server.send("GET /small.txt HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
            long descriptors = openDescriptors();

            for (int i = 0; i < 20; i++) {
                try (Socket s = connect(server)) {
                    s.getOutputStream()
                            .write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    assertThat(in.readNBytes(256 * 1024)).hasSize(256 * 1024);
                    s.setSoLinger(true, 0); // close() now sends a reset
                }
            }

            Poll.await(
                    Duration.ofSeconds(5),
                    () -> SlowClientsTest.logLines(log, "GET /big.bin").size() == 20);
            assertThat(server.send("GET /small.txt HTTP/1.0\r\n\r\n").text()).isEqualTo(SMALL);
            // Every file and socket of the reset connections is closed again.
            Poll.await(Duration.ofSeconds(5), () -> openDescriptors() <= descriptors);
        }
    }

    // ---- files that change while they are sent

    @Test
    void fileTruncatedWhileBeingSentEndsTheResponseShortAndClosesTheConnection() throws Exception {
        Path root = docroot();
        Path big = root.resolve("big.bin");
        SlowClientsTest.sparseFile(big, BIG);
        try (TestServer server = TestServer.start(root)) {
            try (Socket s = connect(server)) {
                s.getOutputStream()
                        .write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                long length = contentLength(in);
                assertThat(length).isEqualTo(BIG);
                assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);

                try (FileChannel f = FileChannel.open(big, StandardOpenOption.WRITE)) {
                    f.truncate(1 << 20);
                }

                long rest = SlowClientsTest.drain(in); // to the server's close; the socket's timeout bounds it
                assertThat((1L << 20) + rest).as("body bytes received").isLessThan(length);
            }
            assertThat(server.send("GET /small.txt HTTP/1.0\r\n\r\n").text()).isEqualTo(SMALL);
            RawClient.Reply now = server.send("GET /big.bin HTTP/1.0\r\n\r\n");
            assertThat(now.status()).isEqualTo(200);
            assertThat(now.body()).hasSize(1 << 20);
        }
    }

    @Test
    void fileDeletedWhileBeingSentIsSentWholeFromTheOpenFile() throws Exception {
        Path root = docroot();
        Path big = root.resolve("big.bin");
        SlowClientsTest.sparseFile(big, BIG);
        try (TestServer server = TestServer.start(root)) {
            try (Socket s = connect(server)) {
                String get = "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
                s.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                long length = contentLength(in);
                assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);

                Files.delete(big);

                // Unix semantics: the open file lives on until it is closed, so the response is whole and
                // the connection stays usable.
                long rest = length - (1 << 20);
                long got = 0;
                byte[] buffer = new byte[64 * 1024];
                while (got < rest) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, rest - got));
                    assertThat(n).as("body bytes after %d", got).isPositive();
                    got += n;
                }
                s.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(in.readNBytes(13), StandardCharsets.US_ASCII))
                        .isEqualTo("HTTP/1.1 404 ");
            }
            assertThat(server.send("GET /small.txt HTTP/1.0\r\n\r\n").text()).isEqualTo(SMALL);
        }
    }

    // ---- the access log

    @Test
    void accessLogOnAFullDiskWarnsOnceAndServingGoesOn() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TestServer server = TestServer.start(docroot(), c -> c.accessLog(Path.of("/dev/full")))) {
            for (int i = 0; i < 5; i++) {
                try (RawClient c = server.ipv4()) {
                    for (int j = 0; j < 20; j++) {
                        RawClient.Reply r = c.send("GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                                .read();
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.text()).isEqualTo(SMALL);
                    }
                }
                // A failed write each time the writer catches up; wait for the first before going on.
                Poll.await(Duration.ofSeconds(5), () -> captured.size() > 0);
            }
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("sws: ").contains("access log");
    }

    @Test
    void deletedLogFileIsRecreatedByReopenWithTheNextLines() throws Exception {
        Path root = docroot();
        Path log = root.getParent().resolve("access.log");
        try (TestServer server = TestServer.start(root, c -> c.accessLog(log))) {
            assertThat(server.send("GET /small.txt?first HTTP/1.0\r\n\r\n").status())
                    .isEqualTo(200);
            Poll.await(
                    Duration.ofSeconds(5),
                    () -> SlowClientsTest.logLines(log, "?first").size() == 1);
            try (FileChannel unlinked = FileChannel.open(log, StandardOpenOption.READ)) {
                Files.delete(log);

                // Until it is reopened, the log goes on into the deleted file, and serving goes on.
                assertThat(server.send("GET /small.txt?before HTTP/1.0\r\n\r\n").status())
                        .isEqualTo(200);
                Poll.await(Duration.ofSeconds(5), () -> read(unlinked).contains("?before"));
                assertThat(log).doesNotExist();

                server.server().reopenLog();
                Poll.await(Duration.ofSeconds(5), () -> Files.exists(log));
                assertThat(server.send("GET /small.txt?after HTTP/1.0\r\n\r\n").status())
                        .isEqualTo(200);
                Poll.await(
                        Duration.ofSeconds(5),
                        () -> SlowClientsTest.logLines(log, "?after").size() == 1);

                assertThat(Files.readString(log)).doesNotContain("?first").doesNotContain("?before");
                assertThat(read(unlinked)).doesNotContain("?after");
            }
        }
    }

    @Test
    void logThatCannotBeReopenedWarnsOnceAndServingGoesOnUntilItCanBe() throws Exception {
        Path root = docroot();
        Path dir = root.getParent().resolve("logs");
        Files.createDirectory(dir);
        Path log = dir.resolve("access.log");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TestServer server = TestServer.start(root, c -> c.accessLog(log))) {
            Files.delete(log);
            Files.delete(dir);
            server.server().reopenLog();
            Poll.await(Duration.ofSeconds(5), () -> captured.size() > 0);
            for (int i = 0; i < 20; i++) {
                assertThat(server.send("GET /small.txt?lost HTTP/1.0\r\n\r\n").status())
                        .isEqualTo(200);
            }
            server.server().reopenLog(); // still failing: no second warning

            Files.createDirectory(dir);
            server.server().reopenLog();
            Poll.await(Duration.ofSeconds(5), () -> Files.exists(log));
            assertThat(server.send("GET /small.txt?back HTTP/1.0\r\n\r\n").status())
                    .isEqualTo(200);
            Poll.await(
                    Duration.ofSeconds(5),
                    () -> SlowClientsTest.logLines(log, "?back").size() == 1);
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("sws: ").contains("access log");
    }

    // ---- fixtures

    private static Path docroot() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "small.txt", SMALL);
        return root;
    }

    private static Socket connect(TestServer server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads a response head and returns its Content-Length. */
    private static long contentLength(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("a whole response head").isNotNegative();
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 200 ");
        return text.lines()
                .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .map(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                .findFirst()
                .orElseThrow();
    }

    /** The whole content of a file through an open channel, which may outlive the file's name. */
    private static String read(FileChannel channel) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            long position = 0;
            int n;
            while ((n = channel.read(b.clear(), position)) > 0) {
                out.write(b.array(), 0, n);
                position += n;
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
