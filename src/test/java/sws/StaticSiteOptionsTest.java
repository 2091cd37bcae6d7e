package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * Spec section 8, the options for static sites, over real sockets: --cache-control, --header, --cors with its
 * preflight, and --fallback; and the values Server.start refuses before anything listens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticSiteOptionsTest {
    private static final String CACHE_CONTROL = "max-age=60";
    private static final String ORIGIN = "https://app.example";
    private static final String SHELL = "<!DOCTYPE html>\n<title>app</title>\n";

    /** --cache-control and two --header fields, CGI on, no CORS. */
    private TestServer fields;
    /** --cors (any origin), CGI on. */
    private TestServer anyOrigin;
    /** --cors ORIGIN, CGI off. */
    private TestServer oneOrigin;
    /** --fallback index.html, CGI on, /~user/ from a pattern. */
    private TestServer spa;

    @BeforeAll
    void startServers() {
        fields = start(
                site(),
                c -> c.cacheControl(CACHE_CONTROL).header("X-First: one").header("X-Second:   two  "));
        anyOrigin = start(site(), c -> c.cors("*"));
        oneOrigin = TestServer.start(site(), c -> c.cors(ORIGIN));
        Path root = TestServer.newDocroot();
        TestServer.write(root, "index.html", SHELL);
        TestServer.write(root, "app.js", "console.log('app');\n");
        TestServer.write(root, "about.txt", "about\n");
        TestServer.write(root.getParent(), "users/alice/www/file.txt", "alice\n");
        Path users = root.getParent().resolve("users");
        spa = start(root, c -> c.fallback("index.html").userdir(users + "/*/www"));
    }

    @AfterAll
    void stopServers() {
        for (TestServer s : List.of(fields, anyOrigin, oneOrigin, spa)) {
            s.close();
        }
    }

    /** A docroot with a file, a directory with an index, one without, and a link that leads out (403). */
    private static Path site() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "file.txt", "0123456789");
        TestServer.write(root, "dir/index.html", "<p>dir</p>\n");
        TestServer.write(root, "list/a.txt", "a\n");
        Path outside = TestServer.write(root.getParent(), "outside.txt", "outside\n");
        try {
            Files.createSymbolicLink(root.resolve("out.txt"), outside);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** A server with CGI on: /cgi-bin/hello.sh answers 200, /cgi-bin/gone.sh a 404 of its own. */
    private static TestServer start(Path root, UnaryOperator<Config.Builder> adjust) {
        Path cgi = CgiTest.cgiDir(root);
        CgiTest.script(cgi, "hello.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n");
        CgiTest.script(
                cgi, "gone.sh", "printf 'Status: 404 Not Found\\r\\nContent-Type: text/plain\\r\\n\\r\\ngone\\n'\n");
        return TestServer.start(root, c -> adjust.apply(c.cgi(cgi, Duration.ofSeconds(20))));
    }

    /** A request head: the request line, Host, the fields, and the blank line. */
    private static String request(String method, String target, String... fields) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\n");
        for (String field : fields) {
            sb.append(field).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static Reply get(TestServer s, String target, String... fields) {
        return s.send(request("GET", target, fields));
    }

    private static Reply head(TestServer s, String target, String... fields) {
        try (RawClient c = s.ipv4()) {
            return c.send(request("HEAD", target, fields)).readHead();
        }
    }

    private static Reply preflight(TestServer s, String target, String... fields) {
        try (RawClient c = s.ipv4()) {
            return c.send(request("OPTIONS", target, fields)).readHead();
        }
    }

    /** The values of every field of this name, in the order sent. */
    private static List<String> values(Reply r, String name) {
        return r.rawHeaders().stream()
                .filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).strip())
                .toList();
    }

    /** Requests whose answers are not errors, with the status each gets; the 304 reuses file.txt's ETag. */
    private static Stream<Arguments> successes() {
        return Stream.of(
                arguments("200 file", request("GET", "/file.txt"), 200),
                arguments("200 HEAD", request("HEAD", "/file.txt"), 200),
                arguments("206 range", request("GET", "/file.txt", "Range: bytes=0-3"), 206),
                arguments("304 If-None-Match", request("GET", "/file.txt", "If-None-Match: *"), 304),
                arguments("301 directory", request("GET", "/dir"), 301),
                arguments("200 index.html", request("GET", "/dir/"), 200),
                arguments("200 listing", request("GET", "/list/"), 200),
                arguments("200 CGI", request("GET", "/cgi-bin/hello.sh"), 200));
    }

    /** Requests whose answers are errors, with the status each gets. */
    private static Stream<Arguments> errors() {
        return Stream.of(
                arguments("404 missing", request("GET", "/missing.txt"), 404),
                arguments("403 link out", request("GET", "/out.txt"), 403),
                arguments("405 DELETE", request("DELETE", "/file.txt"), 405),
                arguments("412 If-Match", request("GET", "/file.txt", "If-Match: \"nope\""), 412),
                arguments("416 range", request("GET", "/file.txt", "Range: bytes=100-"), 416),
                arguments("404 CGI's own", request("GET", "/cgi-bin/gone.sh"), 404),
                arguments("400 no Host", "GET /file.txt HTTP/1.1\r\n\r\n", 400),
                arguments("414 long target", request("GET", "/" + "a".repeat(10_000)), 414));
    }

    private static Reply exchange(TestServer s, String request) {
        try (RawClient c = s.ipv4()) {
            c.send(request);
            return request.startsWith("HEAD") ? c.readHead() : c.read();
        }
    }

    // ---- --cache-control

    @Test
    void cacheControlIsOnEveryFileResponse() {
        Reply ok = get(fields, "/file.txt");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("Cache-Control")).isEqualTo(CACHE_CONTROL);
        Reply partial = get(fields, "/file.txt", "Range: bytes=2-5");
        assertThat(partial.status()).isEqualTo(206);
        assertThat(partial.header("Cache-Control")).isEqualTo(CACHE_CONTROL);
        Reply notModified = get(fields, "/file.txt", "If-None-Match: " + ok.header("ETag"));
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("Cache-Control")).isEqualTo(CACHE_CONTROL);
        Reply head = head(fields, "/file.txt");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Cache-Control")).isEqualTo(CACHE_CONTROL);
    }

    @Test
    void cacheControlIsOnListingsAndIndexFiles() {
        Reply listing = get(fields, "/list/");
        assertThat(listing.status()).isEqualTo(200);
        assertThat(listing.text()).contains("a.txt");
        assertThat(values(listing, "Cache-Control")).containsExactly(CACHE_CONTROL);
        assertThat(values(get(fields, "/dir/"), "Cache-Control")).containsExactly(CACHE_CONTROL);
    }

    @Test
    void cacheControlIsNotOnErrorsNorOnCgiOutput() {
        Reply missing = get(fields, "/missing.txt");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Cache-Control")).isNull();
        Reply cgi = get(fields, "/cgi-bin/hello.sh");
        assertThat(cgi.status()).isEqualTo(200);
        assertThat(cgi.text()).isEqualTo("hello\n");
        assertThat(cgi.header("Cache-Control")).isNull();
    }

    // ---- --header

    @ParameterizedTest(name = "{0}")
    @MethodSource("successes")
    void addedFieldsAreOnEveryResponseThatIsNotAnError(String name, String request, int status) {
        Reply r = exchange(fields, request);
        assertThat(r.status()).isEqualTo(status);
        assertThat(values(r, "X-First")).containsExactly("one");
        assertThat(values(r, "X-Second")).containsExactly("two");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void addedFieldsAreNotOnErrors(String name, String request, int status) {
        Reply r = exchange(fields, request);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("X-First")).isNull();
        assertThat(r.header("X-Second")).isNull();
    }

    @Test
    void addedFieldsKeepTheOrderGivenWithTheirValuesStripped() {
        List<String> raw = get(fields, "/file.txt").rawHeaders();
        assertThat(raw).containsSubsequence("X-First: one", "X-Second: two");
    }

    @Test
    void withoutCorsNoResponseCarriesItsFieldsAndAPreflightIsNotAnswered() {
        Reply r = preflight(fields, "/file.txt", "Origin: " + ORIGIN, "Access-Control-Request-Method: GET");
        // Without --cors a preflight is a plain OPTIONS (issue 14): what the path allows, and no CORS at all.
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
        assertThat(r.rawHeaders()).noneMatch(l -> l.regionMatches(true, 0, "Access-Control-", 0, 15));
        assertThat(get(fields, "/file.txt").header("Access-Control-Allow-Origin"))
                .isNull();
    }

    // ---- --cors

    @ParameterizedTest(name = "{0}")
    @MethodSource({"successes", "errors"})
    void anyOriginIsAllowedOnEveryResponseErrorsIncludedWithoutVaryOrigin(String name, String request, int status) {
        Reply r = exchange(anyOrigin, request);
        assertThat(r.status()).isEqualTo(status);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(values(r, "Vary")).noneMatch(v -> v.toLowerCase().contains("origin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/file.txt", "/missing.txt", "/list/", "/dir"})
    void oneOriginIsAllowedWithVaryOrigin(String target) {
        Reply r = get(oneOrigin, target, "Origin: https://other.example");
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly(ORIGIN);
        assertThat(values(r, "Vary")).contains("Origin");
    }

    @Test
    void preflightOfAStaticPathIsAnsweredWithItsMethods() {
        Reply r = preflight(
                anyOrigin,
                "/file.txt",
                "Origin: " + ORIGIN,
                "Access-Control-Request-Method: GET",
                "Access-Control-Request-Headers: X-Requested-With, Authorization");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD");
        assertThat(r.header("Access-Control-Max-Age")).isEqualTo("86400");
        assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("X-Requested-With, Authorization");
        assertThat(r.header("Content-Length")).isIn(null, "0");
    }

    @Test
    void preflightUnderCgiBinAllowsPostWhenCgiIsOn() {
        Reply r = preflight(anyOrigin, "/cgi-bin/hello.sh", "Origin: " + ORIGIN, "Access-Control-Request-Method: POST");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD, POST");
        assertThat(r.header("Access-Control-Max-Age")).isEqualTo("86400");
        assertThat(r.header("Access-Control-Allow-Headers")).isNull();
    }

    @Test
    void preflightUnderCgiBinAllowsNoPostWhenCgiIsOff() {
        Reply r = preflight(oneOrigin, "/cgi-bin/hello.sh", "Origin: " + ORIGIN, "Access-Control-Request-Method: POST");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ORIGIN);
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD");
    }

    @Test
    void preflightKeepsTheConnectionForTheRealRequest() {
        try (RawClient c = anyOrigin.ipv4()) {
            Reply first = c.send(request("OPTIONS", "/file.txt", "Access-Control-Request-Method: GET"))
                    .readHead();
            assertThat(first.status()).isEqualTo(204);
            Reply second = c.send(request("GET", "/file.txt")).read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).isEqualTo("0123456789");
        }
    }

    @Test
    void optionsWithoutAccessControlRequestMethodIsNoPreflight() {
        Reply r = preflight(anyOrigin, "/file.txt", "Origin: " + ORIGIN);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
        assertThat(r.header("Access-Control-Allow-Methods")).isNull();
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    // ---- --fallback

    @ParameterizedTest
    @ValueSource(strings = {"/app/route", "/deep/a/b", "/app/route/", "/login"})
    void missingExtensionlessPathsGetTheFallbackFile(String target) {
        Reply index = get(spa, "/index.html");
        Reply r = get(spa, target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(SHELL);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.header("ETag")).isNotNull().isEqualTo(index.header("ETag"));
        assertThat(r.header("Last-Modified")).isEqualTo(index.header("Last-Modified"));
    }

    @Test
    void conditionalsApplyToTheFallbackFile() {
        String etag = get(spa, "/index.html").header("ETag");
        Reply r = get(spa, "/app/route", "If-None-Match: " + etag);
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.header("ETag")).isEqualTo(etag);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void headOfAMissingRouteGetsTheFallbacksHead() {
        Reply r = head(spa, "/app/route");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(SHELL.length()));
        assertThat(r.header("Content-Type")).startsWith("text/html");
        try (RawClient c = spa.ipv4()) {
            c.send(request("HEAD", "/app/route")).readHead();
            assertThat(c.send(request("GET", "/about.txt")).read().text())
                    .as("no body after the HEAD's head")
                    .isEqualTo("about\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/missing.js", "/deep/a/b.css", "/app/route.json"})
    void missingPathsWithAnExtensionStay404(String target) {
        Reply r = get(spa, target);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).isNotEqualTo(SHELL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/cgi-bin/x", "/cgi-bin/missing/route", "/~alice/x", "/~nobody/x"})
    void cgiAndUserPathsNeverGetTheFallback(String target) {
        Reply r = get(spa, target);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).isNotEqualTo(SHELL);
    }

    @Test
    void existingFilesAreServedAsThemselves() {
        assertThat(get(spa, "/app.js").text()).isEqualTo("console.log('app');\n");
        assertThat(get(spa, "/about.txt").text()).isEqualTo("about\n");
        assertThat(get(spa, "/~alice/file.txt").text()).isEqualTo("alice\n");
        assertThat(get(spa, "/cgi-bin/hello.sh").text()).isEqualTo("hello\n");
    }

    @Test
    void onlyGetAndHeadGetTheFallback() {
        Reply r = spa.send(request("POST", "/app/route", "Content-Length: 0"));
        assertThat(r.status()).isEqualTo(405);
    }

    @Test
    void fallbackMayBeGivenWithALeadingSlashAndNameASubfolderFile() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "shell/app page.html", SHELL);
        try (TestServer s = TestServer.start(root, c -> c.fallback("/shell/app page.html"))) {
            Reply r = get(s, "/some/route");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(SHELL);
        }
    }

    // ---- values refused at start

    /** Each setting Server.start must refuse, with the docroot it is tried on. */
    private static Stream<Arguments> refusedSettings() {
        UnaryOperator<Config.Builder> noColon = c -> c.header("X-Frame-Options DENY");
        Stream<Arguments> headers = Stream.of(
                arguments("header without a colon", noColon),
                arguments("header name with a space", header("X Frame: DENY")),
                arguments("header name empty", header(": DENY")),
                arguments("header name with a slash", header("X/Frame: DENY")),
                arguments("header value with SOH", header("X-A: a\u0001b")),
                arguments("header value with CR LF", header("X-A: a\r\nX-Injected: 1")),
                arguments("header value with DEL", header("X-A: a\u007fb")));
        Stream<Arguments> owned = Stream.of(
                        "Date",
                        "Server",
                        "Content-Type",
                        "Content-Length",
                        "content-encoding",
                        "Content-Range",
                        "ETag",
                        "Last-Modified",
                        "Connection",
                        "Transfer-Encoding",
                        "SERVER")
                .map(name -> arguments("header " + name, header(name + ": x")));
        Stream<Arguments> others = Stream.of(
                arguments("cors ftp://x", cors("ftp://x")),
                arguments("cors with a path", cors("https://a.example/path")),
                arguments("cors with a query", cors("https://a.example?q")),
                arguments("cors without a scheme", cors("a.example")),
                arguments("cors without a host", cors("https://")),
                arguments("cors empty", cors("")),
                arguments("cache-control with SOH", cache("max-age=1\u0001")),
                arguments("cache-control with CR LF", cache("max-age=1\r\nX-Injected: 1")),
                arguments("cache-control empty", cache("")),
                arguments("cache-control blank", cache("  ")),
                arguments("fallback missing", fallback("missing.html")),
                arguments("fallback a directory", fallback("sub")),
                arguments("fallback outside by ..", fallback("../outside.html")),
                arguments("fallback a hidden file", fallback(".hidden.html")),
                arguments("fallback in a hidden folder", fallback(".private/app.html")),
                arguments("fallback a link out", fallback("out.html")),
                arguments("fallback the docroot", fallback("/")),
                arguments("fallback empty", fallback("")));
        return Stream.of(headers, owned, others).flatMap(s -> s);
    }

    private static UnaryOperator<Config.Builder> header(String field) {
        return c -> c.header("X-Fine: yes").header(field);
    }

    private static UnaryOperator<Config.Builder> cors(String origin) {
        return c -> c.cors(origin);
    }

    private static UnaryOperator<Config.Builder> cache(String value) {
        return c -> c.cacheControl(value);
    }

    private static UnaryOperator<Config.Builder> fallback(String path) {
        return c -> c.fallback(path);
    }

    /** A docroot beside outside.html, holding a folder, hidden files and a link that leads out. */
    private static Path refusalDocroot() throws IOException {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "index.html", SHELL);
        TestServer.write(root, "sub/index.html", SHELL);
        TestServer.write(root, ".hidden.html", SHELL);
        TestServer.write(root, ".private/app.html", SHELL);
        Path outside = TestServer.write(root.getParent(), "outside.html", SHELL);
        Files.createSymbolicLink(root.resolve("out.html"), outside);
        return root;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSettings")
    void badSettingsAreRefusedAtStart(String name, UnaryOperator<Config.Builder> setting) throws IOException {
        Path root = refusalDocroot();
        try {
            Config config = setting.apply(Config.builder(root).port(0).loops(1)).build();
            assertThatThrownBy(() -> Server.start(config).close())
                    .isInstanceOfSatisfying(
                            StartException.class, e -> assertThat(e.kind()).isEqualTo(StartException.Kind.SETTING))
                    .message()
                    .isNotBlank();
        } finally {
            TestServer.deleteTree(root.getParent());
        }
    }

    @Test
    void fallbackRefusalNamesTheOptionOnce() throws IOException {
        Path root = refusalDocroot();
        try {
            Config config = Config.builder(root)
                    .port(0)
                    .loops(1)
                    .fallback("missing.html")
                    .build();
            assertThatThrownBy(() -> Server.start(config).close())
                    .isInstanceOf(StartException.class)
                    .hasMessage("--fallback missing.html: not a file in the docroot");
        } finally {
            TestServer.deleteTree(root.getParent());
        }
    }

    /**
     * The start-time check looks at the names given, the server at the real path: a link inside the docroot to
     * a hidden file passes the one and is never served by the other.
     */
    @Test
    void fallbackThatIsALinkToAHiddenFileIsRefusedAtStart() throws IOException {
        Path root = refusalDocroot();
        try {
            Files.createSymbolicLink(root.resolve("shell.html"), root.resolve(".private/app.html"));
            Config config =
                    Config.builder(root).port(0).loops(1).fallback("shell.html").build();
            assertThatThrownBy(() -> Server.start(config).close())
                    .isInstanceOfSatisfying(
                            StartException.class, e -> assertThat(e.kind()).isEqualTo(StartException.Kind.SETTING));
        } finally {
            TestServer.deleteTree(root.getParent());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedSettings")
    void goodSettingsStart(String name, UnaryOperator<Config.Builder> setting) throws IOException {
        Path root = refusalDocroot();
        try (TestServer s = TestServer.start(root, setting)) {
            assertThat(get(s, "/index.html").status()).isEqualTo(200);
        }
    }

    private static Stream<Arguments> acceptedSettings() {
        return Stream.of(
                arguments("header value with a tab", header("X-A: a\tb")),
                arguments("header with an empty value", header("X-Empty:")),
                arguments("header Vary", header("Vary: Cookie")),
                arguments("cors null", cors("null")),
                arguments("cors with a port", cors("http://localhost:8080")),
                arguments("cors IPv6 literal", cors("https://[::1]:8443")),
                arguments("cache-control with spaces", cache("public, max-age=3600")),
                arguments("fallback with a leading slash", fallback("/index.html")),
                arguments("fallback in a folder", fallback("sub/index.html")),
                arguments("fallback by a way through ..", fallback("sub/../index.html")));
    }
}
