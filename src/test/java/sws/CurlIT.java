package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.testing.TestServer;

/**
 * Spec section 8 as curl(1) sees it: a real client's decoding of gzip (cached and streamed) and of a
 * precompressed sidecar, its ETag round trip, and its ranges. Skipped where curl is not installed.
 */
class CurlIT {
    /** Cached: under the cache's 128 KiB; streamed: over it. */
    private static final int CACHED = 20_000;

    private static final int STREAMED = 1024 * 1024;

    @TempDir
    static Path work;

    private static TestServer server;
    private static Path root;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        assumeTrue(onPath("curl").isPresent(), "curl is not installed");
        root = TestServer.newDocroot();
        TestServer.write(root, "cached.html", CompressionTest.text("cached html", CACHED));
        TestServer.write(root, "streamed.txt", CompressionTest.text("streamed text", STREAMED));
        byte[] sidecar = CompressionTest.text("sidecar css", CACHED);
        TestServer.write(root, "sidecar.css", sidecar);
        TestServer.write(root, "sidecar.css.gz", CompressionTest.gzip(sidecar));
        if (onPath("zstd").isPresent()) {
            TestServer.write(root, "zstd.js", CompressionTest.text("zstd js", CACHED));
            run(List.of(
                    "zstd",
                    "-q",
                    root.resolve("zstd.js").toString(),
                    "-o",
                    root.resolve("zstd.js.zst").toString()));
        }
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cached.html", "streamed.txt", "sidecar.css"})
    void compressedGetsTheExactFileOverGzip(String name) throws Exception {
        Path body = work.resolve(name + ".body");
        Path head = work.resolve(name + ".head");
        String downloaded =
                curl("--compressed", "-D", head.toString(), "-o", body.toString(), "-w", "%{size_download}", url(name));

        assertThat(Files.readAllBytes(body)).isEqualTo(Files.readAllBytes(root.resolve(name)));
        assertThat(field(head, "Content-Encoding")).isEqualTo("gzip");
        assertThat(Long.parseLong(downloaded.trim()))
                .as("bytes on the wire")
                .isLessThan(Files.size(root.resolve(name)) / 2);
    }

    @Test
    void compressedGetsTheExactFileFromAZstdSidecar() throws Exception {
        assumeTrue(Files.exists(root.resolve("zstd.js.zst")), "zstd is not installed");
        Path body = work.resolve("zstd.body");
        Path head = work.resolve("zstd.head");
        curl("--compressed", "-D", head.toString(), "-o", body.toString(), url("zstd.js"));

        assertThat(field(head, "Content-Encoding")).isEqualTo("zstd");
        assertThat(Files.readAllBytes(body)).isEqualTo(Files.readAllBytes(root.resolve("zstd.js")));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void savedETagComparedNextTimeIsNotModified(boolean compressed) throws Exception {
        for (String name : List.of("cached.html", "streamed.txt", "sidecar.css")) {
            Path tag = work.resolve(name + "-" + compressed + ".etag");
            List<String> first = new ArrayList<>(List.of("--etag-save", tag.toString(), "-o", "/dev/null"));
            List<String> second =
                    new ArrayList<>(List.of("--etag-compare", tag.toString(), "-o", "/dev/null", "-w", "%{http_code}"));
            if (compressed) {
                first.add("--compressed");
                second.add("--compressed");
            }
            first.add(url(name));
            second.add(url(name));
            curl(first.toArray(String[]::new));

            assertThat(Files.readString(tag).trim()).as(name).matches("\"[^\"]+\"");
            assertThat(curl(second.toArray(String[]::new))).as(name).isEqualTo("304");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cached.html", "streamed.txt"})
    void twoRangesAreMultipartWithBothParts(String name) throws Exception {
        byte[] file = Files.readAllBytes(root.resolve(name));
        Path head = work.resolve(name + ".ranges.head");
        String body = curl("-r", "0-9,20-29", "-D", head.toString(), url(name));

        assertThat(field(head, "Content-Type")).startsWith("multipart/byteranges; boundary=");
        assertThat(body)
                .contains("Content-Range: bytes 0-9/" + file.length)
                .contains("Content-Range: bytes 20-29/" + file.length)
                .contains(new String(file, 0, 10, StandardCharsets.US_ASCII))
                .contains(new String(file, 20, 10, StandardCharsets.US_ASCII));
        assertThat(body.indexOf("bytes 0-9/")).isLessThan(body.indexOf("bytes 20-29/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cached.html", "streamed.txt"})
    void oneRangeIsExactlyThoseBytes(String name) throws Exception {
        byte[] file = Files.readAllBytes(root.resolve(name));
        Path body = work.resolve(name + ".range");
        String status = curl("-r", "5-9", "-o", body.toString(), "-w", "%{http_code}", url(name));

        assertThat(status).isEqualTo("206");
        assertThat(Files.readAllBytes(body)).isEqualTo(Arrays.copyOfRange(file, 5, 10));
    }

    private static String url(String name) {
        return "http://127.0.0.1:" + server.port() + "/" + name;
    }

    /** The value of a field in a head curl saved with -D, or null. */
    private static String field(Path head, String name) throws IOException {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        for (String line : Files.readAllLines(head, StandardCharsets.ISO_8859_1)) {
            if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        return null;
    }

    /** Runs curl silently, without any ~/.curlrc (-q), and returns what it wrote to stdout. */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-q", "--silent", "--show-error", "--max-time", "30"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish within 60 s");
        }
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return out;
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
