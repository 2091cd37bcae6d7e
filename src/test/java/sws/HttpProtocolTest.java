package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Limits;
import sws.http.Timeouts;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * Spec section 3, HTTP: the protocol as a client sees it over real sockets. The same table runs over TLS in
 * {@link HttpsProtocolTest}: every behaviour here must hold whatever carries the bytes (spec section 7.1).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpProtocolTest {
    /** The RFC 9110 example date; file.txt carries it as its modification time. */
    private static final long FILE_MTIME = 784111777L;

    private static final String FILE_DATE = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String FILE_TEXT = "0123456789";
    private static final byte[] BIG = randomBytes(4 * 1024 * 1024);

    private static final Timeouts FAST =
            new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
    private static final Limits SMALL_BODY = new Limits(8192, 65536, 100, 1024);

    private static final String IMF_FIXDATE =
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4}"
                    + " \\d{2}:\\d{2}:\\d{2} GMT";

    private TestServer server;

    /** Which loopback address a client connects to. */
    enum Family {
        IPV4,
        IPV6;

        RawClient connect(TestServer s) {
            return this == IPV4 ? s.ipv4() : s.ipv6();
        }
    }

    /** What carries the bytes: the settings a server of this table gets besides its own. */
    UnaryOperator<Config.Builder> transport() {
        return c -> c;
    }

    @BeforeAll
    void startServer() {
        server = start(c -> c);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    /** The same small tree for every server these tests start. */
    private static Path docroot() {
        Path root = TestServer.newDocroot();
        TestServer.touch(TestServer.write(root, "file.txt", FILE_TEXT), FILE_MTIME);
        TestServer.touch(TestServer.write(root, "newer.txt", "newer"), FILE_MTIME + 1);
        TestServer.write(root, "hello.html", "<!DOCTYPE html>\n<title>hello</title>\n");
        TestServer.write(root, "A.txt", "A\n");
        TestServer.write(root, "%41.txt", "percent\n");
        TestServer.write(root, "dir/inside.txt", "inside\n");
        TestServer.write(root, "big.bin", BIG);
        return root;
    }

    private TestServer start(UnaryOperator<Config.Builder> adjust) {
        return TestServer.start(docroot(), c -> transport().apply(adjust.apply(c)));
    }

    /** A request head: the request line, the fields, and the blank line. */
    private static String request(String requestLine, String... fields) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\n");
        for (String field : fields) {
            sb.append(field).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String get(String target) {
        return request("GET " + target + " HTTP/1.1", "Host: x");
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    /** Sends one request on a fresh connection, reads the response, and checks that the server then closes. */
    private static Reply sendAndExpectClose(TestServer s, String request) {
        try (RawClient c = s.ipv4()) {
            Reply r = c.send(request).read();
            assertThat(c.closedWithin(5_000))
                    .as("connection closed after %d", r.status())
                    .isTrue();
            return r;
        }
    }

    // ---- versions

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "HTTP/1.0,  200, HTTP/1.0 200 OK",
        "HTTP/1.1,  200, HTTP/1.1 200 OK",
        "HTTP/1.2,  200, HTTP/1.1 200 OK",
        "HTTP/1.9,  200, HTTP/1.1 200 OK",
        "HTTP/2.0,  505, HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP/0.9,  505, HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP/9.9,  505, HTTP/1.1 505 HTTP Version Not Supported",
        "HTTP/1.10, 400, HTTP/1.1 400 Bad Request",
        "http/1.1,  400, HTTP/1.1 400 Bad Request",
        "HTTP/1,    400, HTTP/1.1 400 Bad Request",
        "HTTP/1.1x, 400, HTTP/1.1 400 Bad Request",
    })
    void versionIsAnsweredAsTheSpecSays(String version, int status, String statusLine) {
        Reply r = server.send(request("GET /file.txt " + version, "Host: x"));
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.statusLine()).isEqualTo(statusLine);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void higherMinorVersionIsServedOverEitherFamily(Family family) {
        try (RawClient c = family.connect(server)) {
            Reply r = c.send(request("GET /file.txt HTTP/1.7", "Host: x")).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.text()).isEqualTo(FILE_TEXT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /file.txt", "GET /", "GET"})
    void requestLineWithoutVersionIsBadRequest(String line) {
        Reply r = sendAndExpectClose(server, line + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
    }

    // ---- methods

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "GET,     200",
        "HEAD,    200",
        "POST,    405",
        "PUT,     405",
        "DELETE,  405",
        "OPTIONS, 204",
        "PATCH,   405",
        "TRACE,   405",
        "FOO,     501",
        "get,     501",
        "Get,     501",
        "head,    501",
    })
    void methodOnAStaticFile(String method, int status) {
        try (RawClient c = server.ipv4()) {
            c.send(request(method + " /file.txt HTTP/1.1", "Host: x"));
            Reply r = method.equals("HEAD") ? c.readHead() : c.read();
            assertThat(r.status()).isEqualTo(status);
            if (status == 405) {
                assertThat(r.header("Allow")).isNotNull();
                assertThat(Arrays.stream(r.header("Allow").split(",")).map(String::trim))
                        .contains("GET", "HEAD")
                        .doesNotContain(method);
            }
        }
    }

    // ---- Host

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hostRules(String name, String request, int status) {
        assertThat(server.send(request).status()).isEqualTo(status);
    }

    static Stream<Arguments> hostRules() {
        return Stream.of(
                arguments("1.1 with Host", request("GET /file.txt HTTP/1.1", "Host: x"), 200),
                arguments("1.1 without Host", request("GET /file.txt HTTP/1.1"), 400),
                arguments("1.1 with two Host", request("GET /file.txt HTTP/1.1", "Host: x", "Host: y"), 400),
                arguments("1.1 with two equal Host", request("GET /file.txt HTTP/1.1", "Host: x", "host: x"), 400),
                arguments("1.0 without Host", request("GET /file.txt HTTP/1.0"), 200),
                arguments("1.1 with IPv6 literal Host", request("GET /file.txt HTTP/1.1", "Host: [::1]:8080"), 200));
    }

    // ---- connections

    @ParameterizedTest(name = "{0} Connection: {1} → open {2}")
    @CsvSource({
        "HTTP/1.0, '',         false, ",
        "HTTP/1.0, keep-alive, true,  keep-alive",
        "HTTP/1.0, Keep-Alive, true,  keep-alive",
        "HTTP/1.0, close,      false, ",
        "HTTP/1.1, '',         true,  ",
        "HTTP/1.1, keep-alive, true,  ",
        "HTTP/1.1, close,      false, close",
        "HTTP/1.1, Close,      false, close",
    })
    void connectionPersistence(String version, String connection, boolean staysOpen, String responseConnection) {
        String head = connection.isEmpty()
                ? request("GET /file.txt " + version, "Host: x")
                : request("GET /file.txt " + version, "Host: x", "Connection: " + connection);
        try (RawClient c = server.ipv4()) {
            Reply first = c.send(head).read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.text()).isEqualTo(FILE_TEXT);
            assertThat(first.header("Connection")).isEqualTo(responseConnection);
            if (staysOpen) {
                Reply second = c.send(head).read();
                assertThat(second.status()).isEqualTo(200);
                assertThat(second.text()).isEqualTo(FILE_TEXT);
            } else {
                assertThat(c.closedWithin(5_000)).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void pipelinedRequestsInOneWriteAreAnsweredInOrder(Family family) {
        String all = get("/file.txt")
                + request("HEAD /hello.html HTTP/1.1", "Host: x")
                + get("/missing")
                + get("/A.txt")
                + request("GET /newer.txt HTTP/1.1", "Host: x", "Connection: close");
        try (RawClient c = family.connect(server)) {
            c.send(all);
            Reply file = c.read();
            Reply head = c.readHead();
            Reply missing = c.read();
            Reply a = c.read();
            Reply newer = c.read();
            assertThat(file.text()).isEqualTo(FILE_TEXT);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).startsWith("text/html");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(a.text()).isEqualTo("A\n");
            assertThat(newer.text()).isEqualTo("newer");
            assertThat(c.readToClose()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "GET /file.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /file.txt HTTP/1.0\r\n\r\n",
            })
    void requestPipelinedAfterTheLastIsNotAnswered(String last) {
        try (RawClient c = server.ipv4()) {
            c.send(last + get("/A.txt"));
            assertThat(c.read().text()).isEqualTo(FILE_TEXT);
            assertThat(c.readToClose()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void acceptedHeadForms(String name, String request) {
        Reply r = server.send(request);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(FILE_TEXT);
    }

    static Stream<Arguments> acceptedHeadForms() {
        return Stream.of(
                arguments("CRLF line ends", "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
                arguments("bare LF line ends", "GET /file.txt HTTP/1.1\nHost: x\n\n"),
                arguments("bare LF, HTTP/1.0", "GET /file.txt HTTP/1.0\n\n"),
                arguments("empty line before the request line", "\r\nGET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
                arguments("lower-case field names", "GET /file.txt HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"),
                arguments("no space after colon", "GET /file.txt HTTP/1.1\r\nHost:x\r\n\r\n"),
                arguments("tabs around a value", "GET /file.txt HTTP/1.1\r\nHost:\tx\t\r\n\r\n"),
                arguments("empty field value", "GET /file.txt HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void requestSentOneByteAtATimeIsAnswered(Family family) {
        byte[] bytes = request("GET /file.txt HTTP/1.1", "Host: x", "Connection: close")
                .getBytes(StandardCharsets.US_ASCII);
        try (RawClient c = family.connect(server)) {
            for (byte b : bytes) {
                c.send(new byte[] {b});
            }
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(FILE_TEXT);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"IPV4, HTTP/1.1", "IPV4, HTTP/1.0", "IPV6, HTTP/1.1"})
    void halfClosedClientGetsTheWholeResponse(Family family, String version) {
        try (RawClient c = family.connect(server)) {
            c.send(request("GET /big.bin " + version, "Host: x"));
            c.shutdownOutput();
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(BIG.length));
            assertThat(r.body()).hasSize(BIG.length);
            assertThat(Arrays.mismatch(r.body(), BIG))
                    .as("first differing byte")
                    .isEqualTo(-1);
            assertThat(c.readToClose()).isEmpty();
        }
    }

    @Test
    void halfClosedClientGetsEveryPipelinedResponse() {
        try (RawClient c = server.ipv4()) {
            c.send(get("/file.txt") + get("/A.txt"));
            c.shutdownOutput();
            assertThat(c.read().text()).isEqualTo(FILE_TEXT);
            assertThat(c.read().text()).isEqualTo("A\n");
            assertThat(c.readToClose()).isEmpty();
        }
    }

    // ---- request target

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://example.com/file.txt",
                "HTTP://example.com/file.txt",
                "http://example.com:8080/file.txt",
                "http://example.com/file.txt?x=1",
                "http://example.com/%66ile.txt"
            })
    void absoluteFormTargetIsServed(String target) {
        Reply r = server.send(request("GET " + target + " HTTP/1.1", "Host: example.com"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(FILE_TEXT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pathIsPercentDecodedOnce(String name, String target, int status, String body) {
        Reply r = server.send(get(target));
        assertThat(r.status()).isEqualTo(status);
        if (body != null) {
            assertThat(r.text()).isEqualTo(body);
        }
    }

    static Stream<Arguments> pathIsPercentDecodedOnce() {
        return Stream.of(
                arguments("escape decodes", "/%41.txt", 200, "A\n"),
                arguments("lower-case hex decodes", "/fi%6ce.txt", 200, FILE_TEXT),
                arguments("decoded only once", "/%2541.txt", 200, "percent\n"),
                arguments("query is not part of the path", "/file.txt?%zz", 200, FILE_TEXT),
                arguments("bad escape", "/%zz", 400, null),
                arguments("half escape", "/%4", 400, null),
                arguments("bare percent", "/file.txt%", 400, null),
                arguments("escaped NUL", "/%00", 400, null),
                arguments("escaped NUL inside a name", "/file%00.txt", 400, null),
                arguments("escaped control character", "/%1f", 400, null),
                arguments("escaped DEL", "/%7f", 400, null),
                arguments("escaped line feed", "/%0a", 400, null),
                arguments("raw control byte", "/a\u0001b", 400, null),
                arguments("raw NUL", "/a\u0000b", 400, null),
                arguments("raw DEL", "/a\u007fb", 400, null));
    }

    // ---- the fields every response carries

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void everyResponseCarriesDateAndServer(String name, String request, int status) {
        Reply r = server.send(request);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Date")).matches(IMF_FIXDATE);
        var date = ZonedDateTime.parse(r.header("Date"), DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(Duration.between(date, ZonedDateTime.now()).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(r.header("Server")).matches("sws/\\S+");
        if (r.body().length > 0) {
            assertThat(r.header("Content-Type")).isNotBlank();
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
        }
    }

    static Stream<Arguments> everyResponseCarriesDateAndServer() {
        return Stream.of(
                arguments("200 file", get("/file.txt"), 200),
                arguments("200 file, HTTP/1.0", request("GET /file.txt HTTP/1.0"), 200),
                arguments("200 directory index", get("/"), 200),
                arguments("206", request("GET /file.txt HTTP/1.1", "Host: x", "Range: bytes=0-3"), 206),
                arguments("301", get("/dir"), 301),
                arguments("304", request("GET /file.txt HTTP/1.1", "Host: x", "If-Modified-Since: " + FILE_DATE), 304),
                arguments("400", get("/%zz"), 400),
                arguments("404", get("/missing"), 404),
                arguments("405", request("DELETE /file.txt HTTP/1.1", "Host: x"), 405),
                arguments("416", request("GET /file.txt HTTP/1.1", "Host: x", "Range: bytes=999-"), 416),
                arguments("501", request("FOO /file.txt HTTP/1.1", "Host: x"), 501),
                arguments("505", request("GET /file.txt HTTP/2.0", "Host: x"), 505));
    }

    @Test
    void fileCarriesLastModifiedAndItsType() {
        Reply r = server.send(get("/file.txt"));
        assertThat(r.header("Last-Modified")).isEqualTo(FILE_DATE);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.header("Content-Length")).isEqualTo("10");
        Reply html = server.send(get("/hello.html"));
        assertThat(html.header("Content-Type")).startsWith("text/html");
        assertThat(html.header("Last-Modified")).matches(IMF_FIXDATE);
    }

    // ---- If-Modified-Since

    @ParameterizedTest(name = "{0} since {1} → {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/file.txt  | Sun, 06 Nov 1994 08:49:37 GMT  | 304",
                "/file.txt  | Sunday, 06-Nov-94 08:49:37 GMT | 304",
                "/file.txt  | Sun Nov  6 08:49:37 1994       | 304",
                "/file.txt  | Sat, 01 Jan 2000 00:00:00 GMT  | 304",
                "/file.txt  | Sun, 06 Nov 1994 08:49:36 GMT  | 200",
                "/newer.txt | Sun, 06 Nov 1994 08:49:37 GMT  | 200",
                "/newer.txt | Sunday, 06-Nov-94 08:49:37 GMT | 200",
                "/newer.txt | Sun Nov  6 08:49:37 1994       | 200",
                "/file.txt  | yesterday                      | 200",
                "/file.txt  | Sun, 06 Nov 1994 08:49:37 PST  | 200",
                "/file.txt  | Sun, 06 Foo 1994 08:49:37 GMT  | 200",
                "/file.txt  | 784111777                      | 200",
            })
    void ifModifiedSince(String target, String since, int status) {
        String conditional = request("GET " + target + " HTTP/1.1", "Host: x", "If-Modified-Since: " + since);
        try (RawClient c = server.ipv4()) {
            // A request after the conditional one proves that a 304 sent no body bytes.
            c.send(conditional + get("/A.txt"));
            Reply r = c.read();
            Reply next = c.read();
            assertThat(r.status()).isEqualTo(status);
            if (status == 200) {
                assertThat(r.text()).isNotEmpty();
            }
            assertThat(next.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(next.text()).isEqualTo("A\n");
        }
    }

    // ---- HEAD

    @ParameterizedTest(name = "HEAD {0}")
    @MethodSource
    void headGetsTheHeadersOfGetAndNoBody(String target, List<String> extraFields) {
        String[] fields =
                Stream.concat(Stream.of("Host: x"), extraFields.stream()).toArray(String[]::new);
        try (RawClient c = server.ipv4()) {
            c.send(request("GET " + target + " HTTP/1.1", fields)
                    + request("HEAD " + target + " HTTP/1.1", fields)
                    + get("/A.txt"));
            Reply got = c.read();
            Reply head = c.readHead();
            Reply next = c.read();
            assertThat(head.statusLine()).isEqualTo(got.statusLine());
            assertThat(withoutDate(head.rawHeaders()))
                    .containsExactlyInAnyOrderElementsOf(withoutDate(got.rawHeaders()));
            assertThat(head.rawHeaders()).anyMatch(h -> h.startsWith("Date: "));
            assertThat(next.statusLine()).as("the response after HEAD").isEqualTo("HTTP/1.1 200 OK");
            assertThat(next.text()).isEqualTo("A\n");
        }
    }

    static Stream<Arguments> headGetsTheHeadersOfGetAndNoBody() {
        return Stream.of(
                arguments("/file.txt", List.of()),
                arguments("/hello.html", List.of()),
                arguments("/big.bin", List.of()),
                arguments("/", List.of()),
                arguments("/dir", List.of()),
                arguments("/missing", List.of()),
                arguments("/file.txt", List.of("Range: bytes=2-5")),
                arguments("/file.txt", List.of("Range: bytes=999-")),
                arguments("/file.txt", List.of("If-Modified-Since: " + FILE_DATE)));
    }

    @Test
    void headOverHttp10ClosesWithoutBody() {
        try (RawClient c = server.ipv6()) {
            Reply r = c.send(request("HEAD /file.txt HTTP/1.0")).readHead();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.0 200 OK");
            assertThat(r.header("Content-Length")).isEqualTo("10");
            assertThat(c.readToClose()).as("bytes after the head").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource
    void headGetsNoBodyEvenWhenTheRequestIsRefused(String name, String request, int status) {
        try (RawClient c = server.ipv4()) {
            Reply r = c.send(request).readHead();
            assertThat(r.status()).isEqualTo(status);
            assertThat(new String(c.readToClose(), StandardCharsets.ISO_8859_1))
                    .as("bytes after the head")
                    .isEmpty();
        }
    }

    static Stream<Arguments> headGetsNoBodyEvenWhenTheRequestIsRefused() {
        return Stream.of(
                arguments("bad escape", request("HEAD /%zz HTTP/1.1", "Host: x"), 400),
                arguments("missing Host", request("HEAD /file.txt HTTP/1.1"), 400),
                arguments(
                        "differing Content-Length",
                        request("HEAD /file.txt HTTP/1.1", "Host: x", "Content-Length: 1", "Content-Length: 2"),
                        400),
                arguments("unsupported version", request("HEAD /file.txt HTTP/2.0", "Host: x"), 505),
                arguments(
                        "header section too large",
                        request("HEAD /file.txt HTTP/1.1", "Host: x", "X-Big: " + "b".repeat(70_000)),
                        431));
    }

    private static List<String> withoutDate(List<String> raw) {
        return raw.stream()
                .filter(h -> !h.toLowerCase(Locale.ROOT).startsWith("date:"))
                .toList();
    }

    // ---- error pages

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource
    void errorHasShortHtmlBodyNamingTheStatus(String request, int status, String reason) {
        Reply r = server.send(request);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.statusLine()).endsWith(" " + status + " " + reason);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body().length).isBetween(1, 1024);
        assertThat(r.text()).contains(String.valueOf(status)).contains(reason);
    }

    /** Issue 8: the page names the status, says in one sentence what happened, and ends with the server. */
    @Test
    void errorPageSaysWhatHappenedAndNamesTheServer() {
        Reply r = server.send(get("/missing"));
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.text())
                .contains("<title>404 Not Found</title>")
                .contains("<h1>404 Not Found</h1>")
                .contains("<p>Nothing is at this address.</p>")
                .containsPattern("<footer>sws/[^<]+</footer>")
                .contains("prefers-color-scheme:dark");
    }

    static Stream<Arguments> errorHasShortHtmlBodyNamingTheStatus() {
        return Stream.of(
                arguments(get("/%zz"), 400, "Bad Request"),
                arguments(get("/missing"), 404, "Not Found"),
                arguments(request("POST /file.txt HTTP/1.1", "Host: x"), 405, "Method Not Allowed"),
                arguments(
                        request("GET /file.txt HTTP/1.1", "Host: x", "Range: bytes=999-"),
                        416,
                        "Range Not Satisfiable"),
                arguments(get("/" + "a".repeat(9000)), 414, "URI Too Long"),
                arguments(
                        request("GET / HTTP/1.1", "Host: x", "X-Big: " + "b".repeat(70_000)),
                        431,
                        "Request Header Fields Too Large"),
                arguments(request("FOO / HTTP/1.1", "Host: x"), 501, "Not Implemented"),
                arguments(request("GET / HTTP/3.0", "Host: x"), 505, "HTTP Version Not Supported"));
    }

    // ---- limits

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void limitsOfTheHead(String name, String request, int status) {
        Reply r = server.send(request);
        assertThat(r.status()).isEqualTo(status);
    }

    static Stream<Arguments> limitsOfTheHead() {
        String line8k = "GET /file.txt?" + "q".repeat(8192 - "GET /file.txt? HTTP/1.1".length()) + " HTTP/1.1";
        String line8kPlus1 = "GET /file.txt?" + "q".repeat(8193 - "GET /file.txt? HTTP/1.1".length()) + " HTTP/1.1";
        return Stream.of(
                arguments("request line of exactly 8 KiB", request(line8k, "Host: x"), 200),
                arguments("request line of 8 KiB + 1", request(line8kPlus1, "Host: x"), 414),
                arguments("request line of 64 KiB", get("/" + "a".repeat(65_536)), 414),
                arguments("header section under 64 KiB", request("GET /file.txt HTTP/1.1", fields(10, 6000)), 200),
                arguments("header section over 64 KiB", request("GET /file.txt HTTP/1.1", fields(12, 6000)), 431),
                arguments("one field over 64 KiB", request("GET /file.txt HTTP/1.1", fields(2, 70_000)), 431),
                arguments("100 header fields", request("GET /file.txt HTTP/1.1", fields(100, 1)), 200),
                arguments("101 header fields", request("GET /file.txt HTTP/1.1", fields(101, 1)), 431));
    }

    /** A Host field and count - 1 others, each value valueLength bytes. */
    private static String[] fields(int count, int valueLength) {
        String[] fields = new String[count];
        fields[0] = "Host: x";
        for (int i = 1; i < count; i++) {
            fields[i] = "X-Field-" + i + ": " + "v".repeat(valueLength);
        }
        return fields;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void overLongHeadIsRefusedWithoutWaitingForItsEnd(String name, String partial, int status) {
        try (RawClient c = server.ipv4()) {
            Reply r = c.send(partial).read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(c.closedWithin(5_000)).isTrue();
        }
    }

    static Stream<Arguments> overLongHeadIsRefusedWithoutWaitingForItsEnd() {
        return Stream.of(
                arguments("request line", "GET /" + "a".repeat(20_000), 414),
                arguments("header line", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70_000), 431));
    }

    // ---- timeouts

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void incompleteRequestTimesOutWith408AndClose(String name, String partial) {
        try (TestServer fast = start(c -> c.timeouts(FAST));
                RawClient c = fast.ipv4()) {
            long started = System.nanoTime();
            Reply r = c.send(partial).read();
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.status()).isEqualTo(408);
            assertThat(elapsedMillis).isBetween(900L, 5_000L);
            assertThat(c.closedWithin(5_000)).isTrue();
        }
    }

    static Stream<Arguments> incompleteRequestTimesOutWith408AndClose() {
        return Stream.of(
                arguments("half a request line", "GET /file"),
                arguments("head without its blank line", "GET /file.txt HTTP/1.1\r\nHost: x\r\n"),
                arguments(
                        "body shorter than Content-Length",
                        request("GET /file.txt HTTP/1.1", "Host: x", "Content-Length: 10") + "abc"),
                arguments(
                        "chunked body without its last chunk",
                        request("GET /file.txt HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\r\nabc\r\n"));
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        try (TestServer fast = start(c -> c.timeouts(FAST));
                RawClient c = fast.ipv4()) {
            assertThat(c.send(get("/file.txt")).read().status()).isEqualTo(200);
            assertThat(c.closedWithin(300)).as("closed at once").isFalse();
            long started = System.nanoTime();
            // closedWithin fails on any byte from the server, so this also proves no 408 was sent.
            assertThat(c.closedWithin(5_000)).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5_000L);
        }
    }

    @Test
    void keptAliveConnectionServesAgainBeforeTheIdleTimeout() {
        try (TestServer fast = start(c -> c.timeouts(FAST));
                RawClient c = fast.ipv6()) {
            assertThat(c.send(get("/file.txt")).read().status()).isEqualTo(200);
            assertThat(c.closedWithin(300)).isFalse();
            assertThat(c.send(get("/A.txt")).read().text()).isEqualTo("A\n");
        }
    }

    // ---- framing

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void ambiguousFramingIsBadRequestAndCloses(String name, String request) {
        Reply r = sendAndExpectClose(server, request);
        assertThat(r.status()).isEqualTo(400);
    }

    static Stream<Arguments> ambiguousFramingIsBadRequestAndCloses() {
        String line = "GET /file.txt HTTP/1.1";
        return Stream.of(
                arguments(
                        "Transfer-Encoding with Content-Length",
                        request(line, "Host: x", "Transfer-Encoding: chunked", "Content-Length: 5") + "0\r\n\r\n"),
                arguments(
                        "Content-Length with Transfer-Encoding",
                        request(line, "Host: x", "Content-Length: 5", "Transfer-Encoding: chunked") + "0\r\n\r\n"),
                arguments(
                        "two differing Content-Length",
                        request(line, "Host: x", "Content-Length: 5", "Content-Length: 6") + "hello!"),
                arguments("differing Content-Length list", request(line, "Host: x", "Content-Length: 5, 6") + "hello!"),
                arguments("Content-Length abc", request(line, "Host: x", "Content-Length: abc")),
                arguments("negative Content-Length", request(line, "Host: x", "Content-Length: -1")),
                arguments("signed Content-Length", request(line, "Host: x", "Content-Length: +5") + "hello"),
                arguments("empty Content-Length", request(line, "Host: x", "Content-Length: ")),
                arguments("whitespace before colon", request(line, "Host: x", "X-Test : 1")),
                arguments("tab before colon", request(line, "Host: x", "X-Test\t: 1")),
                arguments("whitespace before Host colon", request(line, "Host : x")),
                arguments("obs-fold continuation line", request(line, "Host: x", "X-Test: a", " continued")),
                arguments("obs-fold with tab", request(line, "Host: x", "X-Test: a", "\tcontinued")),
                arguments("Transfer-Encoding xchunked", request(line, "Host: x", "Transfer-Encoding: xchunked")),
                arguments(
                        "chunked not the final coding",
                        request(line, "Host: x", "Transfer-Encoding: chunked, gzip") + "0\r\n\r\n"),
                arguments(
                        "Transfer-Encoding in HTTP/1.0",
                        request("GET /file.txt HTTP/1.0", "Transfer-Encoding: chunked") + "0\r\n\r\n"),
                arguments(
                        "bad chunk size",
                        request(line, "Host: x", "Transfer-Encoding: chunked") + "zz\r\nhello\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void bodyOfAGetIsDiscardedAndThePipelinedRequestAnswered(String name, String first) {
        try (RawClient c = server.ipv4()) {
            c.send(first + get("/A.txt"));
            Reply r1 = c.read();
            Reply r2 = c.read();
            assertThat(r1.status()).isEqualTo(200);
            assertThat(r1.text()).isEqualTo(FILE_TEXT);
            assertThat(r2.status()).isEqualTo(200);
            assertThat(r2.text()).isEqualTo("A\n");
        }
    }

    static Stream<Arguments> bodyOfAGetIsDiscardedAndThePipelinedRequestAnswered() {
        String line = "GET /file.txt HTTP/1.1";
        return Stream.of(
                arguments("Content-Length body", request(line, "Host: x", "Content-Length: 5") + "hello"),
                arguments(
                        "body that looks like a request",
                        request(line, "Host: x", "Content-Length: 26") + "GET /missing HTTP/1.1\r\n\r\n\r\n"),
                arguments(
                        "two equal Content-Length",
                        request(line, "Host: x", "Content-Length: 5", "Content-Length: 5") + "hello"),
                arguments("Content-Length: 0", request(line, "Host: x", "Content-Length: 0")),
                arguments(
                        "chunked body",
                        request(line, "Host: x", "Transfer-Encoding: chunked")
                                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
                arguments(
                        "chunked body with extension and trailer",
                        request(line, "Host: x", "Transfer-Encoding: Chunked")
                                + "5;name=value\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource
    void bodyOverTheLimitIsRefused(String name, String request, int status) {
        try (TestServer small = start(c -> c.limits(SMALL_BODY));
                RawClient c = small.ipv4()) {
            Reply r = c.send(request).read();
            assertThat(r.status()).isEqualTo(status);
            if (status == 413) {
                assertThat(c.closedWithin(5_000)).isTrue();
            } else {
                assertThat(r.text()).isEqualTo(FILE_TEXT);
            }
        }
    }

    static Stream<Arguments> bodyOverTheLimitIsRefused() {
        String line = "GET /file.txt HTTP/1.1";
        return Stream.of(
                arguments(
                        "Content-Length at the limit",
                        request(line, "Host: x", "Content-Length: 1024") + "b".repeat(1024),
                        200),
                arguments("Content-Length over the limit", request(line, "Host: x", "Content-Length: 1025"), 413),
                arguments("huge Content-Length", request(line, "Host: x", "Content-Length: 999999999999"), 413),
                arguments(
                        "chunked at the limit",
                        request(line, "Host: x", "Transfer-Encoding: chunked") + "200\r\n" + "b".repeat(512)
                                + "\r\n200\r\n" + "b".repeat(512) + "\r\n0\r\n\r\n",
                        200),
                arguments(
                        "chunked over the limit",
                        request(line, "Host: x", "Transfer-Encoding: chunked") + "200\r\n" + "b".repeat(512)
                                + "\r\n201\r\n",
                        413));
    }

    // ---- ranges

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bytes=0-3    | 206 | bytes 0-3/10 | 0123",
                "bytes=-2     | 206 | bytes 8-9/10 | 89",
                "bytes=5-     | 206 | bytes 5-9/10 | 56789",
                "bytes=9-9    | 206 | bytes 9-9/10 | 9",
                "bytes=5-999  | 206 | bytes 5-9/10 | 56789",
                "bytes=-20    | 206 | bytes 0-9/10 | 0123456789",
                "bytes=999-   | 416 | bytes */10   |",
                "bytes=10-    | 416 | bytes */10   |",
            })
    void rangeRequest(String range, int status, String contentRange, String body) {
        Reply r = server.send(request("GET /file.txt HTTP/1.1", "Host: x", "Range: " + range));
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Content-Range")).isEqualTo(contentRange);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
        if (status == 206) {
            assertThat(r.text()).isEqualTo(body);
        }
    }

    @Test
    void rangeOverIpv6() {
        try (RawClient c = server.ipv6()) {
            Reply r = c.send(request("GET /big.bin HTTP/1.1", "Host: [::1]", "Range: bytes=1000-1999"))
                    .read();
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.header("Content-Range")).isEqualTo("bytes 1000-1999/" + BIG.length);
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(BIG, 1000, 2000));
        }
    }
}
