package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 4, the generated index of a directory without index.html: HTML5, a parent link, entries in
 * C-locale byte order with size and time, names HTML-escaped and URL-encoded, dot names never listed.
 */
class DirectoryIndexTest {
    private static final Pattern ANCHOR = Pattern.compile("<a\\s+href=\"([^\"]*)\"[^>]*>(.*?)</a>", Pattern.DOTALL);
    private static final String ODD_NAME = "<b>&\"x'.txt";

    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        for (String name : List.of("B", "a", "Z", "_x", "10", "9", "é.txt", "b.txt", "b-x")) {
            TestServer.write(root, "order/" + name, name);
        }
        Files.createDirectories(root.resolve("order/M"));
        Files.createDirectories(root.resolve("order/b"));

        TestServer.write(root, "list/shown.txt", "shown");
        TestServer.write(root, "list/.hidden", "hidden");
        TestServer.write(root, "list/.git/config", "hidden");
        TestServer.write(root, "list/.dotdir/x", "hidden");
        TestServer.write(root, "list/child/x.txt", "x");
        Path sized = TestServer.write(root, "list/sized.txt", "x".repeat(42));
        TestServer.touch(sized, 1_700_000_000L);
        TestServer.touch(root.resolve("list/child"), 1_234_567_890L);
        Files.createDirectories(root.resolve("empty"));
        Files.createDirectories(root.resolve("sizes"));
        try (var big =
                new java.io.RandomAccessFile(root.resolve("sizes/disk.img").toFile(), "rw")) {
            big.setLength(3L * 1024 * 1024 * 1024); // sparse: takes no disk
        }
        TestServer.write(root, "sizes/kib.bin", new byte[1536]);
        Files.createDirectories(root.resolve("sizes/folder"));
        TestServer.write(root, "<i>&x/y.txt", "y");

        TestServer.write(root, "esc/" + ODD_NAME, "odd");
        for (String name : List.of("a b.txt", "a#b.txt", "a?b.txt", "100%.txt", "é.txt", "a:b.txt", "a+b;c=d.txt")) {
            TestServer.write(root, "enc/" + name, "content of " + name);
        }
        TestServer.write(root, "enc/a dir/inner.txt", "content of a dir/inner.txt");
        TestServer.write(root, "latin/ok.txt", "ok");
        // A name that is not UTF-8 (Latin-1 "latín.txt"), made by the shell since Java names are text.
        run(
                "sh",
                "-c",
                "printf x > \"$1/$(printf 'lat\\355n.txt')\"",
                "sh",
                root.resolve("latin").toString());
        server = TestServer.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Issue 8: sizes as people read them, exact bytes on hover, folders marked beyond their slash. */
    @Test
    void sizesAreReadableWithExactBytesAndFoldersAreMarked() {
        String page = get("/sizes/").text();
        assertThat(page).contains("<td class=\"size\" title=\"3221225472 bytes\">3.0 GiB</td>");
        assertThat(page).contains("<td class=\"size\" title=\"1536 bytes\">1.5 KiB</td>");
        assertThat(page).containsPattern("<tr class=\"dir\"><td class=\"name\"><a href=\"folder/\">folder/</a>");
        assertThat(page).containsPattern("<tr class=\"file\"><td class=\"name\"><a href=\"disk.img\">");
        assertThat(page).contains("<meta name=\"viewport\"").contains("prefers-color-scheme:dark");
        assertThat(page).doesNotContain("<script").doesNotContain("<link");
    }

    @Test
    void generatedIndexIsHtml5WithTheDirectoryAsTitle() {
        RawClient.Reply r = get("/list/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWithIgnoringCase("text/html");
        String page = r.text();
        assertThat(page).startsWithIgnoringCase("<!DOCTYPE html>");
        assertThat(page).containsPattern("<html\\s+lang=\"[a-zA-Z-]+\"");
        assertThat(page).containsPattern("(?i)<meta\\s+charset=\"?utf-8\"?");
        assertThat(page).containsPattern("<title>[^<]*/list/[^<]*</title>");
        assertThat(page).containsIgnoringCase("</html>");
    }

    @Test
    void titleOfANestedDirectoryIsItsPath() {
        RawClient.Reply r = get("/enc/a%20dir/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).containsPattern("<title>[^<]*/enc/a dir/[^<]*</title>");
    }

    @Test
    void titleIsHtmlEscapedAndNeverTheFileSystemPath() {
        RawClient.Reply r = get("/%3Ci%3E%26x/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).doesNotContain("<i>").contains("&lt;i&gt;&amp;x");
        assertThat(r.text()).doesNotContain(server.scratch().toString());
    }

    @Test
    void generatedIndexLinksToTheParent() {
        assertThat(anchors(get("/list/").text())).extracting(Anchor::href).contains("../");
    }

    @Test
    void emptyDirectoryListsOnlyTheParent() {
        assertThat(anchors(get("/empty/").text())).extracting(Anchor::href).containsExactly("../");
    }

    @Test
    void entriesAreInByteOrderOfTheirUtf8NamesWithDirectoriesMarked() {
        // As LC_ALL=C ls sorts: bytes, not letters; a directory sorts by its name, not by "name/".
        assertThat(entryNames(get("/order/").text()))
                .containsExactly("10", "9", "B", "M/", "Z", "_x", "a", "b/", "b-x", "b.txt", "é.txt");
    }

    @Test
    void dotNamesAreNeverListed() {
        String page = get("/list/").text();
        assertThat(entryNames(page)).containsExactly("child/", "shown.txt", "sized.txt");
        assertThat(page).doesNotContain(".hidden").doesNotContain(".git").doesNotContain(".dotdir");
    }

    @Test
    void entryShowsSizeAndModificationTimeInUtc() {
        // The server runs in this JVM: a far-off default zone shows any time not written in UTC.
        TimeZone saved = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
        try {
            String page = get("/list/").text();
            String sized = entryText(page, "sized.txt");
            assertThat(sized).contains("2023-11-14 22:13:20");
            assertThat(sized.replace("2023-11-14 22:13:20", "")).containsPattern("\\b42\\b");
            assertThat(entryText(page, "child/")).contains("2009-02-13 23:31:30");
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void namesAreHtmlEscaped() {
        String page = get("/esc/").text();
        assertThat(page).doesNotContain("<b>").doesNotContain("&\"x");
        assertThat(entryNames(page)).containsExactly(ODD_NAME);
        Anchor a = anchors(page).get(1);
        assertThat(a.href()).doesNotContain("\"", "<", ">", "'", " ");
        assertThat(percentDecode(htmlUnescape(a.href()))).isEqualTo(ODD_NAME);
    }

    @Test
    void followingTheEscapedHrefFetchesTheFile() {
        String href = htmlUnescape(anchors(get("/esc/").text()).get(1).href());
        RawClient.Reply r = get(URI.create("http://test/esc/").resolve(href).getRawPath());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("odd");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a b.txt | a%20b.txt",
                "a#b.txt | a%23b.txt",
                "a?b.txt | a%3Fb.txt",
                "100%.txt | 100%25.txt",
                "é.txt | %C3%A9.txt",
                "a dir/ | a%20dir/"
            })
    void namesAreUrlEncodedInHref(String shown, String href) {
        assertThat(hrefOf(get("/enc/").text(), shown)).isEqualTo(href);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {"a b.txt", "a#b.txt", "a?b.txt", "100%.txt", "é.txt", "a:b.txt", "a+b;c=d.txt", "a dir/inner.txt"})
    void followingTheEncodedHrefFetchesTheFile(String name) {
        // Resolved the way a browser resolves a relative link against the listing's URL.
        URI base = URI.create("http://test/enc/");
        String first = name.contains("/") ? name.substring(0, name.indexOf('/') + 1) : name;
        URI target = base.resolve(hrefOf(get("/enc/").text(), first));
        assertThat(target.getHost()).isEqualTo("test");
        if (!first.equals(name)) {
            target = target.resolve(hrefOf(get(target.getRawPath()).text(), "inner.txt"));
        }
        assertThat(target.getRawQuery()).isNull();
        assertThat(target.getRawFragment()).isNull();
        RawClient.Reply r = get(target.getRawPath());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("content of " + name);
    }

    @Test
    void directoryHoldingANameThatIsNotUtf8IsStillListed() {
        RawClient.Reply r = get("/latin/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(entryNames(r.text())).contains("ok.txt").hasSize(2);
    }

    private record Anchor(String href, String text) {}

    private static void run(String... command) throws IOException {
        try {
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            assertThat(exit).as(String.join(" ", command)).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static RawClient.Reply get(String target) {
        return server.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    }

    private static List<Anchor> anchors(String page) {
        List<Anchor> anchors = new ArrayList<>();
        Matcher m = ANCHOR.matcher(page);
        while (m.find()) {
            anchors.add(new Anchor(m.group(1), m.group(2)));
        }
        return anchors;
    }

    /** The listed names as a reader sees them, without the parent link. */
    private static List<String> entryNames(String page) {
        return anchors(page).stream()
                .filter(a -> !a.href().equals("../"))
                .map(a -> htmlUnescape(a.text().replaceAll("<[^>]*>", "")).strip())
                .toList();
    }

    /** The href of the entry shown as this name, with its %XX escapes in upper case. */
    private static String hrefOf(String page, String shown) {
        for (Anchor a : anchors(page)) {
            if (htmlUnescape(a.text().replaceAll("<[^>]*>", "")).strip().equals(shown)) {
                return upperCaseEscapes(htmlUnescape(a.href()));
            }
        }
        throw new AssertionError("no entry " + shown + " in\n" + page);
    }

    /** The text of one entry: from its link to the next link, tags removed. */
    private static String entryText(String page, String shown) {
        List<Anchor> all = anchors(page);
        for (int i = 0; i < all.size(); i++) {
            if (htmlUnescape(all.get(i).text()).strip().equals(shown)) {
                int from = page.indexOf(all.get(i).href() + "\"");
                int to = i + 1 < all.size()
                        ? page.indexOf("href=\"" + all.get(i + 1).href() + "\"", from)
                        : page.length();
                return htmlUnescape(page.substring(from, to).replaceAll("<[^>]*>", " "));
            }
        }
        throw new AssertionError("no entry " + shown + " in\n" + page);
    }

    private static String htmlUnescape(String s) {
        Matcher m = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
                .matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String c =
                    switch (e) {
                        case "amp" -> "&";
                        case "lt" -> "<";
                        case "gt" -> ">";
                        case "quot" -> "\"";
                        case "apos" -> "'";
                        default ->
                            e.startsWith("#x")
                                    ? Character.toString(Integer.parseInt(e.substring(2), 16))
                                    : Character.toString(Integer.parseInt(e.substring(1)));
                    };
            m.appendReplacement(sb, Matcher.quoteReplacement(c));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String upperCaseEscapes(String href) {
        return Pattern.compile("%[0-9a-fA-F]{2}").matcher(href).replaceAll(m -> m.group()
                .toUpperCase(Locale.ROOT));
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
