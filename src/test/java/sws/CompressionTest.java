package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * Spec section 8, content codings, over real sockets: precompressed sidecars chosen by Accept-Encoding,
 * gzip made on the fly (kept in the cache for small files, streamed for large ones), and how both meet
 * ranges, conditionals, HEAD, CGI and keep-alive. Fake .br and .zst sidecars are arbitrary bytes: sws
 * never decodes a sidecar, so which file's bytes came back is what tells the choice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionTest {
    /** Every fixture's modification time: a sidecar as old as its file is fresh. */
    private static final long MTIME = 1_700_000_000L;

    /** Above the cache's 128 KiB, so these files go from the disk. */
    private static final int LARGE = 200 * 1024;

    private static final int HUGE = 1024 * 1024;
    private static final String JS = "text/javascript; charset=utf-8";

    private TestServer server;
    private Path root;

    @BeforeAll
    void startServer() throws IOException, InterruptedException {
        root = TestServer.newDocroot();
        for (String dir : List.of("small", "large")) {
            int size = dir.equals("small") ? 2000 : LARGE;
            // brsmall.js: .br smaller than .gz, .zst larger; brlarge.js: .br larger than .gz, no .zst.
            byte[] gz = family(root, dir + "/brsmall.js", size);
            fixture(root, dir + "/brsmall.js.br", fake("br", gz.length - 5));
            fixture(root, dir + "/brsmall.js.zst", fake("zst", gz.length + 20));
            byte[] gz2 = family(root, dir + "/brlarge.js", size);
            fixture(root, dir + "/brlarge.js.br", fake("br", gz2.length + 50));
        }
        family(root, "page.html", 3000);
        family(root, "large.js", LARGE);
        family(root, "sub/index.html", 1000);
        fixture(root, "big.html", text("big html", 1000));
        fixture(root, "small.txt", "small\n".getBytes(StandardCharsets.US_ASCII));
        fixture(root, "huge.txt", text("huge text", HUGE));

        // Sidecars that must be passed over: each beside a .bin, which is not compressible itself.
        fixture(root, "stale.bin", text("stale", 1000));
        TestServer.touch(fixture(root, "stale.bin.gz", gzip(text("old", 1000))), MTIME - 60);
        fixture(root, "out.bin", text("out", 1000));
        Path outside = fixture(root.getParent(), "outside.gz", gzip(text("outside the root", 1000)));
        Files.createSymbolicLink(root.resolve("out.bin.gz"), outside);
        fixture(root, "dir.bin", text("dir", 1000));
        Files.createDirectory(root.resolve("dir.bin.gz"));
        TestServer.touch(root.resolve("dir.bin.gz"), MTIME);
        fixture(root, "hidden.bin", text("hidden", 1000));
        fixture(root, ".secret.gz", gzip(text("secret", 1000)));
        Files.createSymbolicLink(root.resolve("hidden.bin.gz"), root.resolve(".secret.gz"));
        fixture(root, "fifo.bin", text("fifo", 1000));
        CgiTest.fifo(root.resolve("fifo.bin.gz"));

        fixture(root, "private.bin", text("private", 1000));
        fixture(root, ".private/data.gz", gzip(text("in a hidden folder", 1000)));
        Files.createSymbolicLink(root.resolve("private.bin.gz"), root.resolve(".private/data.gz"));

        // A sidecar linked from elsewhere inside the root is a sidecar.
        fixture(root, "in.bin", text("in", 1000));
        fixture(root, "store/in.data", gzip(text("in", 1000)));
        Files.createSymbolicLink(root.resolve("in.bin.gz"), root.resolve("store/in.data"));

        family(root, ".x", 1000);

        server = TestServer.start(root);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    // ---- choosing a sidecar

    @Test
    void gzipSidecarIsSentWithItsCodingTheFilesTypeItsOwnTagAndVary() {
        Reply plain = server.send(get("/page.html"));
        Reply r = server.send(get("/page.html", "Accept-Encoding: gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(r.body()).isEqualTo(bytes("page.html.gz"));
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(bytes("page.html.gz").length));
        assertThat(gunzip(r.body())).isEqualTo(bytes("page.html"));
        assertThat(r.header("ETag")).matches("\"[^\"]+\"").isNotEqualTo(plain.header("ETag"));
        assertThat(plain.header("Content-Encoding")).isNull();
        assertThat(plain.body()).isEqualTo(bytes("page.html"));
    }

    @Test
    void largeFileSidecarIsSentFromTheDisk() {
        Reply r = server.send(get("/large.js", "Accept-Encoding: gzip"));

        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).isEqualTo(JS);
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(r.body()).isEqualTo(bytes("large.js.gz"));
    }

    @Test
    void directorysIndexHtmlSidecarIsSentForTheDirectory() {
        Reply r = server.send(get("/sub/", "Accept-Encoding: gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.body()).isEqualTo(bytes("sub/index.html.gz"));
    }

    /** The rows: Accept-Encoding, the file (brsmall.js: br < gz < zst; brlarge.js: gz < br), the coding sent. */
    static Stream<Arguments> negotiation() {
        List<Arguments> rows = List.of(
                arguments("gzip", "brsmall.js", "gzip"),
                arguments("br", "brsmall.js", "br"),
                arguments("zstd", "brsmall.js", "zstd"),
                arguments("GZIP", "brsmall.js", "gzip"),
                arguments("x-gzip", "brsmall.js", "gzip"),
                arguments("gzip, br", "brsmall.js", "br"),
                arguments("gzip, br", "brlarge.js", "gzip"),
                arguments("br, gzip, zstd", "brsmall.js", "br"),
                arguments("gzip;q=0.5, br", "brlarge.js", "br"),
                arguments("gzip;q=1.0, br;q=0.9", "brsmall.js", "gzip"),
                arguments("br;q=0, gzip", "brsmall.js", "gzip"),
                arguments("br;q=0, gzip;q=0, zstd", "brsmall.js", "zstd"),
                arguments("*", "brsmall.js", "br"),
                arguments("*", "brlarge.js", "gzip"),
                arguments("br;q=0, *", "brsmall.js", "gzip"),
                arguments("*;q=0.5, zstd", "brsmall.js", "zstd"),
                arguments("identity", "brsmall.js", null),
                arguments("identity, gzip;q=0.5", "brsmall.js", null),
                arguments("*;q=0.1, identity;q=0.5", "brsmall.js", null),
                arguments("deflate, compress", "brsmall.js", null),
                arguments("gzip;q=0, br;q=0, zstd;q=0", "brsmall.js", null),
                // Nothing acceptable at all: the file's own bytes rather than a 406 (the contract's decision).
                arguments("identity;q=0, deflate", "brsmall.js", null),
                arguments("identity;q=0", "brlarge.js", null),
                arguments("*;q=0", "brsmall.js", null));
        return Stream.of("small", "large").flatMap(dir -> rows.stream().map(row -> {
            Object[] a = row.get();
            return arguments(dir, a[0], a[1], a[2]);
        }));
    }

    @ParameterizedTest(name = "{0}/{2} with \"{1}\" → {3}")
    @MethodSource("negotiation")
    void acceptEncodingChoosesTheHighestQThenTheSmallest(String dir, String accept, String file, String coding) {
        String path = dir + "/" + file;
        Reply r = server.send(get("/" + path, "Accept-Encoding: " + accept));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isEqualTo(coding);
        assertThat(r.body()).as("the bytes of " + path + suffix(coding)).isEqualTo(bytes(path + suffix(coding)));
        assertThat(r.header("Content-Type")).isEqualTo(JS);
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void eachFormHasItsOwnStrongETag(String dir) {
        String path = "/" + dir + "/brsmall.js";
        Set<String> tags = new HashSet<>();
        for (String accept : List.of("identity", "gzip", "br", "zstd")) {
            String tag = server.send(get(path, "Accept-Encoding: " + accept)).header("ETag");
            assertThat(tag).as(accept).matches("\"[^\"]+\"");
            tags.add(tag);
        }
        assertThat(tags).hasSize(4);
        assertThat(server.send(get(path)).header("ETag"))
                .as("without Accept-Encoding: the file's own tag")
                .isEqualTo(server.send(get(path, "Accept-Encoding: identity")).header("ETag"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/large.js", "/big.html", "/huge.txt"})
    void withoutAcceptEncodingTheFileItselfIsSentWithVary(String path) {
        Reply r = server.send(get(path));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(r.body()).isEqualTo(bytes(path.substring(1)));
    }

    /** Each .bin has a NAME.gz that is not a sidecar; a .bin is not compressible, so nothing varies. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "stale.bin,  older than the file",
        "out.bin,    a link out of the root",
        "dir.bin,    a directory",
        "hidden.bin, a link to a hidden name",
        "fifo.bin,   a named pipe",
    })
    void notASidecarIsPassedOver(String name, String why) {
        Reply r = server.send(get("/" + name, "Accept-Encoding: gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.header("Vary")).isNull();
        assertThat(r.body()).isEqualTo(bytes(name));
    }

    /**
     * The hidden-name rule holds for every segment of a resolved path (PathResolver): /private.bin.gz itself
     * is 404, so its bytes, from a hidden folder, must not go out as the sidecar of /private.bin either.
     */
    @Test
    void sidecarLinkedIntoAHiddenFolderIsPassedOver() {
        assertThat(server.send(get("/private.bin.gz")).status()).isEqualTo(404);

        Reply r = server.send(get("/private.bin", "Accept-Encoding: gzip"));

        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.body()).isEqualTo(bytes("private.bin"));
    }

    /** RFC 9110 5.3: a list field sent as several lines means the lines joined with commas. */
    @Test
    void acceptEncodingOnSeveralLinesIsOneList() {
        Reply r = server.send(get("/page.html", "Accept-Encoding: br", "Accept-Encoding: gzip"));

        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.body()).isEqualTo(bytes("page.html.gz"));
    }

    @Test
    void ifNoneMatchOnSeveralLinesIsOneList() {
        String tag = server.send(get("/page.html", "Accept-Encoding: gzip")).header("ETag");

        Reply r = server.send(
                get("/page.html", "Accept-Encoding: gzip", "If-None-Match: \"other\"", "If-None-Match: " + tag));

        assertThat(r.status()).isEqualTo(304);
    }

    @Test
    void sidecarLinkedFromInsideTheRootIsUsed() {
        Reply r = server.send(get("/in.bin", "Accept-Encoding: gzip"));

        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(r.body()).isEqualTo(bytes("store/in.data"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.x", "/.x.gz", "/.secret.gz"})
    void hiddenNameIsNotFoundEvenWithASidecar(String path) {
        assertThat(server.send(get(path, "Accept-Encoding: gzip")).status()).isEqualTo(404);
    }

    @Test
    void sidecarAskedForByItsOwnNameIsAPlainGzipFile() {
        Reply r = server.send(get("/page.html.gz", "Accept-Encoding: gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/gzip");
        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.body()).isEqualTo(bytes("page.html.gz"));
    }

    // ---- gzip on the fly

    @Test
    void cachedCompressibleFileIsGzippedOnceWithALength() {
        Reply plain = server.send(get("/big.html"));
        Reply first = server.send(get("/big.html", "Accept-Encoding: gzip"));
        Reply again = server.send(get("/big.html", "Accept-Encoding: gzip"));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(first.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(first.header("Transfer-Encoding")).isNull();
        assertThat(first.header("Content-Length")).isEqualTo(String.valueOf(first.body().length));
        assertThat(first.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(gunzip(first.body())).isEqualTo(bytes("big.html"));
        assertThat(first.body().length).isLessThan(bytes("big.html").length);
        assertThat(first.header("ETag")).matches("\"[^\"]+\"").isNotEqualTo(plain.header("ETag"));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(plain.header("Vary")).isEqualTo("Accept-Encoding");
    }

    /** The rows: a file name, its size, and whether it is gzipped for a client that takes gzip. */
    @ParameterizedTest(name = "{0} of {1} bytes → gzip {2}")
    @CsvSource({
        "a.html,     255, false",
        "b.html,     256, true",
        "c.txt,      256, true",
        "d.css,     1000, true",
        "e.js,      1000, true",
        "f.mjs,     1000, true",
        "g.json,    1000, true",
        "h.xml,     1000, true",
        "i.svg,     1000, true",
        "j.wasm,    1000, true",
        "k.webmanifest, 1000, true",
        "plaintext, 1000, true",
        "l.png,     1000, false",
        "m.bin,     1000, false",
        "n.pdf,     1000, false",
        "o.woff2,   1000, false",
    })
    void onTheFlyGzipIsForCompressibleTypesOfAtLeast256Bytes(String name, int size, boolean gzipped) {
        Path root = TestServer.newDocroot();
        byte[] content = name.endsWith(".png") ? png(size) : text(name, size);
        TestServer.write(root, name, content);
        try (TestServer s = TestServer.start(root)) {
            Reply r = s.send(get("/" + name, "Accept-Encoding: gzip"));

            assertThat(r.status()).isEqualTo(200);
            if (gzipped) {
                assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
                assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
                assertThat(gunzip(r.body())).isEqualTo(content);
            } else {
                assertThat(r.header("Content-Encoding")).isNull();
                assertThat(r.header("Vary")).isNull();
                assertThat(r.body()).isEqualTo(content);
            }
        }
    }

    @Test
    void largeFileIsStreamedGzippedAndChunkedOnHttp11() {
        Reply plain = server.send(get("/huge.txt"));
        try (RawClient c = server.ipv4()) {
            Reply r = c.send(get("/huge.txt", "Accept-Encoding: gzip")).read();

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
            assertThat(r.header("ETag")).matches("\"[^\"]+\"").isNotEqualTo(plain.header("ETag"));
            assertThat(r.body().length).isLessThan(HUGE / 2);
            assertThat(gunzip(r.body())).isEqualTo(bytes("huge.txt"));
            assertThat(c.closedWithin(200)).as("kept alive").isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Connection: keep-alive"})
    void largeFileIsStreamedGzippedUntilCloseOnHttp10(String connection) {
        try (RawClient c = server.ipv4()) {
            String head = connection.isEmpty()
                    ? request("GET /huge.txt HTTP/1.0", "Accept-Encoding: gzip")
                    : request("GET /huge.txt HTTP/1.0", "Accept-Encoding: gzip", connection);
            Reply r = c.send(head).read();

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Connection")).isNotEqualToIgnoringCase("keep-alive");
            assertThat(gunzip(r.body())).isEqualTo(bytes("huge.txt"));
            assertThat(c.closedWithin(5_000)).isTrue();
        }
    }

    @Test
    void noCompressSendsCompressibleFilesAsTheyAreButStillSendsSidecars() {
        Path docroot = TestServer.newDocroot();
        for (String name : List.of("big.html", "huge.txt", "page.html", "page.html.gz")) {
            fixture(docroot, name, bytes(name));
        }
        try (TestServer s = TestServer.start(docroot, c -> c.compress(false))) {
            for (String name : List.of("big.html", "huge.txt")) {
                Reply r = s.send(get("/" + name, "Accept-Encoding: gzip"));
                assertThat(r.header("Content-Encoding")).as(name).isNull();
                assertThat(r.header("Vary")).as(name).isNull();
                assertThat(r.body()).as(name).isEqualTo(bytes(name));
            }
            Reply sidecar = s.send(get("/page.html", "Accept-Encoding: gzip"));
            assertThat(sidecar.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(sidecar.body()).isEqualTo(bytes("page.html.gz"));
        }
    }

    // ---- ranges

    @ParameterizedTest
    @ValueSource(strings = {"big.html", "huge.txt"})
    void rangeIsOfTheFilesOwnBytesNeverOfAGzipMadeOnTheFly(String name) {
        byte[] file = bytes(name);
        Reply r = server.send(get("/" + name, "Accept-Encoding: gzip", "Range: bytes=10-19"));

        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Encoding")).isNull();
        assertThat(r.header("Content-Range")).isEqualTo("bytes 10-19/" + file.length);
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(file, 10, 20));
    }

    @ParameterizedTest
    @ValueSource(strings = {"page.html", "large.js"})
    void rangeOfASidecarIsOfTheSidecarsBytes(String name) {
        byte[] gz = bytes(name + ".gz");
        Reply r = server.send(get("/" + name, "Accept-Encoding: gzip", "Range: bytes=0-9"));

        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Range")).isEqualTo("bytes 0-9/" + gz.length);
        assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(gz, 0, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"page.html", "large.js"})
    void severalRangesOfASidecarAreMultipartOfTheSidecarsBytes(String name) {
        byte[] gz = bytes(name + ".gz");
        Reply r = server.send(get("/" + name, "Accept-Encoding: gzip", "Range: bytes=0-3,20-29"));

        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Type")).startsWith("multipart/byteranges; boundary=");
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        assertThat(body)
                .contains("Content-Range: bytes 0-3/" + gz.length)
                .contains("Content-Range: bytes 20-29/" + gz.length)
                .contains(new String(gz, 0, 4, StandardCharsets.ISO_8859_1))
                .contains(new String(gz, 20, 10, StandardCharsets.ISO_8859_1));
    }

    // ---- conditionals

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/large.js", "/big.html", "/huge.txt"})
    void ifNoneMatchWithTheGzipTagIsNotModifiedWithVaryAndTheTag(String path) {
        String tag = server.send(get(path, "Accept-Encoding: gzip")).header("ETag");
        try (RawClient c = server.ipv4()) {
            Reply r = c.send(get(path, "Accept-Encoding: gzip", "If-None-Match: " + tag))
                    .read();

            assertThat(r.status()).isEqualTo(304);
            assertThat(r.header("ETag")).isEqualTo(tag);
            assertThat(r.header("Vary")).isEqualTo("Accept-Encoding");
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(c.send(get("/small.txt")).read().text())
                    .as("nothing after the 304")
                    .isEqualTo("small\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/page.html", "/large.js", "/big.html", "/huge.txt"})
    void ifNoneMatchWithTheOtherFormsTagIsAWholeResponse(String path) {
        String identity = server.send(get(path)).header("ETag");
        String gzip = server.send(get(path, "Accept-Encoding: gzip")).header("ETag");

        Reply asksGzip = server.send(get(path, "Accept-Encoding: gzip", "If-None-Match: " + identity));
        assertThat(asksGzip.status()).isEqualTo(200);
        assertThat(asksGzip.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(asksGzip.header("ETag")).isEqualTo(gzip);
        assertThat(gunzip(asksGzip.body())).isEqualTo(bytes(path.substring(1)));

        Reply asksIdentity = server.send(get(path, "If-None-Match: " + gzip));
        assertThat(asksIdentity.status()).isEqualTo(200);
        assertThat(asksIdentity.header("Content-Encoding")).isNull();
        assertThat(asksIdentity.body()).isEqualTo(bytes(path.substring(1)));
    }

    // ---- HEAD, keep-alive

    @Test
    void headOfAStreamedGzipHasTheGetsHeadNoBodyAndKeepsTheConnection() {
        Reply get = server.send(get("/huge.txt", "Accept-Encoding: gzip"));
        try (RawClient c = server.ipv4()) {
            Reply head = c.send(request("HEAD /huge.txt HTTP/1.1", "Host: x", "Accept-Encoding: gzip"))
                    .readHead();

            assertThat(head.status()).isEqualTo(200);
            assertThat(withoutDate(head.rawHeaders())).isEqualTo(withoutDate(get.rawHeaders()));
            assertThat(head.header("Content-Encoding")).isEqualTo("gzip");
            Reply next = c.send(get("/small.txt")).read();
            assertThat(next.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(next.text()).isEqualTo("small\n");
        }
    }

    @Test
    void pipelinedRequestsAfterAStreamedGzipAreAnsweredInOrder() {
        try (RawClient c = server.ipv4()) {
            c.send(get("/huge.txt", "Accept-Encoding: gzip")
                    + get("/big.html", "Accept-Encoding: gzip")
                    + request("HEAD /huge.txt HTTP/1.1", "Host: x", "Accept-Encoding: gzip")
                    + get("/huge.txt", "Accept-Encoding: gzip")
                    + get("/small.txt"));

            Reply huge = c.read();
            assertThat(huge.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(gunzip(huge.body())).isEqualTo(bytes("huge.txt"));
            assertThat(gunzip(c.read().body())).isEqualTo(bytes("big.html"));
            assertThat(c.readHead().header("Content-Encoding")).isEqualTo("gzip");
            assertThat(gunzip(c.read().body())).isEqualTo(bytes("huge.txt"));
            assertThat(c.read().text()).isEqualTo("small\n");
        }
    }

    // ---- CGI

    @Test
    void cgiOutputIsNeverCompressed() {
        Path docroot = TestServer.newDocroot();
        Path dir = CgiTest.cgiDir(docroot);
        String html = "<p>a line of HTML that compresses very well</p>\n".repeat(100);
        CgiTest.script(
                dir,
                "page.sh",
                "printf 'Content-Type: text/html\\r\\n\\r\\n'\n"
                        + "i=0; while [ $i -lt 100 ]; do echo '<p>a line of HTML that compresses very well</p>';"
                        + " i=$((i+1)); done\n");
        fixture(dir, "page.sh.gz", gzip("not the program's output".getBytes(StandardCharsets.UTF_8)));
        try (TestServer s = TestServer.start(docroot, c -> c.cgi(dir, Duration.ofSeconds(10)))) {
            Reply r = s.send(get("/cgi-bin/page.sh", "Accept-Encoding: gzip"));

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isNull();
            assertThat(r.text()).isEqualTo(html);
        }
    }

    // ---- files that change

    @Test
    void changedFileGetsANewGzipAndANewTag() {
        Path docroot = TestServer.newDocroot();
        Path file = TestServer.write(docroot, "change.html", text("first version", 1000));
        try (TestServer s = TestServer.start(docroot)) {
            Reply first = s.send(get("/change.html", "Accept-Encoding: gzip"));
            assertThat(gunzip(first.body())).isEqualTo(text("first version", 1000));

            byte[] second = text("second version", 1200);
            TestServer.write(docroot, "change.html", second);
            TestServer.touch(file, MTIME);

            Poll.await(
                    Duration.ofSeconds(5),
                    () -> Arrays.equals(
                            gunzip(s.send(get("/change.html", "Accept-Encoding: gzip"))
                                    .body()),
                            second));
            Reply r = s.send(get("/change.html", "Accept-Encoding: gzip"));
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.header("ETag")).isNotEqualTo(first.header("ETag"));
            assertThat(s.send(get("/change.html", "Accept-Encoding: gzip", "If-None-Match: " + first.header("ETag")))
                            .status())
                    .as("the old gzip's tag no longer matches")
                    .isEqualTo(200);
        }
    }

    @Test
    void fileMadeNewerThanItsSidecarIsSentWithoutIt() {
        Path docroot = TestServer.newDocroot();
        family(docroot, "app.js", 1000);
        try (TestServer s = TestServer.start(docroot)) {
            Reply sidecar = s.send(get("/app.js", "Accept-Encoding: gzip"));
            assertThat(sidecar.body()).isEqualTo(read(docroot.resolve("app.js.gz")));

            TestServer.touch(docroot.resolve("app.js"), MTIME + 60);

            Poll.await(Duration.ofSeconds(5), () -> !s.send(get("/app.js", "Accept-Encoding: gzip"))
                    .header("ETag")
                    .equals(sidecar.header("ETag")));
            Reply r = s.send(get("/app.js", "Accept-Encoding: gzip"));
            assertThat(r.body()).as("no longer the sidecar").isNotEqualTo(read(docroot.resolve("app.js.gz")));
            assertThat(r.header("Content-Encoding")).as("gzip made on the fly").isEqualTo("gzip");
            assertThat(gunzip(r.body())).isEqualTo(read(docroot.resolve("app.js")));
        }
    }

    @Test
    void rewrittenSidecarIsSentAnewAndARemovedOneNoMore() throws IOException {
        Path docroot = TestServer.newDocroot();
        byte[] content = text("app", 1000);
        TestServer.touch(TestServer.write(docroot, "app.js", content), MTIME);
        TestServer.touch(TestServer.write(docroot, "app.js.br", fake("br one", 40)), MTIME);
        try (TestServer s = TestServer.start(docroot)) {
            assertThat(s.send(get("/app.js", "Accept-Encoding: br")).body()).isEqualTo(fake("br one", 40));

            byte[] two = fake("br two", 50);
            TestServer.touch(TestServer.write(docroot, "app.js.br", two), MTIME + 1);
            Poll.await(
                    Duration.ofSeconds(5),
                    () -> Arrays.equals(
                            s.send(get("/app.js", "Accept-Encoding: br")).body(), two));

            Files.delete(docroot.resolve("app.js.br"));
            Poll.await(Duration.ofSeconds(5), () -> {
                Reply r = s.send(get("/app.js", "Accept-Encoding: br"));
                return r.header("Content-Encoding") == null && Arrays.equals(r.body(), content);
            });
            Reply gz = s.send(get("/app.js", "Accept-Encoding: gzip"));
            assertThat(gz.header("Content-Encoding"))
                    .as("no sidecar now: gzip on the fly")
                    .isEqualTo("gzip");
            assertThat(gunzip(gz.body())).isEqualTo(content);
        }
    }

    // ---- fixture

    /** A request head: the request line, the fields, and the blank line. */
    private static String request(String requestLine, String... fields) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\n");
        for (String field : fields) {
            sb.append(field).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String get(String target, String... fields) {
        String[] all = new String[fields.length + 1];
        all[0] = "Host: x";
        System.arraycopy(fields, 0, all, 1, fields.length);
        return request("GET " + target + " HTTP/1.1", all);
    }

    private static List<String> withoutDate(List<String> fields) {
        return fields.stream().filter(f -> !f.startsWith("Date:")).toList();
    }

    /** The file extension of a coding's sidecar; "" for the file's own bytes. */
    private static String suffix(String coding) {
        return switch (coding) {
            case null -> "";
            case "br" -> ".br";
            case "zstd" -> ".zst";
            case "gzip" -> ".gz";
            default -> throw new IllegalArgumentException(coding);
        };
    }

    private byte[] bytes(String relative) {
        return read(root.resolve(relative));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of the fixtures' modification time. */
    private static Path fixture(Path root, String relative, byte[] content) {
        Path p = TestServer.write(root, relative, content);
        TestServer.touch(p, MTIME);
        return p;
    }

    /** A compressible file and its real gzip sidecar, as old as each other; returns the sidecar's bytes. */
    private static byte[] family(Path root, String relative, int size) {
        byte[] content = text(relative, size);
        fixture(root, relative, content);
        byte[] gz = gzip(content);
        fixture(root, relative + ".gz", gz);
        return gz;
    }

    /** Text of exactly size bytes, numbered lines that name their file so no two files are alike. */
    static byte[] text(String label, int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        for (int i = 0; sb.length() < size; i++) {
            sb.append("line ").append(i).append(" of ").append(label).append(": the quick brown fox\n");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** Bytes standing in for another coding's output: sws sends them without looking. */
    private static byte[] fake(String label, int size) {
        byte[] b = new byte[size];
        byte[] mark = ("fake " + label + " ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = mark[i % mark.length];
        }
        return b;
    }

    private static byte[] png(int size) {
        byte[] b = new byte[size];
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(magic, 0, b, 0, magic.length);
        return b;
    }

    /**
     * A gzip file as gzip(1) on Linux would write it: the header names Unix as its system (RFC 1952 2.3.1), so
     * its bytes differ from a gzip sws makes with the same JDK Deflater, which names none.
     */
    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        bytes[9] = 3;
        return bytes;
    }

    static byte[] gunzip(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
