package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.testing.TestServer;

/**
 * Issue 8 in a real browser: headless Chromium (Debian's package, which bin/test installs) loads a listing,
 * an error page and UTF-8 text from a real sws, and the test reads what it rendered: the DOM it built
 * ({@code --dump-dom}) and the pixels of screenshots in the light and the dark theme. The screenshots are
 * kept in {@code target/browser/}; the README's pictures are copies of them.
 */
class BrowserIT {
    private static final String GREETING = "Grüße aus Köln";
    private static final Path SHOTS = Path.of(System.getProperty("basedir", "."), "target", "browser");

    @TempDir
    static Path profiles;

    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "files/notes.txt", GREETING + "\n");
        TestServer.write(root, "files/page.html", "<!DOCTYPE html><title>t</title><p>" + GREETING + "</p>\n");
        TestServer.write(root, "files/small.bin", new byte[1536]);
        TestServer.write(root, "files/sub/inside.txt", "x");
        try (RandomAccessFile sparse =
                new RandomAccessFile(root.resolve("files/disk.img").toFile(), "rw")) {
            sparse.setLength(3L * 1024 * 1024 * 1024);
        }
        for (String name : List.of("notes.txt", "page.html", "small.bin", "sub", "disk.img")) {
            TestServer.touch(root.resolve("files/" + name), 1_795_000_000L);
        }
        server = TestServer.start(root);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void listingShowsReadableSizesExactBytesUtcTimesAndMarksFolders() throws Exception {
        String dom = chromium("--dump-dom", url("/files/"));

        assertThat(dom).contains("<title>Index of /files/</title>").contains("<h1>Index of /files/</h1>");
        List<String> rows = rows(dom);
        assertThat(rows).hasSize(6);
        assertThat(rows.get(0))
                .as("the parent")
                .startsWith("<tr class=\"dir\">")
                .contains("href=\"../\"");
        assertThat(names(rows)).containsExactly("../", "disk.img", "notes.txt", "page.html", "small.bin", "sub/");
        String disk = rows.get(1);
        assertThat(disk).startsWith("<tr class=\"file\">");
        assertThat(disk).contains("<td class=\"size\" title=\"3221225472 bytes\">3.0 GiB</td>");
        assertThat(disk).contains("<time datetime=\"2026-11-18T11:06:40Z\">2026-11-18 11:06:40</time>");
        assertThat(rows.get(4)).contains("title=\"1536 bytes\">1.5 KiB</td>");
        assertThat(rows.get(5)).as("a folder").startsWith("<tr class=\"dir\">").contains("<td class=\"size\">-</td>");
        assertThat(dom).contains("<footer>sws/");
        assertThat(dom).as("no script, no external resource").doesNotContain("<script", "<link", "src=");
    }

    @Test
    void errorPageShowsStatusReasonASentenceAndTheServer() throws Exception {
        String dom = chromium("--dump-dom", url("/no/such/page"));

        assertThat(dom).contains("<title>404 Not Found</title>");
        assertThat(dom).contains("<h1>404 Not Found</h1>");
        assertThat(dom).contains("<p>Nothing is at this address.</p>");
        assertThat(dom).containsPattern("<footer>sws/[^<]+</footer>");
    }

    @Test
    void utf8TextAndHtmlWithoutAMetaTagAreReadAsUtf8() throws Exception {
        assertThat(chromium("--dump-dom", url("/files/notes.txt")))
                .contains(GREETING)
                .doesNotContain("Ã");
        assertThat(chromium("--dump-dom", url("/files/page.html")))
                .contains(GREETING)
                .doesNotContain("Ã");
    }

    /** The page follows the system's theme: a light background in light mode, a dark one in dark mode. */
    @Test
    void pagesFollowTheSystemThemeOnADesktopAndOnAPhone() throws Exception {
        BufferedImage light = screenshot("listing-light.png", "1000,420", false, "/files/");
        BufferedImage dark = screenshot("listing-dark.png", "1000,420", true, "/files/");
        BufferedImage phone = screenshot("listing-phone.png", "390,520", false, "/files/");
        BufferedImage error = screenshot("error.png", "800,260", false, "/no/such/page");

        assertThat(brightness(light.getRGB(5, 5))).as("light background").isGreaterThan(240);
        assertThat(brightness(dark.getRGB(5, 5))).as("dark background").isLessThan(40);
        assertThat(brightness(error.getRGB(5, 5))).isGreaterThan(240);
        assertThat(phone.getWidth()).isEqualTo(390);
        assertThat(darkPixels(phone, 330, 390))
                .as("the size column is on the phone's screen, not cut off")
                .isPositive();
    }

    private static BufferedImage screenshot(String name, String size, boolean dark, String path) throws Exception {
        Path file = SHOTS.resolve(name);
        List<String> args = new ArrayList<>(List.of("--hide-scrollbars", "--window-size=" + size));
        if (dark) {
            args.add("--force-dark-mode");
            args.add("--blink-settings=preferredColorScheme=0");
        }
        args.add("--screenshot=" + file);
        args.add(url(path));
        chromium(args.toArray(String[]::new));
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as(name).isNotNull();
        return image;
    }

    private static int brightness(int rgb) {
        return (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
    }

    /** How many pixels between the columns from (inclusive) and to (exclusive) are dark: text, in light mode. */
    private static int darkPixels(BufferedImage image, int from, int to) {
        int n = 0;
        for (int x = from; x < to; x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                if (brightness(image.getRGB(x, y)) < 128) {
                    n++;
                }
            }
        }
        return n;
    }

    private static List<String> rows(String dom) {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("<tr class=\"[^\"]*\">.*?</tr>").matcher(dom);
        while (m.find()) {
            rows.add(m.group());
        }
        return rows;
    }

    private static List<String> names(List<String> rows) {
        Pattern link = Pattern.compile("<a href=\"[^\"]*\">([^<]*)</a>");
        return rows.stream()
                .map(r -> {
                    Matcher m = link.matcher(r);
                    return m.find() ? m.group(1) : "?";
                })
                .toList();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** Runs headless Chromium with a fresh profile and no network of its own; returns what it printed. */
    private static String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                executable(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(profiles, "profile")));
        command.addAll(List.of(args));
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

    private static String executable() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("no chromium on PATH: bin/test installs Debian's package 'chromium'");
    }
}
