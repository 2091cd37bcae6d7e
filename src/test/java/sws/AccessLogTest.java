package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.http.Timeouts;
import sws.testing.TestServer;

/** Spec section 6: one line per request, {@code %a %t "%r" %>s %b}, escaped, never lost. */
class AccessLogTest {
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    private static final String CONTENT = "hello, log\n";

    @TempDir
    Path logDir;

    private Path log;
    private Path root;

    @BeforeEach
    void setUp() {
        log = logDir.resolve("access.log");
        root = TestServer.newDocroot();
        TestServer.write(root, "x", CONTENT);
    }

    @Test
    void eachRequestIsOneLineInTheCommonFormat() {
        try (var server = start(c -> c)) {
            for (int i = 0; i < 3; i++) {
                var r = server.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(CONTENT.length()));
            }
        }
        assertThat(logLines()).hasSize(3).allSatisfy(line -> assertThat(line)
                .matches("^127\\.0\\.0\\.1 " + TIME + " \"GET /x HTTP/1\\.1\" 200 " + CONTENT.length() + "$"));
    }

    @Test
    void keepAliveRequestsAreLoggedInOrder() {
        try (var server = start(c -> c);
                var c = server.ipv4()) {
            c.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n");
            c.read();
            c.read();
            c.readHead();
        }
        assertThat(logLines())
                .extracting(AccessLogTest::requestAndStatus)
                .containsExactly("GET /x HTTP/1.1 200", "GET /nope HTTP/1.1 404", "HEAD /x HTTP/1.1 200");
    }

    @Test
    void ipv4ClientOfTheDualStackListenerIsLoggedAsPlainIpv4() {
        try (var server = start(c -> c)) {
            assertThat(server.send("GET /x HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
        }
        assertThat(logLines())
                .singleElement()
                .satisfies(line -> assertThat(line).startsWith("127.0.0.1 ").doesNotContain("ffff"));
    }

    @Test
    void ipv6ClientIsLoggedInCompressedForm() {
        try (var server = start(c -> c);
                var c = server.ipv6()) {
            assertThat(c.send("GET /x HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(logLines()).singleElement().satisfies(line -> assertThat(line)
                .matches("^::1 " + TIME + " \"GET /x HTTP/1\\.0\" 200 11$"));
    }

    @Test
    void notFoundIsLoggedWithItsStatusAndTheErrorPageLength() {
        String length;
        try (var server = start(c -> c)) {
            var r = server.send("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).isEqualTo(404);
            length = r.header("Content-Length");
            assertThat(length).isNotNull().isNotEqualTo("0");
            assertThat(r.body()).hasSize(Integer.parseInt(length));
        }
        assertThat(logLines()).singleElement().satisfies(line -> assertThat(line)
                .matches("^127\\.0\\.0\\.1 " + TIME + " \"GET /nope HTTP/1\\.1\" 404 " + length + "$"));
    }

    @Test
    void headIsLoggedWithZeroBytes() {
        try (var server = start(c -> c);
                var c = server.ipv4()) {
            var r = c.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(logLines()).singleElement().satisfies(line -> assertThat(line)
                .matches("^127\\.0\\.0\\.1 " + TIME + " \"HEAD /x HTTP/1\\.1\" 200 0$"));
    }

    @Test
    void quotesBackslashesAndUnprintableBytesAreEscapedSoTheLineStaysOneLine() throws IOException {
        byte[] request = concat(
                "GET /a\"b\\c".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x01, (byte) 0xff, 0x1b},
                " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String length;
        try (var server = start(c -> c);
                var c = server.ipv4()) {
            var r = c.send(request).read();
            assertThat(r.status()).isEqualTo(400);
            length = r.header("Content-Length");
        }
        byte[] raw = Files.readAllBytes(log);
        for (byte b : raw) {
            assertThat(b == '\n' || (b >= 0x20 && b < 0x7f))
                    .as("only printable ASCII and line ends in the log, found byte %d", b & 0xff)
                    .isTrue();
        }
        assertThat(logLines())
                .singleElement()
                .isEqualTo(lineWithTimeOf(
                        logLines().get(0), "127.0.0.1 %s \"GET /a\\\"b\\\\c\\x01\\xff\\x1b HTTP/1.1\" 400 " + length));
    }

    @Test
    void requestLineCutShortByAHalfCloseIsLoggedAsSentSoFar() {
        String status;
        try (var server = start(c -> c);
                var c = server.ipv4()) {
            c.send("GET /par");
            c.shutdownOutput();
            var r = c.read();
            status = r.status() + " " + r.header("Content-Length");
        }
        assertThat(logLines()).singleElement().satisfies(line -> assertThat(line)
                .matches("^127\\.0\\.0\\.1 " + TIME + " \"GET /par\" " + status + "$"));
    }

    @Test
    void requestLineCutShortByTheTimeoutIsLoggedAsSentSoFar() {
        var oneSecond = new Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
        String length;
        try (var server = start(c -> c.timeouts(oneSecond));
                var c = server.ipv4()) {
            var r = c.send("GET /par").read();
            assertThat(r.status()).isEqualTo(408);
            length = r.header("Content-Length");
        }
        assertThat(logLines()).singleElement().satisfies(line -> assertThat(line)
                .matches("^127\\.0\\.0\\.1 " + TIME + " \"GET /par\" 408 " + length + "$"));
    }

    @Test
    void timeIsWhenTheRequestWasReceivedInUtc() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (var server = start(c -> c)) {
            server.send("GET /x HTTP/1.0\r\n\r\n");
        }
        Instant after = Instant.now();
        Matcher m = Pattern.compile("^\\S+ (" + TIME + ") ").matcher(logLines().get(0));
        assertThat(m.find()).isTrue();
        Instant logged = Instant.parse(m.group(1));
        assertThat(logged).isBetween(before.minusSeconds(2), after.plusSeconds(2));
    }

    @Test
    void linesAreAppendedToAnExistingLog() throws IOException {
        Files.writeString(log, "earlier line\n");
        try (var server = start(c -> c)) {
            server.send("GET /x HTTP/1.0\r\n\r\n");
        }
        List<String> lines = logLines();
        assertThat(lines).hasSize(2).first().isEqualTo("earlier line");
        assertThat(lines.get(1)).contains("\"GET /x HTTP/1.0\" 200");
    }

    @Test
    void noLineIsLostOnAGracefulStop() {
        int requests = 500;
        try (var server = start(c -> c);
                var c = server.ipv4()) {
            for (int i = 0; i < requests; i++) {
                assertThat(c.send("GET /x?" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                .read()
                                .status())
                        .isEqualTo(200);
            }
        }
        List<String> lines = logLines();
        assertThat(lines).hasSize(requests);
        for (int i = 0; i < requests; i++) {
            assertThat(lines.get(i)).contains("\"GET /x?" + i + " HTTP/1.1\" 200 11");
        }
    }

    private TestServer start(UnaryOperator<Config.Builder> adjust) {
        return TestServer.start(root, c -> adjust.apply(c.accessLog(log)));
    }

    private List<String> logLines() {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request line and status of one log line: what lies between the time and the byte count. */
    private static String requestAndStatus(String line) {
        Matcher m =
                Pattern.compile("^\\S+ " + TIME + " \"(.*)\" (\\d{3}) \\d+$").matcher(line);
        assertThat(m.matches()).as("log line %s", line).isTrue();
        return m.group(1) + " " + m.group(2);
    }

    /** The expected line, with %s standing for the time, taken from the actual line once it is valid. */
    private static String lineWithTimeOf(String actual, String format) {
        Matcher m = Pattern.compile("^\\S+ (" + TIME + ") ").matcher(actual);
        assertThat(m.find()).as("log line %s", actual).isTrue();
        return format.formatted(m.group(1));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
