package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.testing.Poll;
import sws.testing.TestServer;

/**
 * Spec section 8 in a real browser's cache: headless Chromium loads a page of 20 assets (CSS, JavaScript,
 * PNG, SVG; sent as they are, gzipped on the fly, or from a .gz sidecar) from an sws that sends
 * {@code Cache-Control: no-cache}, then loads it again with the same profile. The access log shows the
 * second load revalidating every asset with the ETag it kept: 304 each, whatever form it was sent in.
 */
class BrowserCacheIT {
    private static final Pattern LOG_LINE = Pattern.compile("^\\S+ \\S+ \"GET (\\S+) HTTP/1\\.1\" (\\d{3}) (\\d+|-)$");

    /** What an asset is sent as, to a browser that takes gzip. */
    enum Form {
        IDENTITY,
        GZIP_ON_THE_FLY,
        GZIP_SIDECAR
    }

    /** One asset of the page: its path and the form it goes in. */
    record Asset(String path, Form form) {}

    @TempDir
    static Path work;

    private static TestServer server;
    private static Path root;
    private static Path log;
    private static final List<Asset> ASSETS = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(chromium().isPresent(), "no chromium on PATH: bin/test installs Debian's package 'chromium'");
        root = TestServer.newDocroot();
        log = work.resolve("access.log");
        List<Form> forms =
                List.of(Form.IDENTITY, Form.IDENTITY, Form.GZIP_ON_THE_FLY, Form.GZIP_ON_THE_FLY, Form.GZIP_SIDECAR);
        for (int i = 0; i < 5; i++) {
            Form form = forms.get(i);
            asset("a/s" + i + ".css", css(i, form), form);
            asset("a/j" + i + ".js", js(i, form), form);
            asset("a/v" + i + ".svg", svg(i, form), form);
            asset("a/p" + i + ".png", png(i + 1), Form.IDENTITY);
        }
        TestServer.write(root, "page.html", page());
        server = TestServer.start(root, c -> c.accessLog(log).cacheControl("no-cache"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void secondLoadRevalidatesEveryAssetAndGets304s() throws Exception {
        Path profile = Files.createTempDirectory(work, "profile");

        String first = chromium(profile, "/page.html");
        Map<String, String[]> firstLoad = awaitAssets(0);
        int seen = lines().size();
        String second = chromium(profile, "/page.html");
        Map<String, String[]> secondLoad = awaitAssets(seen);

        for (String dom : List.of(first, second)) {
            assertThat(dom).as("every script ran").contains("<p id=\"js\">j0 j1 j2 j3 j4</p>");
            assertThat(dom).as("every style applied").contains("<p id=\"css\">s0 s1 s2 s3 s4</p>");
            assertThat(dom).as("every image decoded").contains("<p id=\"img\">1 2 3 4 5 1 2 3 4 5</p>");
        }
        for (Asset a : ASSETS) {
            String[] f = firstLoad.get("/" + a.path());
            assertThat(f[0]).as("first load of " + a.path()).isEqualTo("200");
            long size = Files.size(root.resolve(a.path()));
            long sent = Long.parseLong(f[1]);
            switch (a.form()) {
                case IDENTITY -> assertThat(sent).as(a.path()).isEqualTo(size);
                case GZIP_ON_THE_FLY -> assertThat(sent).as(a.path()).isLessThan(size);
                case GZIP_SIDECAR ->
                    assertThat(sent).as(a.path()).isEqualTo(Files.size(root.resolve(a.path() + ".gz")));
            }
        }
        List<String> notModified = ASSETS.stream()
                .map(a -> "/" + a.path())
                .filter(p -> secondLoad.get(p)[0].equals("304"))
                .toList();
        System.out.printf(
                "second load: %d of %d assets 304, the page %s%n",
                notModified.size(), ASSETS.size(), secondLoad.get("/page.html")[0]);
        assertThat(notModified).hasSize(20);
        assertThat(secondLoad.get("/page.html")[0]).isEqualTo("304");
    }

    /** The page and every asset's log entry from line {@code from} on: status and bytes, by path. */
    private static Map<String, String[]> awaitAssets(int from) {
        Map<String, String[]> found = new LinkedHashMap<>();
        Poll.await(Duration.ofSeconds(10), () -> {
            found.clear();
            List<String> lines = lines();
            for (String line : lines.subList(Math.min(from, lines.size()), lines.size())) {
                Matcher m = LOG_LINE.matcher(line);
                if (m.matches()) {
                    found.putIfAbsent(m.group(1), new String[] {m.group(2), m.group(3)});
                }
            }
            return found.containsKey("/page.html") && ASSETS.stream().allMatch(a -> found.containsKey("/" + a.path()));
        });
        return found;
    }

    private static List<String> lines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void asset(String path, byte[] content, Form form) {
        TestServer.write(root, path, content);
        if (form == Form.GZIP_SIDECAR) {
            TestServer.write(root, path + ".gz", CompressionTest.gzip(content));
        }
        ASSETS.add(new Asset(path, form));
    }

    /** Content under 256 bytes for IDENTITY (never compressed), well over it otherwise. */
    private static String padding(Form form, String open, String close) {
        return form == Form.IDENTITY ? "" : open + " padding that compresses well ".repeat(100) + close;
    }

    private static byte[] css(int i, Form form) {
        return (":root { --s" + i + ": 1; }\n" + padding(form, "/*", "*/") + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] js(int i, Form form) {
        return ("(window.loaded = window.loaded || []).push('j" + i + "');\n" + padding(form, "/*", "*/") + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] svg(int i, Form form) {
        return ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (i + 1) + "\" height=\"1\">"
                        + padding(form, "<!--", "-->") + "<rect width=\"1\" height=\"1\"/></svg>\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] png(int width) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, 1, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    /**
     * The page: stylesheets and scripts in the head, images in the body, and a script that writes what
     * loaded into the DOM once everything has (--dump-dom prints the DOM after the load event).
     */
    private static String page() {
        StringBuilder head = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (Asset a : ASSETS) {
            String href = "/" + a.path();
            if (href.endsWith(".css")) {
                head.append("<link rel=\"stylesheet\" href=\"").append(href).append("\">\n");
            } else if (href.endsWith(".js")) {
                head.append("<script src=\"").append(href).append("\"></script>\n");
            } else {
                body.append("<img src=\"").append(href).append("\">\n");
            }
        }
        return """
                <!DOCTYPE html>
                <html><head><title>assets</title>
                %s</head><body>
                %s<p id="js"></p><p id="css"></p><p id="img"></p>
                <script>
                document.getElementById('js').textContent = (window.loaded || []).sort().join(' ');
                const style = getComputedStyle(document.documentElement);
                document.getElementById('css').textContent = [0, 1, 2, 3, 4]
                    .filter(i => style.getPropertyValue('--s' + i).trim() === '1').map(i => 's' + i).join(' ');
                addEventListener('load', () => {
                  const images = [...document.images].sort((a, b) => a.src.localeCompare(b.src));
                  document.getElementById('img').textContent = images.map(i => i.naturalWidth).join(' ');
                });
                </script>
                <p>%s</p>
                </body></html>
                """
                .formatted(head, body, " enough text for the page itself to be gzipped too ".repeat(10));
    }

    /** Runs headless Chromium on the profile given and no network of its own; returns the DOM it dumped. */
    private static String chromium(Path profile, String path) throws IOException, InterruptedException {
        List<String> command = List.of(
                chromium().orElseThrow().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--dump-dom",
                "http://127.0.0.1:" + server.port() + path);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s");
        }
        assertThat(p.exitValue()).as("chromium's exit status").isZero();
        return out;
    }

    private static Optional<Path> chromium() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
