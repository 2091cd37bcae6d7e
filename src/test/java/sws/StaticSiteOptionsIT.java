package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sws.testing.Processes;
import sws.testing.RawClient;

/** Spec section 8's options on the packaged sws's command line: bad values end it at start, good ones serve. */
class StaticSiteOptionsIT {
    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("sws: listening on (.+):(\\d+)");

    @TempDir
    Path tmp;

    private Path docroot;
    private final Processes processes = new Processes();

    @BeforeEach
    void makeDocroot() throws IOException {
        docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("hello.txt"), "hello\n");
        Files.writeString(docroot.resolve("index.html"), "<title>app</title>\n");
        Files.writeString(docroot.resolve(".hidden.html"), "hidden\n");
        Files.createDirectory(docroot.resolve("sub"));
        Files.writeString(tmp.resolve("outside.html"), "outside\n");
    }

    @AfterEach
    void killEverythingStarted() {
        processes.close();
    }

    /** Each bad value, as the options that carry it; the --fallback paths are relative to the docroot. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("header without a colon", List.of("--header", "X-Frame-Options DENY")),
                arguments("header name not a token", List.of("--header", "X Frame: DENY")),
                arguments("header Date", List.of("--header", "Date: today")),
                arguments("header content-type", List.of("--header", "content-type: text/plain")),
                arguments("header ETag", List.of("--header", "X-Fine: 1", "--header", "ETag: \"x\"")),
                arguments("header value with SOH", List.of("--header", "X-A: a\u0001b")),
                arguments("header value with a newline", List.of("--header", "X-A: a\nX-B: b")),
                arguments("cors ftp", List.of("--cors=ftp://x")),
                arguments("cors with a path", List.of("--cors=https://a.example/path")),
                arguments("cors with a path after a space", List.of("--cors", "https://a.example/path")),
                arguments("cache-control empty", List.of("--cache-control", "")),
                arguments("cache-control with SOH", List.of("--cache-control", "max-age=1\u0001")),
                arguments("fallback missing", List.of("--fallback", "missing.html")),
                arguments("fallback a directory", List.of("--fallback", "sub")),
                arguments("fallback outside", List.of("--fallback", "../outside.html")),
                arguments("fallback hidden", List.of("--fallback", ".hidden.html")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValueEndsTheStartWithOneLineAndStatusOne(String name, List<String> options) {
        assertOneLineFailure(run(options));
    }

    /**
     * The message of a refused value quotes the value as given: one holding a line end would make it two
     * lines, and a terminal would show what the control characters do.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesWithLineEnds")
    void badValueWithALineEndIsStillOneLine(String name, List<String> options) {
        assertOneLineFailure(run(options));
    }

    static Stream<Arguments> valuesWithLineEnds() {
        return Stream.of(
                arguments("header without a colon", List.of("--header", "X-A\nX-B")),
                arguments("header name", List.of("--header", "X\nA: 1")),
                arguments("cache-control", List.of("--cache-control", "max-age=1\nX-B: b")),
                arguments("cors", List.of("--cors=https://a.example/\nx")),
                arguments("fallback", List.of("--fallback", "missing\nx.html")));
    }

    @ParameterizedTest
    @MethodSource("corsSpellings")
    void corsServesWithItsOrigin(List<String> options, String origin) {
        int port = startServing(options);
        RawClient.Reply r = get(port, "/hello.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("hello\n");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        if (origin.equals("*")) {
            assertThat(r.rawHeaders()).doesNotContain("Vary: Origin");
        } else {
            assertThat(r.rawHeaders()).contains("Vary: Origin");
        }
        assertThat(get(port, "/missing.txt").header("Access-Control-Allow-Origin"))
                .isEqualTo(origin);
    }

    static Stream<Arguments> corsSpellings() {
        return Stream.of(
                arguments(List.of("--cors", "https://a.example"), "https://a.example"),
                arguments(List.of("--cors=https://a.example"), "https://a.example"),
                arguments(List.of("--cors"), "*"));
    }

    @Test
    void repeatedHeadersAreAllSentInOrder() {
        int port = startServing(List.of("--header", "X-A: 1", "--header", "X-B: 2"));
        RawClient.Reply r = get(port, "/hello.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.rawHeaders()).containsSubsequence("X-A: 1", "X-B: 2");
        RawClient.Reply missing = get(port, "/missing.txt");
        assertThat(missing.header("X-A")).isNull();
        assertThat(missing.header("X-B")).isNull();
    }

    @Test
    void cacheControlAndFallbackServe() {
        int port = startServing(List.of("--cache-control", "max-age=60", "--fallback", "index.html", "--no-compress"));
        RawClient.Reply r = get(port, "/app/route");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("<title>app</title>\n");
        assertThat(r.header("Cache-Control")).isEqualTo("max-age=60");
        assertThat(get(port, "/missing.js").status()).isEqualTo(404);
    }

    @Test
    void helpListsTheNewOptions() {
        var r = processes.run(QUICK, "-h");
        assertThat(r.status()).isZero();
        assertThat(r.stdout())
                .contains("--cache-control VALUE")
                .contains("--header 'NAME: VALUE'")
                .contains("--cors [ORIGIN]")
                .contains("--fallback PATH")
                .contains("--no-compress");
    }

    // ---- helpers

    /** Runs sws in the foreground on a free port of 127.0.0.1 with these options before the docroot. */
    private Processes.Result run(List<String> options) {
        return processes.run(QUICK, commandLine(options));
    }

    private int startServing(List<String> options) {
        Processes.Running sws = processes.start(commandLine(options));
        Matcher m = sws.stderr().awaitLine(LISTENING, QUICK);
        return Integer.parseInt(m.group(2));
    }

    private String[] commandLine(List<String> options) {
        List<String> args = new ArrayList<>(List.of("-f", "-i", "127.0.0.1", "-p", "0"));
        args.addAll(options);
        args.add(docroot.toString());
        return args.toArray(String[]::new);
    }

    private static RawClient.Reply get(int port, String target) {
        try (var c = RawClient.connect(InetAddress.getLoopbackAddress(), port)) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .read();
        }
    }

    private static void assertOneLineFailure(Processes.Result r) {
        assertThat(r.status()).as("exit status; stderr: %s", r.stderr()).isEqualTo(1);
        assertThat(r.stderrLines()).singleElement(STRING).startsWith("sws: ");
        assertThat(r.stderr())
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("at sws.");
    }
}
