package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static sws.testing.ProxyHeaders.LOCAL;
import static sws.testing.ProxyHeaders.PROXY;
import static sws.testing.ProxyHeaders.SIGNATURE;
import static sws.testing.ProxyHeaders.TCP4;
import static sws.testing.ProxyHeaders.TCP6;
import static sws.testing.ProxyHeaders.UNIX_STREAM;
import static sws.testing.ProxyHeaders.UNSPEC;
import static sws.testing.ProxyHeaders.addresses;
import static sws.testing.ProxyHeaders.bytes;
import static sws.testing.ProxyHeaders.concat;
import static sws.testing.ProxyHeaders.tlvs;
import static sws.testing.ProxyHeaders.unixAddresses;
import static sws.testing.ProxyHeaders.v1;
import static sws.testing.ProxyHeaders.v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Timeouts;
import sws.net.TrustedProxies;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 7.3 with the server embedded, over real TCP sockets of both families: the client a PROXY header
 * names, version 1 or 2, replaces the peer in the access log and in REMOTE_ADDR/REMOTE_PORT, a LOCAL header
 * keeps the peer; a missing, malformed, oversized or late header closes the connection unanswered, with one
 * log line {@code "" 400 0}; a peer outside --trusted-proxy is closed at once; without --proxy-protocol a
 * PROXY line is only a malformed request.
 */
class ProxyProtocolTest {
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    /** The log line of a connection refused for its header (spec 7.3), from either loopback address. */
    private static final Pattern REJECTED = Pattern.compile("(127\\.0\\.0\\.1|::1) " + TIME + " \"\" 400 0");

    /** Well under the default 10 s request timeout: a refusal that waited for it would not come in time. */
    private static final int AT_ONCE_MILLIS = 3_000;

    private static final String HELLO = "hello through a balancer\n";

    private static TestServer server;
    private static Path log;
    private static Path cgi;

    /** Servers a single test starts, closed after it. */
    private final List<TestServer> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", HELLO);
        cgi = CgiTest.cgiDir(root);
        CgiTest.script(
                cgi,
                "addr.sh",
                "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nprintf '%s %s' \"$REMOTE_ADDR\" \"${REMOTE_PORT-none}\"\n");
        log = root.getParent().resolve("access.log");
        server = TestServer.start(root, c -> settings(c).accessLog(log));
    }

    /** The settings of every server here with the PROXY protocol on: CGI, and loopback trusted. */
    private static Config.Builder settings(Config.Builder c) {
        return c.cgi(cgi, Duration.ofSeconds(20)).proxyProtocol(TrustedProxies.DEFAULT);
    }

    @AfterAll
    static void stop() {
        server.close();
        CgiTest.assertNoZombieChildren();
    }

    @AfterEach
    void closeOpened() {
        opened.forEach(TestServer::close);
    }

    // ---- the client a header names

    static Stream<Arguments> headersNamingAClient() {
        return Stream.of(
                Arguments.of(
                        "v1 TCP4 over IPv4", false, v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80"), "192.0.2.7", 51234),
                Arguments.of(
                        "v1 TCP6 over IPv6",
                        true,
                        v1("PROXY TCP6 2001:db8::7 2001:db8::1 51234 443"),
                        "2001:db8::7",
                        51234),
                Arguments.of(
                        "v1 TCP4 over IPv6",
                        true,
                        v1("PROXY TCP4 198.51.100.9 192.0.2.1 65535 80"),
                        "198.51.100.9",
                        65535),
                Arguments.of(
                        "v1 TCP6 over IPv4",
                        false,
                        v1("PROXY TCP6 2001:0db8:0000::0007 2001:db8::1 1 443"),
                        "2001:db8::7",
                        1),
                Arguments.of(
                        "v2 TCP over IPv4, over IPv4",
                        false,
                        v2(PROXY, TCP4, addresses("192.0.2.7", "192.0.2.1", 51234, 80)),
                        "192.0.2.7",
                        51234),
                Arguments.of(
                        "v2 TCP over IPv6, over IPv6",
                        true,
                        v2(PROXY, TCP6, addresses("2001:db8::7", "2001:db8::1", 51234, 443)),
                        "2001:db8::7",
                        51234),
                Arguments.of(
                        "v2 TCP over IPv4 with TLVs, over IPv6",
                        true,
                        v2(PROXY, TCP4, concat(addresses("192.0.2.7", "192.0.2.1", 40000, 80), tlvs())),
                        "192.0.2.7",
                        40000),
                Arguments.of(
                        "v2 TCP over IPv6 from an IPv4-mapped address",
                        false,
                        v2(PROXY, TCP6, addresses("::ffff:192.0.2.7", "::ffff:192.0.2.1", 51234, 80)),
                        "192.0.2.7",
                        51234));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headersNamingAClient")
    void theClientAHeaderNamesIsTheOneInTheLogAndForCgi(
            String description, boolean ipv6, byte[] header, String client, int port) {
        String target = "/cgi-bin/addr.sh?" + UUID.randomUUID();
        try (RawClient c = ipv6 ? server.ipv6() : server.ipv4()) {
            var r = c.send(header).send(get(target, true)).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(client + " " + port);
        }
        awaitLogLine(Pattern.quote(client) + " " + TIME + " \"GET " + Pattern.quote(target) + " HTTP/1\\.1\" 200 \\d+");
    }

    static Stream<Arguments> headersNamingNoClient() {
        return Stream.of(
                Arguments.of("v2 LOCAL", v2(LOCAL, UNSPEC, new byte[0])),
                Arguments.of("v2 LOCAL with addresses", v2(LOCAL, TCP4, addresses("192.0.2.7", "192.0.2.1", 1, 80))),
                Arguments.of("v2 PROXY of no family", v2(PROXY, UNSPEC, new byte[0])),
                Arguments.of("v2 PROXY over AF_UNIX", v2(PROXY, UNIX_STREAM, unixAddresses())),
                Arguments.of("v1 UNKNOWN", v1("PROXY UNKNOWN")),
                Arguments.of("v1 UNKNOWN with addresses", v1("PROXY UNKNOWN 192.0.2.7 192.0.2.1 51234 80")));
    }

    /** A balancer's health check (v2 LOCAL) and headers that name no one: the real peer stays the client. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("headersNamingNoClient")
    void aHeaderNamingNoClientKeepsTheRealPeer(String description, byte[] header) {
        for (boolean ipv6 : new boolean[] {false, true}) {
            String peer = ipv6 ? "::1" : "127.0.0.1";
            String target = "/cgi-bin/addr.sh?" + UUID.randomUUID();
            try (RawClient c = ipv6 ? server.ipv6() : server.ipv4()) {
                var r = c.send(header).send(get(target, true)).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo(peer + " " + c.localPort());
            }
            awaitLogLine(
                    Pattern.quote(peer) + " " + TIME + " \"GET " + Pattern.quote(target) + " HTTP/1\\.1\" 200 \\d+");
        }
    }

    @Test
    void aVersion2LocalHeaderServesAnHttp10HealthCheckWithoutHost() {
        try (RawClient c = server.ipv4()) {
            var r = c.send(v2(LOCAL, UNSPEC, new byte[0]))
                    .send("GET /hello.txt HTTP/1.0\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(HELLO);
        }
    }

    // ---- the header and what follows it

    @Test
    void theConnectionIsKeptAliveAfterTheHeader() {
        String first = "/cgi-bin/addr.sh?" + UUID.randomUUID();
        String second = "/cgi-bin/addr.sh?" + UUID.randomUUID();
        try (RawClient c = server.ipv4()) {
            var a = c.send(v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80"))
                    .send(get(first, false))
                    .read();
            assertThat(a.text()).isEqualTo("192.0.2.7 51234");
            assertThat(c.closedWithin(200))
                    .as("closed after a keep-alive response")
                    .isFalse();
            var b = c.send(get("/hello.txt", false)).read();
            assertThat(b.text()).isEqualTo(HELLO);
            var d = c.send(get(second, true)).read();
            assertThat(d.text()).as("the client, for the whole connection").isEqualTo("192.0.2.7 51234");
            assertThat(c.closedWithin(5_000))
                    .as("closed after Connection: close")
                    .isTrue();
        }
        awaitLogLine("192\\.0\\.2\\.7 " + TIME + " \"GET " + Pattern.quote(first) + " HTTP/1\\.1\" 200 \\d+");
        awaitLogLine("192\\.0\\.2\\.7 " + TIME + " \"GET " + Pattern.quote(second) + " HTTP/1\\.1\" 200 \\d+");
    }

    @Test
    void pipelinedRequestsSentWithTheHeaderAreAllAnswered() {
        try (RawClient c = server.ipv6()) {
            c.send(concat(
                    v2(PROXY, TCP6, addresses("2001:db8::7", "2001:db8::1", 51234, 443)),
                    get("/hello.txt", false).getBytes(StandardCharsets.US_ASCII),
                    get("/cgi-bin/addr.sh", false).getBytes(StandardCharsets.US_ASCII),
                    get("/missing", true).getBytes(StandardCharsets.US_ASCII)));
            assertThat(c.read().text()).isEqualTo(HELLO);
            assertThat(c.read().text()).isEqualTo("2001:db8::7 51234");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.readToClose()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1", "v2"})
    void aHeaderSentOneByteAtATimeIsRead(String version) {
        byte[] header = version.equals("v1")
                ? v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80")
                : v2(PROXY, TCP4, concat(addresses("192.0.2.7", "192.0.2.1", 51234, 80), tlvs()));
        try (RawClient c = server.ipv4()) {
            for (byte b : header) {
                c.send(new byte[] {b});
                LockSupport.parkNanos(1_000_000); // the client's pace, so that the bytes come in several reads
            }
            var r = c.send(get("/cgi-bin/addr.sh", true)).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("192.0.2.7 51234");
        }
    }

    /** The header comes once, first: a second one on the same connection is a malformed request. */
    @Test
    void aSecondHeaderOnTheConnectionIsAMalformedRequest() {
        byte[] header = v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80");
        try (RawClient c = server.ipv4()) {
            assertThat(c.send(header).send(get("/hello.txt", false)).read().status())
                    .isEqualTo(200);
            assertThat(c.send(header).send(get("/hello.txt", false)).read().status())
                    .isEqualTo(400);
        }
    }

    // ---- refused headers

    static Stream<Arguments> refusedHeaders() {
        String request = get("/hello.txt", false);
        return Stream.of(
                Arguments.of("no header, a request", false, request.getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("an empty line before the header", false, v1("\r\nPROXY TCP4 192.0.2.7 192.0.2.1 1 80")),
                Arguments.of("v1 with 256.1.1.1", false, v1("PROXY TCP4 256.1.1.1 192.0.2.1 51234 80")),
                Arguments.of("v1 with a leading zero", false, v1("PROXY TCP4 192.0.2.07 192.0.2.1 51234 80")),
                Arguments.of("v1 lower case", false, v1("proxy tcp4 192.0.2.7 192.0.2.1 51234 80")),
                Arguments.of("v1 ended by LF alone", false, ascii("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\n")),
                Arguments.of("v1 TCP4 with IPv6 addresses", false, v1("PROXY TCP4 ::1 ::1 51234 80")),
                Arguments.of("v1 of 107 bytes without CRLF", false, ascii("PROXY UNKNOWN " + "f".repeat(93))),
                Arguments.of("v1 of 108 bytes", false, v1("PROXY UNKNOWN " + "f".repeat(92))),
                Arguments.of("v2 of an unknown version", false, v2(0x31, TCP4, addresses("1.2.3.4", "1.2.3.4", 1, 2))),
                Arguments.of(
                        "v2 IPv6 with IPv4's length", false, v2(PROXY, TCP6, addresses("1.2.3.4", "1.2.3.4", 1, 2))),
                Arguments.of("v2 UDP", false, v2(PROXY, 0x12, addresses("1.2.3.4", "1.2.3.4", 1, 2))),
                Arguments.of("v2 announcing 65535 bytes", false, concat(SIGNATURE, bytes(PROXY, TCP4, 0xff, 0xff))),
                Arguments.of("v2 announcing 2049 bytes", false, concat(SIGNATURE, bytes(PROXY, TCP4, 0x08, 0x01))),
                Arguments.of("v1 cut short, then the end of input", true, ascii("PROXY TCP4 192.0.2.7 192.0")),
                Arguments.of(
                        "v2 cut short, then the end of input", true, concat(SIGNATURE, bytes(PROXY, TCP4, 0, 12, 1))),
                Arguments.of(
                        "v2 longer than what was sent, then the end of input",
                        true,
                        concat(SIGNATURE, bytes(PROXY, TCP4, 0, 100), addresses("1.2.3.4", "1.2.3.4", 1, 2))));
    }

    /**
     * Closed with no response byte, at once (the request timeout is 10 s), logged once as {@code "" 400 0},
     * from the peer's own address.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedHeaders")
    void aRefusedHeaderClosesTheConnectionUnansweredWithOneLogLine(String description, boolean endInput, byte[] bytes) {
        for (boolean ipv6 : new boolean[] {false, true}) {
            long before = rejectedLines(ipv6);
            try (RawClient c = ipv6 ? server.ipv6() : server.ipv4()) {
                c.send(bytes);
                if (endInput) {
                    c.shutdownOutput();
                }
                assertThat(c.closedWithin(AT_ONCE_MILLIS))
                        .as("closed without an answer within %d ms", AT_ONCE_MILLIS)
                        .isTrue();
            }
            Poll.await(Duration.ofSeconds(10), () -> rejectedLines(ipv6) > before);
            assertThat(rejectedLines(ipv6)).as("lines \"\" 400 0").isEqualTo(before + 1);
        }
    }

    static Stream<Arguments> lateHeaders() {
        return Stream.of(
                Arguments.of("nothing at all", new byte[0]),
                Arguments.of("half a v1 line", ascii("PROXY TCP4 192.0.2.7 192.0")),
                Arguments.of("v2 without its addresses", concat(SIGNATURE, bytes(PROXY, TCP4, 0, 12))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lateHeaders")
    void aHeaderNotCompleteWithinTheRequestTimeoutIsClosedUnansweredWithOneLogLine(String description, byte[] sent)
            throws IOException {
        Path ownLog = Files.createTempFile("sws-proxy", ".log");
        TestServer own = startOwn(
                c -> settings(c).accessLog(ownLog).timeouts(new Timeouts(secs(1), secs(15), secs(30), secs(1))));
        try (RawClient c = own.ipv4()) {
            c.send(sent);
            assertThat(c.silentFor(500)).as("waited for the rest a while").isTrue();
            assertThat(c.closedWithin(5_000))
                    .as("closed after the 1 s request timeout")
                    .isTrue();
        }
        own.server().close(); // a graceful stop writes out every line
        List<String> lines = Files.readAllLines(ownLog);
        Files.delete(ownLog);
        assertThat(lines).singleElement().satisfies(l -> assertThat(l)
                .matches("127\\.0\\.0\\.1 " + TIME + " \"\" 400 0"));
    }

    // ---- --trusted-proxy

    @ParameterizedTest(name = "over IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void aPeerOutsideTheTrustedProxiesIsClosedAtOnce(boolean ipv6) {
        TestServer own = startOwn(c -> settings(c).proxyProtocol(TrustedProxies.parse("10.0.0.0/8,2001:db8::/32")));
        try (RawClient c = ipv6 ? own.ipv6() : own.ipv4()) {
            c.send(v1("PROXY TCP4 10.1.2.3 192.0.2.1 51234 80")).send(get("/hello.txt", true));
            assertThat(c.closedWithin(AT_ONCE_MILLIS)).as("closed unanswered").isTrue();
        } catch (UncheckedIOException e) {
            // the send met the close: as good
        }
    }

    /** Trust is per address: with only ::1 trusted, 127.0.0.1 is turned away and ::1 is served. */
    @Test
    void onlyTheTrustedFamilyIsServed() {
        TestServer own = startOwn(c -> settings(c).proxyProtocol(TrustedProxies.parse("::1/128")));
        byte[] header = v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80");
        try (RawClient c = own.ipv6()) {
            assertThat(c.send(header).send(get("/cgi-bin/addr.sh", true)).read().text())
                    .isEqualTo("192.0.2.7 51234");
        }
        try (RawClient c = own.ipv4()) {
            assertThat(c.closedWithin(AT_ONCE_MILLIS))
                    .as("127.0.0.1 closed unanswered")
                    .isTrue();
        }
    }

    // ---- without --proxy-protocol

    @Test
    void withoutTheProxyProtocolAProxyLineIsAMalformedRequest() {
        TestServer own = startOwn(c -> c);
        for (byte[] header : List.of(
                v1("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80"), v1("PROXY UNKNOWN"), v1("PROXY TCP6 ::1 ::1 1 2"))) {
            try (RawClient c = own.ipv4()) {
                var r = c.send(header).send(get("/hello.txt", true)).read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(c.closedWithin(5_000)).isTrue();
            }
        }
    }

    @Test
    void withoutTheProxyProtocolAVersion2HeaderIsAMalformedRequest() {
        TestServer own = startOwn(c -> c);
        try (RawClient c = own.ipv4()) {
            var r = c.send(v2(PROXY, TCP4, addresses("192.0.2.7", "192.0.2.1", 51234, 80)))
                    .send(get("/hello.txt", true))
                    .read();
            assertThat(r.status()).isEqualTo(400);
        }
    }

    // ---- helpers

    /** A server of the test's own over a docroot of its own, which its close deletes with the folder above. */
    private TestServer startOwn(UnaryOperator<Config.Builder> adjust) {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", HELLO);
        TestServer own = TestServer.start(root, adjust);
        opened.add(own);
        return own;
    }

    private static String get(String target, boolean close) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
    }

    private static void awaitLogLine(String regex) {
        Pattern p = Pattern.compile(regex);
        Poll.await(Duration.ofSeconds(10), () -> logLines().stream()
                .anyMatch(l -> p.matcher(l).matches()));
    }

    private static long rejectedLines(boolean ipv6) {
        String peer = ipv6 ? "::1 " : "127.0.0.1 ";
        return logLines().stream()
                .filter(l -> l.startsWith(peer) && REJECTED.matcher(l).matches())
                .count();
    }

    private static List<String> logLines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.US_ASCII) : List.of();
        } catch (IOException e) {
            return List.of(); // read again on the next poll
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Duration secs(long n) {
        return Duration.ofSeconds(n);
    }
}
