package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 4, "Content", over real sockets: containment in the docroot, hidden names, directory
 * redirects and index files, UTF-8 names, content types and the statuses of missing or special files.
 * The generated index is in {@link DirectoryIndexTest}, user directories in {@link UserDirTest}.
 */
class ContentTest {
    /** Unique, so that finding it in a body can only mean the file outside the docroot was read. */
    private static final String SECRET = "TOP-SECRET-" + UUID.randomUUID();

    private static final String HIDDEN = "HIDDEN-" + UUID.randomUUID();

    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        Path scratch = root.getParent();
        TestServer.write(scratch, "secret", SECRET);
        TestServer.write(scratch, "outside/secret", SECRET);
        // A sibling whose name begins with the docroot's: a prefix test on strings would let it through.
        TestServer.write(scratch, "docroot-evil/secret", SECRET);

        TestServer.write(root, "inside.txt", "inside\n");
        TestServer.write(root, "sub/file.txt", "sub file\n");
        TestServer.write(root, "dir/sub/deep.txt", "deep\n");
        TestServer.write(root, "my dir/x.txt", "x\n");
        TestServer.write(root, "évian/x.txt", "x\n");
        TestServer.write(root, "evil.example/x.txt", "x\n");
        TestServer.write(root, "withindex/index.html", "<!DOCTYPE html><title>the index</title>\n");
        TestServer.write(root, "withindex/other.txt", "other\n");
        TestServer.write(root, "dirindex/index.html/x.txt", "x\n");
        TestServer.write(root, "q?dir/x.txt", "x\n");
        TestServer.write(root, "h#dir/x.txt", "x\n");
        Files.createDirectories(root.resolve("indexout"));
        Files.createSymbolicLink(root.resolve("indexout/index.html"), scratch.resolve("secret"));
        TestServer.write(root, "été.txt", "summer\n");
        TestServer.write(root, ".hidden", HIDDEN);
        TestServer.write(root, "sub/.git/config", HIDDEN);
        TestServer.write(root, ".hiddendir/visible.txt", HIDDEN);

        Files.createSymbolicLink(root.resolve("link-out"), scratch.resolve("secret"));
        Files.createSymbolicLink(root.resolve("link-out-relative"), Path.of("../secret"));
        Files.createSymbolicLink(root.resolve("link-out-dir"), scratch.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link-sibling"), scratch.resolve("docroot-evil/secret"));
        Files.createSymbolicLink(root.resolve("sub/link-up"), Path.of("../../secret"));
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("inside.txt"));
        Files.createSymbolicLink(root.resolve("link-in-relative"), Path.of("sub/file.txt"));
        Files.createSymbolicLink(root.resolve("link-in-dir"), Path.of("sub"));
        Files.createSymbolicLink(root.resolve("link-to-hidden"), Path.of(".hidden"));
        Files.createSymbolicLink(root.resolve("link-to-hidden-dir"), Path.of(".hiddendir"));

        mkfifo(root.resolve("fifo"));
        mkfifo(root.resolve("fifo.txt"));
        TestServer.write(root, "fifodir/keep.txt", "keep\n");
        mkfifo(root.resolve("fifodir/pipe"));

        TestServer.write(root, "types/page.html", "<p>hi</p>");
        TestServer.write(root, "types/style.css", "p{}");
        TestServer.write(root, "types/app.js", "1;");
        TestServer.write(root, "types/image.png", "not really a png");
        TestServer.write(root, "types/LOUD.PNG", "not really a png");
        TestServer.write(root, "types/data.json", "{}");
        TestServer.write(root, "types/icon.svg", "<svg/>");
        TestServer.write(root, "types/notes.txt", "notes");
        TestServer.write(root, "types/png-magic", pngSignature());
        TestServer.write(root, "types/pdf-magic", "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n");
        TestServer.write(root, "types/html-magic", "<!DOCTYPE html>\n<html><body>hi</body></html>\n");
        TestServer.write(root, "types/text-magic", "plain words, and some UTF-8: été ✓\n");
        TestServer.write(root, "types/binary-magic", new byte[] {1, 0, 2, 0, (byte) 0xfe, 0, 0, 7, 0, (byte) 0x80});
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> escapesFromTheDocroot() {
        return Stream.of(
                Arguments.of("/../secret", Set.of(403)),
                Arguments.of("/%2e%2e/secret", Set.of(403)),
                Arguments.of("/%2E%2E/secret", Set.of(403)),
                Arguments.of("/%2e./secret", Set.of(403)),
                Arguments.of("/.%2e/secret", Set.of(403)),
                Arguments.of("/..%2fsecret", Set.of(403)),
                Arguments.of("/..%2Fsecret", Set.of(403)),
                Arguments.of("/sub/../../secret", Set.of(403)),
                Arguments.of("/sub/..%2f..%2fsecret", Set.of(403)),
                Arguments.of("/sub/%2e%2e/%2e%2e/secret", Set.of(403)),
                Arguments.of("/./../secret", Set.of(403)),
                Arguments.of("/sub/./.././../secret", Set.of(403)),
                Arguments.of("/../docroot-evil/secret", Set.of(403)),
                Arguments.of("/../outside/secret", Set.of(403)),
                // Decoded once: "%2e" stays a literal name, so nothing climbs.
                Arguments.of("/%252e%252e/secret", Set.of(404)),
                Arguments.of("/..%252fsecret", Set.of(404)),
                // Overlong UTF-8 for '.', which a lax decoder would turn into "..".
                Arguments.of("/%c0%ae%c0%ae/secret", Set.of(400)),
                Arguments.of("/%c0%ae%c0%ae%c0%afsecret", Set.of(400)),
                Arguments.of("/..%00/secret", Set.of(400)),
                // A backslash is an ordinary byte of a Unix file name: a literal name, never a separator.
                Arguments.of("/..\\secret", Set.of(403, 404)),
                Arguments.of("/%5c..%5csecret", Set.of(403, 404)),
                Arguments.of("/%2e%2e%5csecret", Set.of(403, 404)),
                Arguments.of("/sub\\..\\..\\secret", Set.of(403, 404)),
                Arguments.of("//secret", Set.of(404)),
                Arguments.of("//../secret", Set.of(403)),
                Arguments.of("http://evil.example/../secret", Set.of(403)),
                Arguments.of("http://evil.example/%2e%2e/secret", Set.of(403)),
                Arguments.of("http://evil.example//secret", Set.of(404)),
                Arguments.of("/link-out", Set.of(403)),
                Arguments.of("/link-out-relative", Set.of(403)),
                Arguments.of("/link-out-dir/secret", Set.of(403)),
                Arguments.of("/link-out-dir/", Set.of(403)),
                Arguments.of("/link-out-dir", Set.of(403)),
                Arguments.of("/link-sibling", Set.of(403)),
                Arguments.of("/sub/link-up", Set.of(403)),
                // An index.html leading outside is never served in place of the directory.
                Arguments.of("/indexout/", Set.of(200, 403)),
                Arguments.of("/indexout/index.html", Set.of(403)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("escapesFromTheDocroot")
    void escapesFromTheDocrootAreRefusedAndNeverLeak(String target, Set<Integer> expected) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isIn(expected);
        assertThat(r.text())
                .doesNotContain(SECRET)
                .doesNotContain(server.scratch().toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/sub/../inside.txt, inside",
        "/./inside.txt, inside",
        "/sub/%2e%2e/inside.txt, inside",
        "/sub/./file.txt, sub file",
        "//inside.txt, inside",
        "/sub//file.txt, sub file",
        "http://any.example/sub/../inside.txt, inside",
        "/inside.txt?../../secret, inside",
        "/inside.txt?x=/../../secret, inside"
    })
    void dotSegmentsThatStayInsideTheDocrootAreRemoved(String target, String body) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/link-in, inside", "/link-in-relative, sub file", "/link-in-dir/file.txt, sub file"})
    void symlinkToAnotherDocrootFileIsServed(String target, String body) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/.hidden",
        "/%2ehidden",
        "/sub/.git/config",
        "/sub/.git/",
        "/sub/.git",
        "/.hiddendir/visible.txt",
        "/.hiddendir/",
        "/sub%2f.git%2fconfig",
        "/sub/%2egit/config",
        "/link-to-hidden",
        "/link-to-hidden-dir/visible.txt"
    })
    void hiddenNamesAreNotFound(String target) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).doesNotContain(HIDDEN);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/sub, /sub/",
        "/sub?x=1, /sub/?x=1",
        "/sub?a=1&b=%2F, /sub/?a=1&b=%2F",
        "/dir/sub, /dir/sub/",
        "/dir/sub?q, /dir/sub/?q",
        "/my%20dir, /my%20dir/",
        "/%C3%A9vian, /%C3%A9vian/",
        "/link-in-dir, /link-in-dir/",
        "/sub/../dir, /dir/",
        "/q%3Fdir, /q%3Fdir/",
        "/q%3Fdir?x=1, /q%3Fdir/?x=1",
        "/h%23dir, /h%23dir/",
        "http://any.example/sub, /sub/"
    })
    void directoryWithoutSlashRedirects(String target, String location) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo(location);
    }

    @Test
    void directoryRedirectNeverPointsToAnotherHost() {
        // "//evil.example/" in a Location header would send a browser to evil.example.
        RawClient.Reply r = get("//evil.example");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo("/evil.example/");
    }

    @Test
    void docrootGivenThroughASymlinkKeepsItsRules() throws IOException {
        Path real = TestServer.newDocroot();
        Path scratch = real.getParent();
        TestServer.write(scratch, "secret", SECRET);
        TestServer.write(real, "inside.txt", "inside\n");
        Files.createSymbolicLink(real.resolve("link-in"), real.resolve("inside.txt"));
        Files.createSymbolicLink(real.resolve("link-out"), scratch.resolve("secret"));
        Path alias = Files.createSymbolicLink(scratch.resolve("alias"), real);
        try (TestServer aliased = TestServer.start(alias)) {
            for (String target : new String[] {"/inside.txt", "/link-in"}) {
                RawClient.Reply r = aliased.send("GET " + target + " HTTP/1.0\r\n\r\n");
                assertThat(r.status()).as(target).isEqualTo(200);
                assertThat(r.text()).isEqualTo("inside\n");
            }
            for (String target : new String[] {"/link-out", "/../secret"}) {
                RawClient.Reply r = aliased.send("GET " + target + " HTTP/1.0\r\n\r\n");
                assertThat(r.status()).as(target).isEqualTo(403);
                assertThat(r.text()).doesNotContain(SECRET);
            }
        }
    }

    @Test
    void directoryWithIndexHtmlServesIt() {
        RawClient.Reply r = get("/withindex/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.text()).isEqualTo("<!DOCTYPE html><title>the index</title>\n");
    }

    @Test
    void directoryWhoseIndexHtmlIsNotAFileIsListed() {
        RawClient.Reply r = get("/dirindex/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("index.html/");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/%C3%A9t%C3%A9.txt", "/%c3%a9t%c3%a9.txt", "/%C3%A9vian/x.txt"})
    void percentEncodedUtf8NamesAreServed(String target) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isIn("summer\n", "x\n");
    }

    /** Issue 14: RFC 9112 3.2 allows only ASCII in a target; the same name percent-encoded is served above. */
    @Test
    void rawUtf8BytesInThePathAreRefused() {
        byte[] request =
                "GET /été.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        try (RawClient c = server.ipv4()) {
            RawClient.Reply r = c.send(request).read();
            assertThat(r.status()).isEqualTo(400);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/nope.txt",
        "/nodir/nope.txt",
        "/sub/nope",
        "/INSIDE.TXT",
        "/inside.txt.",
        "/inside.txt%20",
        "/%C3%A9t%C3%A9.TXT"
    })
    void missingFileIsNotFound(String target) {
        assertThat(get(target).status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/inside.txt/", "/sub/file.txt/", "/inside.txt/.", "/link-in/"})
    void regularFileWithTrailingSlashIsNotFound(String target) {
        assertThat(get(target).status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/fifo", "/fifo.txt", "/fifodir/pipe"})
    void fifoIsForbiddenAndDoesNotHangTheServer(String target) throws IOException {
        // Opening a FIFO for reading blocks until a writer comes; RawClient's read timeout turns a hang
        // into a failure.
        try {
            assertThat(get(target).status()).isEqualTo(403);
            assertThat(get("/inside.txt").status()).isEqualTo(200);
        } catch (RuntimeException | AssertionError e) {
            releaseReaders(server.docroot().resolve(target.substring(1)));
            throw e;
        }
    }

    @Test
    void directoryHoldingAFifoIsStillListed() {
        RawClient.Reply r = get("/fifodir/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("keep.txt");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "page.html, text/html",
        "style.css, text/css",
        "app.js, text/javascript",
        "image.png, image/png",
        "LOUD.PNG, image/png",
        "data.json, application/json",
        "icon.svg, image/svg+xml",
        "notes.txt, text/plain",
        "png-magic, image/png",
        "pdf-magic, application/pdf",
        "html-magic, text/html",
        "text-magic, text/plain",
        "binary-magic, application/octet-stream"
    })
    void contentTypeComesFromExtensionElseFromFirstBytes(String name, String type) {
        RawClient.Reply r = get("/types/" + name);
        assertThat(r.status()).isEqualTo(200);
        assertThat(mediaType(r.header("Content-Type"))).isEqualTo(type);
    }

    private static RawClient.Reply get(String target) {
        return server.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    }

    private static String mediaType(String contentType) {
        assertThat(contentType).isNotNull();
        return contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static byte[] pngSignature() {
        byte[] b = new byte[64];
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, b, 0, sig.length);
        return b;
    }

    /**
     * Opens the FIFO's write end once (for at most 2 s), so that a server thread stuck opening it for
     * reading is let go and the server can still be stopped after a failure.
     */
    private static void releaseReaders(Path fifo) throws IOException {
        try {
            new ProcessBuilder("timeout", "2", "sh", "-c", ": > \"$1\"", "sh", fifo.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void mkfifo(Path path) throws IOException {
        try {
            int exit = new ProcessBuilder("mkfifo", path.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
            assertThat(exit).as("mkfifo %s", path).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
