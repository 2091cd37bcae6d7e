package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sws.http.Timeouts;
import sws.net.TrustedProxies;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * Spec section 7.3 under attack: every file in {@code src/test/resources/attacks-proxy/} is what a connection
 * sends first, a PROXY header (or not) and a request, named for what it must get: {@code 200-v2-tcp4.bin}
 * → 200 and the connection kept; {@code 400-twice-v1-then-v1.http} → the header taken and the request after
 * it answered 400; {@code closed-…} → the connection closed with not a byte of response. The server's request
 * timeout is 30 s, so every close must come at once; only the {@code truncated} ones end the client's input,
 * which is what ends them. After each, the server still serves a valid header and request.
 */
class ProxyAttackCorpusTest {
    private static final String OK_BODY = "ok\n";
    private static final String FOLLOW_UP = "GET /ok.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    private static final byte[] VALID_HEADER =
            "PROXY TCP4 192.0.2.99 192.0.2.1 4242 80\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Far under the request timeout: a close that waited for it fails. */
    private static final int CLOSE_BOUND_MILLIS = 3_000;

    private static final List<String> CATEGORIES =
            List.of("v1", "v2", "missing", "truncated", "oversized", "family", "lies", "twice");

    private static final Pattern NAME =
            Pattern.compile("(closed|[1-5]\\d\\d)-(" + String.join("|", CATEGORIES) + ")-[a-z0-9-]+\\.(http|bin)");

    /** Spec section 6 with 7.3's client: {@code %a %t "%r" %>s %b}. */
    private static final Pattern LOG_LINE =
            Pattern.compile("([0-9a-f.:]+) \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \"(.*)\" (\\d{3}) (\\d+)");

    private static TestServer server;

    @BeforeAll
    static void start() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "ok.txt", OK_BODY);
        server = TestServer.start(root, ProxyAttackCorpusTest::settings);
    }

    /** The PROXY protocol with loopback trusted, and a request timeout no refusal may wait for. */
    private static Config.Builder settings(Config.Builder c) {
        var slow = new Timeouts(
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(5));
        return c.proxyProtocol(TrustedProxies.DEFAULT).timeouts(slow);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<String> corpus() throws IOException {
        try (Stream<Path> files = Files.list(corpusDir())) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void corpusCoversEveryCategoryAndEveryNameSaysItsOutcome() throws IOException {
        assertThat(Files.readString(corpusDir().resolve(".gitattributes")))
                .as("git never changes a byte of a header")
                .isEqualTo("* -text\n");
        List<String> names = corpus().toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(80);
        assertThat(names).allSatisfy(n -> assertThat(n).matches(NAME));
        assertThat(names.stream().map(n -> Case.of(n).category()).distinct())
                .containsExactlyInAnyOrderElementsOf(CATEGORIES);
        assertThat(names).anyMatch(n -> n.startsWith("200-")).anyMatch(n -> n.startsWith("closed-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void attackGetsItsOutcomeAndTheServerStillServes(String name) throws IOException {
        replay(server.port(), name);
        try (RawClient next = server.ipv4()) {
            Reply r = next.send(VALID_HEADER).send(FOLLOW_UP).read();
            assertThat(r.status())
                    .as("after %s, a valid header and request", name)
                    .isEqualTo(200);
            assertThat(r.text()).isEqualTo(OK_BODY);
        }
    }

    /**
     * The whole corpus against a server of its own that logs: a line per response, from the client the
     * header named, and one {@code "" 400 0} line per connection closed for its header.
     */
    @Test
    void accessLogHasALinePerResponseAndOnePerRefusedHeader() throws IOException {
        Path accessLog = server.scratch().resolve("access-" + UUID.randomUUID() + ".log");
        int responses = 0;
        int refused = 0;
        try (Server logged = Server.start(
                settings(Config.builder(server.docroot()).port(0).loops(2).accessLog(accessLog))
                        .build())) {
            for (String name : corpus().toList()) {
                responses += replay(logged.port(), name);
                refused += Case.of(name).status() == 0 ? 1 : 0;
            }
        } // a graceful stop writes out every line
        List<String> lines = Files.readAllLines(accessLog, StandardCharsets.US_ASCII);
        assertThat(lines).allSatisfy(l -> assertThat(l).matches(LOG_LINE));
        assertThat(lines).filteredOn(l -> l.endsWith(" \"\" 400 0")).hasSize(refused);
        assertThat(lines).filteredOn(l -> !l.endsWith(" \"\" 400 0")).hasSize(responses);
        assertThat(lines).filteredOn(l -> l.endsWith(" \"\" 400 0")).allSatisfy(l -> assertThat(l)
                .startsWith("127.0.0.1 "));
        assertThat(lines)
                .filteredOn(l -> l.contains("\"GET /ok.txt HTTP/1.1\" 200 "))
                .extracting(l -> l.substring(0, l.indexOf(' ')))
                .as("clients of the accepted headers")
                .containsOnly("192.0.2.7", "2001:db8::7", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "127.0.0.1");
    }

    /** Sends one file of the corpus and checks what comes back; returns how many responses it read. */
    private static int replay(int port, String name) throws IOException {
        byte[] sent = Files.readAllBytes(corpusDir().resolve(name));
        Case c = Case.of(name);
        try (RawClient client = RawClient.connect(InetAddress.getLoopbackAddress(), port)) {
            try {
                client.send(sent);
                if (c.category().equals("truncated")) {
                    client.shutdownOutput();
                }
            } catch (UncheckedIOException e) {
                assertThat(c.status())
                        .as("%s: closed while it was sent (%s)", name, e)
                        .isZero();
                return 0;
            }
            if (c.status() == 0) {
                assertThat(closedUnanswered(client))
                        .as("%s: closed without a response within %d ms", name, CLOSE_BOUND_MILLIS)
                        .isTrue();
                return 0;
            }
            Reply reply = client.read();
            assertThat(reply.status())
                    .as("%s: status of %s", name, reply.statusLine())
                    .isEqualTo(c.status());
            int responses = 1;
            if (reply.status() == 200) {
                assertThat(reply.text()).as(name).isEqualTo(OK_BODY);
                assertThat(keepsAlive(reply))
                        .as("%s: the connection kept", name)
                        .isTrue();
                Reply next = client.send(FOLLOW_UP).read();
                responses++;
                assertThat(next.status())
                        .as("%s: the next request on the kept connection", name)
                        .isEqualTo(200);
                assertThat(next.text()).isEqualTo(OK_BODY);
            }
            assertThat(closedUnanswered(client))
                    .as("%s: connection closed within %d ms", name, CLOSE_BOUND_MILLIS)
                    .isTrue();
            return responses;
        }
    }

    /** Whether the server closes (or resets) within the bound without sending a byte more. */
    private static boolean closedUnanswered(RawClient client) {
        try {
            return client.closedWithin(CLOSE_BOUND_MILLIS);
        } catch (IllegalStateException e) {
            throw new AssertionError("the server answered: " + e.getMessage());
        } catch (UncheckedIOException e) {
            return true; // reset: the server closed with bytes of ours unread
        }
    }

    /** What a file's name says: the status expected (0 for a close without response), and its category. */
    private record Case(int status, String category) {
        static Case of(String name) {
            String[] parts = name.split("-", 3);
            return new Case(parts[0].equals("closed") ? 0 : Integer.parseInt(parts[0]), parts[1]);
        }
    }

    /** Whether the server offered to keep the connection (RFC 9112 section 9.3). */
    private static boolean keepsAlive(Reply reply) {
        String connection = reply.header("Connection");
        return connection == null || !connection.toLowerCase(Locale.ROOT).contains("close");
    }

    /** The source folder itself, not its copy among the test classes, which keeps files since renamed. */
    private static Path corpusDir() {
        return Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "attacks-proxy");
    }
}
