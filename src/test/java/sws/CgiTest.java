package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sws.http.Limits;
import sws.http.Timeouts;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 5 (CGI, RFC 3875) over real sockets: the environment a program sees, GET/HEAD/POST with
 * request bodies, the parsing of the program's response, and streaming. Failures are in CgiFailureTest,
 * concurrency in CgiConcurrencyTest. The static helpers here are the CGI fixture those classes share.
 */
class CgiTest {
    /** Keys /bin/sh (dash) adds to the environment it passes on: its working directory. */
    private static final Set<String> SHELL_ADDED = Set.of("PWD");

    private static TestServer server;
    private static Path cgiDir;

    @BeforeAll
    static void start() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "file.txt", "static file\n");
        cgiDir = cgiDir(root);
        script(cgiDir, "env.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec /usr/bin/env -0\n");
        script(cgiDir, "fds.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec ls -l /proc/self/fd\n");
        script(
                cgiDir,
                "self.sh",
                "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                        + "echo ids $(ps -o pid=,pgid=,sid= -p $$)\ngrep -E '^Sig(Blk|Ign)' /proc/$$/status\n");
        script(cgiDir, "sub/env.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec /usr/bin/env -0\n");
        script(cgiDir, "cat.sh", "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nexec cat\n");
        script(
                cgiDir,
                "count.sh",
                """
                printf 'Content-Type: application/octet-stream\\r\\nX-Content-Length: %s\\r\\n\\r\\n' "$CONTENT_LENGTH"
                exec cat
                """);
        script(cgiDir, "hello.sh", "printf 'Content-Type: text/plain\\r\\nX-Custom: yes\\r\\n\\r\\nhello\\n'\n");
        script(
                cgiDir,
                "hop.sh",
                "printf 'Content-Type: text/plain\\r\\nConnection: close\\r\\n"
                        + "Transfer-Encoding: gzip\\r\\nKeep-Alive: timeout=1\\r\\nX-Custom: yes\\r\\n\\r\\nbody\\n'\n");
        script(cgiDir, "echo.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$QUERY_STRING\"\n");
        script(cgiDir, "deaf.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nnot listening\\n'\n");
        script(
                cgiDir,
                "deaf-loud.sh",
                "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n" + "head -c 1048576 /dev/zero | tr '\\0' 'a'\n");
        script(cgiDir, "short.sh", "printf 'Content-Type: text/plain\\r\\nContent-Length: 100\\r\\n\\r\\nonly this'\n");
        script(
                cgiDir,
                "long.sh",
                "printf 'Content-Type: text/plain\\r\\nContent-Length: 5\\r\\n\\r\\nhello and more'\n");
        script(cgiDir, "lingers.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'\nexec >&- 2>&-\nsleep 5\n");
        for (ResponseCase c : RESPONSES) {
            script(
                    cgiDir,
                    c.name + ".sh",
                    "printf '" + c.output.replace("\r", "\\r").replace("\n", "\\n") + "'\n");
        }
        server = TestServer.start(root, c -> c.cgi(cgiDir, Duration.ofSeconds(20)));
    }

    @AfterAll
    static void stop() {
        server.close();
        assertNoZombieChildren();
    }

    // ---- the environment

    @Test
    void environmentHoldsExactlyTheMetaVariablesOfTheSpec() throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int clientPort = socket.getLocalPort();
        var reply = exchange(
                socket,
                "GET /cgi-bin/env.sh/extra HTTP/1.0\r\nHost: localhost:" + server.port()
                        + "\r\nX-Custom-Header: custom\r\nAccept: text/plain\r\n\r\n");
        Map<String, String> env = parseEnv(reply.body());
        Path docroot = server.docroot().toRealPath();
        Path cgi = cgiDir.toRealPath();

        assertThat(env.keySet())
                .containsExactlyInAnyOrderElementsOf(union(
                        SHELL_ADDED,
                        Set.of(
                                "GATEWAY_INTERFACE",
                                "SERVER_SOFTWARE",
                                "SERVER_NAME",
                                "SERVER_PORT",
                                "SERVER_PROTOCOL",
                                "REQUEST_METHOD",
                                "REQUEST_URI",
                                "SCRIPT_NAME",
                                "SCRIPT_FILENAME",
                                "PATH_INFO",
                                "PATH_TRANSLATED",
                                "QUERY_STRING",
                                "REMOTE_ADDR",
                                "REMOTE_PORT",
                                "REQUEST_SCHEME",
                                "DOCUMENT_ROOT",
                                "PATH",
                                "HTTP_HOST",
                                "HTTP_X_CUSTOM_HEADER",
                                "HTTP_ACCEPT")));
        assertThat(env)
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("SERVER_NAME", "localhost")
                .containsEntry("SERVER_PORT", Integer.toString(server.port()))
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.0")
                .containsEntry("REQUEST_METHOD", "GET")
                .containsEntry("REQUEST_URI", "/cgi-bin/env.sh/extra")
                .containsEntry("SCRIPT_NAME", "/cgi-bin/env.sh")
                .containsEntry("SCRIPT_FILENAME", cgi.resolve("env.sh").toString())
                .containsEntry("PATH_INFO", "/extra")
                .containsEntry("PATH_TRANSLATED", docroot + "/extra")
                .containsEntry("QUERY_STRING", "")
                .containsEntry("REMOTE_ADDR", "127.0.0.1")
                .containsEntry("REMOTE_PORT", Integer.toString(clientPort))
                .containsEntry("REQUEST_SCHEME", "http")
                .containsEntry("DOCUMENT_ROOT", docroot.toString())
                .containsEntry("HTTP_HOST", "localhost:" + server.port())
                .containsEntry("HTTP_X_CUSTOM_HEADER", "custom")
                .containsEntry("HTTP_ACCEPT", "text/plain")
                .containsEntry("PWD", cgi.toString()); // the program runs in its own directory
        assertThat(env.get("SERVER_SOFTWARE")).startsWith("sws/");
        assertThat(env.get("PATH")).isNotEmpty();
    }

    @Test
    void postEnvironmentAddsContentLengthAndContentTypeAndNothingElse() {
        String body = "a=1&b=2";
        var reply = server.send("POST /cgi-bin/env.sh?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body);
        Map<String, String> env = parseEnv(reply.body());

        assertThat(env.keySet())
                .containsExactlyInAnyOrderElementsOf(union(
                        SHELL_ADDED,
                        Set.of(
                                "GATEWAY_INTERFACE",
                                "SERVER_SOFTWARE",
                                "SERVER_NAME",
                                "SERVER_PORT",
                                "SERVER_PROTOCOL",
                                "REQUEST_METHOD",
                                "REQUEST_URI",
                                "SCRIPT_NAME",
                                "SCRIPT_FILENAME",
                                "PATH_INFO",
                                "QUERY_STRING",
                                "REMOTE_ADDR",
                                "REMOTE_PORT",
                                "REQUEST_SCHEME",
                                "DOCUMENT_ROOT",
                                "PATH",
                                "HTTP_HOST",
                                "HTTP_CONNECTION",
                                "CONTENT_LENGTH",
                                "CONTENT_TYPE")));
        assertThat(env)
                .containsEntry("REQUEST_METHOD", "POST")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                .containsEntry("REQUEST_URI", "/cgi-bin/env.sh?q=1")
                .containsEntry("QUERY_STRING", "q=1")
                .containsEntry("CONTENT_LENGTH", "7")
                .containsEntry("CONTENT_TYPE", "application/x-www-form-urlencoded");
    }

    /**
     * Issue 10: nothing of the server's reaches a program but its three pipes: no listening socket, no other
     * client's connection, no file. (The program is ls, exec'd by the script, listing its own descriptors;
     * the fourth it shows is its own handle on /proc/self/fd.)
     */
    @Test
    void programHoldsItsThreePipesAndNothingElse() {
        try (RawClient other = server.ipv4();
                RawClient another = server.ipv6()) {
            assertThat(other.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
            assertThat(another.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
            var reply = server.send("GET /cgi-bin/fds.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            var links = reply.text().lines().filter(l -> l.contains(" -> ")).toList();
            assertThat(links).as(reply.text()).noneMatch(l -> l.contains("socket:"));
            assertThat(links.stream().filter(l -> l.contains("pipe:")).map(l -> l.replaceAll(".* (\\d+) -> .*", "$1")))
                    .as(reply.text())
                    .containsExactlyInAnyOrder("0", "1", "2");
            assertThat(links).as(reply.text()).hasSize(4);
        }
    }

    /** Issue 10: a session and process group of its own, no signal blocked, SIGPIPE not ignored. */
    @Test
    void programRunsInASessionOfItsOwnWithTheDefaultSignalState() {
        var reply = server.send("GET /cgi-bin/self.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        String[] ids = reply.text()
                .lines()
                .filter(l -> l.startsWith("ids "))
                .findFirst()
                .orElseThrow()
                .split("\\s+");
        assertThat(ids[2]).as("process group").isEqualTo(ids[1]);
        assertThat(ids[3]).as("session").isEqualTo(ids[1]);
        assertThat(reply.text()).contains("SigBlk:\t0000000000000000");
        long ignored = Long.parseLong(
                reply.text()
                        .lines()
                        .filter(l -> l.startsWith("SigIgn:"))
                        .findFirst()
                        .orElseThrow()
                        .substring(7)
                        .trim(),
                16);
        assertThat(ignored & (1L << (13 - 1))).as("SIGPIPE ignored").isZero();
    }

    @Test
    void environmentOverIpv6NamesTheIpv6Client() {
        try (var c = server.ipv6()) {
            var reply = c.send("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n").read();
            Map<String, String> env = parseEnv(reply.body());

            assertThat(env).containsEntry("REMOTE_ADDR", "::1").containsEntry("QUERY_STRING", "");
            // RFC 3875 4.1.14: without a Host, the address reached, an IPv6 one in brackets.
            assertThat(env.get("SERVER_NAME")).isEqualTo("[::1]");
            assertThat(env).doesNotContainKeys("CONTENT_LENGTH", "CONTENT_TYPE");
        }
    }

    @Test
    void proxyHeaderNeverBecomesHttpProxy() {
        var reply = server.send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\nProxy: http://evil:3128/\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(parseEnv(reply.body())).doesNotContainKey("HTTP_PROXY");
    }

    @Test
    void headerWithUnderscoreIsNotPassedSoItCannotForgeTheDashedOne() {
        var reply = server.send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\nX_Foo: under\r\nX-Foo: dash\r\n"
                + "Connection: close\r\n\r\n");
        Map<String, String> env = parseEnv(reply.body());

        assertThat(env).containsEntry("HTTP_X_FOO", "dash");
        assertThat(env.values()).doesNotContain("under");
    }

    static Stream<Arguments> scriptAndPathInfo() {
        return Stream.of(
                Arguments.of("/cgi-bin/env.sh", "/cgi-bin/env.sh", "", ""),
                Arguments.of("/cgi-bin/env.sh/extra", "/cgi-bin/env.sh", "/extra", ""),
                Arguments.of("/cgi-bin/env.sh/a/b/", "/cgi-bin/env.sh", "/a/b/", ""),
                Arguments.of("/cgi-bin/env.sh/%41%20b", "/cgi-bin/env.sh", "/A b", ""),
                Arguments.of("/cgi-bin/sub/env.sh/x", "/cgi-bin/sub/env.sh", "/x", ""),
                Arguments.of("/cgi-bin/env.sh?a=1&b=%20c", "/cgi-bin/env.sh", "", "a=1&b=%20c"),
                Arguments.of("/cgi-bin/env.sh/p?x", "/cgi-bin/env.sh", "/p", "x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scriptAndPathInfo")
    void longestExecutablePrefixIsTheScriptAndTheRestIsPathInfo(
            String target, String scriptName, String pathInfo, String query) {
        var reply = server.send("GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        Map<String, String> env = parseEnv(reply.body());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(env).containsEntry("SCRIPT_NAME", scriptName).containsEntry("QUERY_STRING", query);
        assertThat(env.getOrDefault("PATH_INFO", "")).isEqualTo(pathInfo);
    }

    @Test
    void withoutCgiTheCgiBinPathIsAnOrdinaryDocrootPath() throws IOException {
        Path root = TestServer.newDocroot();
        Path marker = root.getParent().resolve("ran");
        String text = "touch " + marker + "\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n";
        script(root.resolve("cgi-bin"), "x.sh", text);
        try (var plain = TestServer.start(root)) {
            var reply = plain.send("GET /cgi-bin/x.sh HTTP/1.0\r\n\r\n");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("#!/bin/sh\n" + text);
            assertThat(marker).doesNotExist();
        }
    }

    // ---- methods and request bodies

    @Test
    void headGetsTheHeadersOfGetAndNoBody() {
        try (var c = server.ipv4()) {
            var get =
                    c.send("GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: h\r\n\r\n").read();
            var head =
                    c.send("HEAD /cgi-bin/hello.sh HTTP/1.1\r\nHost: h\r\n\r\n").readHead();
            // The same connection still frames the next response right: HEAD sent no body bytes.
            var after = c.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n").read();

            assertThat(get.text()).isEqualTo("hello\n");
            assertThat(head.status()).isEqualTo(200);
            assertThat(withoutDate(head.headers())).isEqualTo(withoutDate(get.headers()));
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.text()).isEqualTo("static file\n");
        }
    }

    @Test
    void otherMethodsOnAProgramAre405WithAllow() {
        var reply = server.send(
                "PUT /cgi-bin/hello.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n" + "Connection: close\r\n\r\n");

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("Allow")).contains("GET", "HEAD", "POST");
    }

    @Test
    void tenMebibytePostIsEchoedBackIntact() throws Exception {
        byte[] body = randomBytes(10 * 1024 * 1024, 1);
        try (var c = server.ipv4()) {
            byte[] head = ("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            // The program answers while the body still arrives: the client must read as it writes.
            var writer = CompletableFuture.runAsync(() -> c.send(head).send(body));
            var reply = c.read();
            writer.get(20, TimeUnit.SECONDS);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body().length).isEqualTo(body.length);
            assertThat(Arrays.equals(reply.body(), body))
                    .as("echoed bytes equal the sent ones")
                    .isTrue();
        }
    }

    @Test
    void chunkedPostIsEchoedIntactWithContentLengthSet() throws Exception {
        assertChunkedPostEchoed(randomBytes(100_000, 2));
    }

    @Test
    void largeChunkedPostIsGatheredOnDiskEchoedIntactAndItsFileRemoved() throws Exception {
        assertChunkedPostEchoed(randomBytes(3_000_000, 3));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        assertThat(Poll.until(Duration.ofSeconds(5), () -> {
                    try (var files = Files.list(tmp)) {
                        return files.noneMatch(f -> f.getFileName().toString().startsWith("sws-cgi-body"));
                    } catch (IOException e) {
                        return false;
                    }
                }))
                .as("the temporary file of the gathered body is deleted")
                .isTrue();
    }

    private void assertChunkedPostEchoed(byte[] body) throws Exception {
        var request = new ByteArrayOutputStream();
        request.writeBytes("POST /cgi-bin/count.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        for (int at = 0; at < body.length; at += 7000) {
            int n = Math.min(7000, body.length - at);
            request.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(body, at, n);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (var c = server.ipv4()) {
            var writer = CompletableFuture.runAsync(() -> c.send(request.toByteArray()));
            var reply = c.read();
            writer.get(10, TimeUnit.SECONDS);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("X-Content-Length")).isEqualTo(Integer.toString(body.length));
            assertThat(Arrays.equals(reply.body(), body))
                    .as("echoed bytes equal the sent ones")
                    .isTrue();
        }
    }

    static Stream<Arguments> bodiesOverTheLimit() {
        return Stream.of(
                Arguments.of("Content-Length", "Content-Length: 2000\r\n\r\n" + "x".repeat(2000)),
                Arguments.of(
                        "chunked",
                        "Transfer-Encoding: chunked\r\n\r\n" + ("400\r\n" + "x".repeat(1024) + "\r\n").repeat(2)
                                + "0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesOverTheLimit")
    void bodyOverTheLimitIs413AndTheProgramNeverRuns(String framing, String rest) {
        Path root = TestServer.newDocroot();
        Path dir = cgiDir(root);
        Path marker = root.getParent().resolve("ran");
        script(
                dir,
                "post.sh",
                "touch " + marker + "\ncat >/dev/null\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok'\n");
        try (var small = TestServer.start(
                root, c -> c.cgi(dir, Duration.ofSeconds(10)).limits(new Limits(8192, 65536, 100, 1024)))) {
            var reply = small.send("POST /cgi-bin/post.sh HTTP/1.1\r\nHost: h\r\n" + rest);

            assertThat(reply.status()).isEqualTo(413);
            assertThat(marker).doesNotExist();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deafPrograms")
    void programThatNeverReadsItsStdinStillAnswersABigBody(String name, int answerLength) throws Exception {
        byte[] body = randomBytes(2 * 1024 * 1024, 3);
        try (var c = server.ipv4()) {
            byte[] head = ("POST /cgi-bin/" + name + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            // The server may answer and close before it has read the whole body: a failed write is fine.
            var writer = CompletableFuture.runAsync(() -> {
                try {
                    c.send(head).send(body);
                } catch (UncheckedIOException e) {
                    // closed by the server after its answer
                }
            });
            var reply = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> c.read());
            writer.get(15, TimeUnit.SECONDS);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).hasSize(answerLength);
        }
    }

    static Stream<Arguments> deafPrograms() {
        return Stream.of(Arguments.of("deaf.sh", "not listening\n".length()), Arguments.of("deaf-loud.sh", 1048576));
    }

    @Test
    void getGivesTheProgramAnEmptyStdin() {
        long start = System.nanoTime();
        var reply = server.send("GET /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEmpty();
        assertThat(millisSince(start))
                .as("cat saw the end of its input at once")
                .isLessThan(5000);
    }

    @Test
    void pipelinedRequestsToProgramsAreAnsweredInOrder() {
        try (var c = server.ipv4()) {
            c.send("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nfirst"
                    + "GET /cgi-bin/echo.sh?second HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nthird\r\n0\r\n\r\n"
                    + "GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n");

            assertThat(c.read().text()).isEqualTo("first");
            assertThat(c.read().text()).isEqualTo("second");
            assertThat(c.read().text()).isEqualTo("third");
            assertThat(c.read().text()).isEqualTo("static file\n");
        }
    }

    // ---- the program's response

    /** One program output and what the client must get for it. */
    record ResponseCase(String name, String output, int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<ResponseCase> RESPONSES = List.of(
            new ResponseCase(
                    "document",
                    "Content-Type: text/html\r\n\r\n<p>hi</p>",
                    200,
                    Map.of("content-type", "text/html"),
                    "<p>hi</p>"),
            new ResponseCase(
                    "lf-only",
                    "Content-Type: text/plain\n\nbare LF",
                    200,
                    Map.of("content-type", "text/plain"),
                    "bare LF"),
            new ResponseCase(
                    "created", "Status: 201 Created\r\nContent-Type: text/plain\r\n\r\nmade", 201, Map.of(), "made"),
            new ResponseCase(
                    "not-found",
                    "Status: 404\r\nContent-Type: text/plain\r\n\r\nno such thing",
                    404,
                    Map.of(),
                    "no such thing"),
            new ResponseCase(
                    "custom-reason",
                    "Status: 299 Fine Thanks\r\nContent-Type: text/plain\r\n\r\nok",
                    299,
                    Map.of(),
                    "ok"),
            new ResponseCase(
                    "client-redirect",
                    "Location: http://example.com/\r\n\r\n",
                    302,
                    Map.of("location", "http://example.com/"),
                    null),
            new ResponseCase(
                    "local-redirect",
                    "Location: /file.txt\r\n\r\n",
                    200,
                    Map.of("content-type", "text/plain; charset=utf-8"),
                    "static file\n"),
            new ResponseCase(
                    "local-redirect-to-program",
                    "Location: /cgi-bin/echo.sh?from=redirect\r\n\r\n",
                    200,
                    Map.of(),
                    "from=redirect"),
            new ResponseCase("redirect-loop", "Location: /cgi-bin/redirect-loop.sh\r\n\r\n", 500, Map.of(), null),
            new ResponseCase(
                    "status-and-location",
                    "Status: 301 Moved Permanently\r\nLocation: http://example.com/new\r\n\r\n",
                    301,
                    Map.of("location", "http://example.com/new"),
                    null),
            new ResponseCase(
                    "redirect-with-body",
                    "Location: http://example.com/\r\nContent-Type: text/html\r\n\r\n<a href=\"http://example.com/\">here</a>",
                    302,
                    Map.of("location", "http://example.com/", "content-type", "text/html"),
                    "<a href=\"http://example.com/\">here</a>"),
            new ResponseCase("no-content", "Status: 204 No Content\r\n\r\n", 204, Map.of(), ""),
            new ResponseCase(
                    "other-headers",
                    "Content-Type: text/plain\r\nX-Custom: kept\r\nCache-Control: no-store\r\n\r\nbody",
                    200,
                    Map.of("x-custom", "kept", "cache-control", "no-store"),
                    "body"),
            new ResponseCase(
                    "length",
                    "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
                    200,
                    Map.of("content-length", "5"),
                    "hello"),
            new ResponseCase("no-header-block", "just some text\n", 500, Map.of(), null),
            new ResponseCase("no-type-nor-location", "X-Only: this\r\n\r\nbody", 500, Map.of(), null),
            new ResponseCase("ends-inside-headers", "Content-Type: text/plain\r\n", 500, Map.of(), null),
            new ResponseCase("no-output", "", 500, Map.of(), null));

    /**
     * A local redirect answered before the program took its whole body: the rest of the body cannot be told
     * from a next request, so the answer says the connection closes, and it does.
     */
    @Test
    void localRedirectBeforeTheWholeBodyClosesTheConnection() {
        try (RawClient c = server.ipv4()) {
            var reply = c.send("POST /cgi-bin/local-redirect.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n"
                            + "x".repeat(10))
                    .read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("static file\n");
            assertThat(reply.header("Connection")).isEqualTo("close");
            assertThat(c.closedWithin(3_000)).isTrue();
        }
    }

    static List<ResponseCase> responses() {
        return RESPONSES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void programOutputIsParsedAsACgiResponse(ResponseCase c) {
        var reply = server.send("GET /cgi-bin/" + c.name + ".sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).isEqualTo(c.status);
        assertThat(reply.headers()).containsAllEntriesOf(c.headers);
        if (c.body != null) {
            assertThat(reply.text()).isEqualTo(c.body);
        }
        if (reply.body().length > 0) {
            assertThat(reply.header("Content-Type")).isNotNull();
        }
    }

    @Test
    void hopByHopHeadersOfTheProgramAreDroppedAndOthersPassed() {
        try (var c = server.ipv4()) {
            var reply =
                    c.send("GET /cgi-bin/hop.sh HTTP/1.1\r\nHost: h\r\n\r\n").read();
            var next = c.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n").read();

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("X-Custom")).isEqualTo("yes");
            assertThat(reply.rawHeaders()).noneMatch(h -> h.equalsIgnoreCase("Connection: close"));
            assertThat(reply.rawHeaders()).noneMatch(h -> h.toLowerCase().contains("gzip"));
            assertThat(reply.rawHeaders()).noneMatch(h -> h.toLowerCase().startsWith("keep-alive"));
            assertThat(reply.text()).isEqualTo("body\n");
            // The program's "Connection: close" did not close the client's connection either.
            assertThat(next.text()).isEqualTo("static file\n");
        }
    }

    @Test
    void bodyWithoutLengthIsChunkedForHttp11() {
        var reply = server.send("GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(reply.header("Content-Length")).isNull();
        assertThat(reply.text()).isEqualTo("hello\n");
    }

    @Test
    void bodyWithoutLengthIsCloseDelimitedForHttp10() {
        try (var c = server.ipv4()) {
            var reply = c.send("GET /cgi-bin/hello.sh HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .read();

            assertThat(reply.statusLine()).startsWith("HTTP/1.0 200");
            assertThat(reply.header("Transfer-Encoding")).isNull();
            assertThat(reply.header("Content-Length")).isNull();
            assertThat(reply.text()).isEqualTo("hello\n");
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void contentLengthOfTheProgramIsUsedAndKeepsTheConnection() {
        try (var c = server.ipv4()) {
            var reply = c.send("GET /cgi-bin/length.sh HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .read();
            var next = c.send("GET /file.txt HTTP/1.0\r\n\r\n").read();

            assertThat(reply.header("Content-Length")).isEqualTo("5");
            assertThat(reply.header("Transfer-Encoding")).isNull();
            assertThat(reply.text()).isEqualTo("hello");
            assertThat(next.text()).as("the connection was kept").isEqualTo("static file\n");
        }
    }

    @Test
    void programShortOfItsContentLengthHasTheConnectionCut() {
        try (var c = server.ipv4()) {
            var reply =
                    c.send("GET /cgi-bin/short.sh HTTP/1.1\r\nHost: h\r\n\r\n").read();

            assertThat(reply.header("Content-Length")).isEqualTo("100");
            assertThat(reply.text()).isEqualTo("only this");
            assertThat(c.closedWithin(5000))
                    .as("closed, so the client sees the body is short")
                    .isTrue();
        }
    }

    @Test
    void programOutputBeyondItsContentLengthIsDropped() {
        try (var c = server.ipv4()) {
            var reply =
                    c.send("GET /cgi-bin/long.sh HTTP/1.1\r\nHost: h\r\n\r\n").read();
            var next = c.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n").read();

            assertThat(reply.text()).isEqualTo("hello");
            assertThat(next.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(next.text()).isEqualTo("static file\n");
        }
    }

    @Test
    void responseEndsWhenTheProgramClosesItsOutputEvenIfItRunsOn() {
        long start = System.nanoTime();
        var reply = server.send("GET /cgi-bin/lingers.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.text()).isEqualTo("done\n");
        assertThat(millisSince(start))
                .as("in ms; the program sleeps 5 s after closing stdout")
                .isLessThan(4000);
    }

    @Test
    void requestUriIsTheTargetAsSent() {
        var reply = server.send("GET /cgi-bin/env.sh/%41b?x=%20y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(parseEnv(reply.body()))
                .containsEntry("REQUEST_URI", "/cgi-bin/env.sh/%41b?x=%20y")
                .containsEntry("PATH_INFO", "/Ab")
                .containsEntry("QUERY_STRING", "x=%20y");
    }

    @Test
    void programSlowerThanTheRequestTimeoutIsStillAnswered() {
        Path root = TestServer.newDocroot();
        Path dir = cgiDir(root);
        script(dir, "slow.sh", "sleep 2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow but fine'\n");
        try (var s = TestServer.start(root, c -> c.cgi(dir, Duration.ofSeconds(10))
                .timeouts(new Timeouts(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(5))))) {
            var reply = s.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("slow but fine");
        }
    }

    // ---- streaming

    @Test
    void bodyIsStreamedBeforeTheProgramExits() throws Exception {
        Path fifo = fifo(server.scratch().resolve("go"));
        script(
                cgiDir,
                "stream.sh",
                "printf 'Content-Type: text/plain\\r\\n\\r\\nfirst\\n'\nread x < " + fifo + "\nprintf 'second\\n'\n");
        try (var s = new StreamingClient(server.port())) {
            s.send("GET /cgi-bin/stream.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            String head = s.head();
            // The program is blocked on the fifo until the test writes to it: this line can only arrive
            // if it was streamed while the program still runs.
            String firstChunk = s.chunk();
            Files.writeString(fifo, "go\n");
            String secondChunk = s.chunk();

            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Transfer-Encoding: chunked");
            assertThat(firstChunk).isEqualTo("first\n");
            assertThat(secondChunk).isEqualTo("second\n");
            assertThat(s.chunk()).isEmpty();
        }
    }

    @Test
    void aLineASecondIsSeenALineASecond() throws Exception {
        script(
                cgiDir,
                "ticks.sh",
                "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                        + "echo one\nsleep 1\necho two\nsleep 1\necho three\n");
        try (var s = new StreamingClient(server.port())) {
            long start = System.nanoTime();
            s.send("GET /cgi-bin/ticks.sh HTTP/1.0\r\n\r\n");
            s.head();
            String one = s.line();
            long firstAt = millisSince(start);
            String two = s.line();
            String three = s.line();
            long lastAt = millisSince(start);

            assertThat(List.of(one, two, three)).containsExactly("one", "two", "three");
            assertThat(lastAt).isGreaterThanOrEqualTo(1900);
            assertThat(firstAt)
                    .as("first line arrives before the program's second")
                    .isLessThan(lastAt - 1500);
        }
    }

    // ---- the shared CGI fixture

    /** The CGI directory beside a docroot, made empty. */
    static Path cgiDir(Path docroot) {
        try {
            return Files.createDirectories(docroot.getParent().resolve("cgi"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an executable /bin/sh script (the shebang line is added) below dir. */
    static Path script(Path dir, String name, String body) {
        Path p = TestServer.write(dir, name, "#!/bin/sh\n" + body);
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** A named pipe at path, made with mkfifo(1). */
    static Path fifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return path;
    }

    /** Whether a process runs: it exists and is neither a zombie nor dead (a reparented zombie counts as gone). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** No child of this JVM is a zombie: every CGI program that ended was reaped (polled, bounded). */
    static void assertNoZombieChildren() {
        long pid = ProcessHandle.current().pid();
        boolean clean = Poll.until(Duration.ofSeconds(5), () -> !zombieChildren(pid));
        assertThat(clean).as("zombie children of pid %d", pid).isTrue();
    }

    private static boolean zombieChildren(long pid) {
        try {
            Process ps = new ProcessBuilder("ps", "-o", "stat=", "--ppid", Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            ps.waitFor(5, TimeUnit.SECONDS);
            return out.lines().anyMatch(l -> l.strip().startsWith("Z"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The environment an `env -0` dump printed. */
    static Map<String, String> parseEnv(byte[] dump) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : new String(dump, StandardCharsets.UTF_8).split("\0")) {
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static long millisSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1_000_000;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Map<String, String> withoutDate(Map<String, String> headers) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.remove("date");
        return copy;
    }

    /** One HTTP/1.0 exchange on a socket the caller has bound (to know its own port); reads to the close. */
    private static RawClient.Reply exchange(Socket socket, String request) throws IOException {
        try (socket) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            byte[] all = socket.getInputStream().readAllBytes();
            int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = new String(all, 0, end, StandardCharsets.ISO_8859_1);
            List<String> lines = head.lines().toList();
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l : lines.subList(1, lines.size())) {
                int colon = l.indexOf(':');
                headers.put(
                        l.substring(0, colon).trim().toLowerCase(),
                        l.substring(colon + 1).trim());
            }
            return new RawClient.Reply(
                    lines.get(0),
                    Integer.parseInt(lines.get(0).split(" ")[1]),
                    headers,
                    lines.subList(1, lines.size()),
                    Arrays.copyOfRange(all, end + 4, all.length));
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Reads a response piece by piece as it arrives (RawClient reads whole responses), so a test can see
     * what came before the program ended. Every read is bounded by the socket's timeout.
     */
    static final class StreamingClient implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        StreamingClient(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** The response head, up to the blank line, as text. */
        String head() throws IOException {
            StringBuilder head = new StringBuilder();
            String l;
            while (!(l = line()).isEmpty()) {
                head.append(l).append('\n');
            }
            return head.toString();
        }

        /** The next chunk's data of a chunked body; "" for the last chunk. */
        String chunk() throws IOException {
            int n = Integer.parseInt(line().split(";")[0].trim(), 16);
            String data = new String(in.readNBytes(n), StandardCharsets.UTF_8);
            if (n > 0) {
                line();
            } else {
                line(); // the blank line after the last chunk
            }
            return data;
        }

        /** A line without its end; throws at end of stream. */
        String line() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("end of stream after " + buf);
                }
                buf.write(b);
            }
            String s = buf.toString(StandardCharsets.ISO_8859_1);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        /** Everything until the server closes; the socket's timeout bounds the wait. */
        byte[] rest() throws IOException {
            return in.readAllBytes();
        }

        /** Aborts the connection with a reset (RST), as a client does that is killed or gives up. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
