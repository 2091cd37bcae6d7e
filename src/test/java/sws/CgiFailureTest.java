package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static sws.CgiTest.assertNoZombieChildren;
import static sws.CgiTest.cgiDir;
import static sws.CgiTest.running;
import static sws.CgiTest.script;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sws.testing.Poll;
import sws.testing.TestServer;

/**
 * Spec section 5, the failures: missing, not executable, hidden and escaping programs, programs that
 * answer badly or too slowly, and what a program writes to stderr. Each refused program would leave a
 * marker file if it ran; the tests check that it never did.
 */
class CgiFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static TestServer server;
    private static Path cgiDir;
    private static Path scratch;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        scratch = root.getParent();
        cgiDir = cgiDir(root);
        Path marker = scratch.resolve("ran");
        String marking = "touch " + marker + "\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n";
        script(cgiDir, ".secret.sh", marking);
        Path noexec = script(cgiDir, "noexec.sh", marking);
        Files.setPosixFilePermissions(noexec, PosixFilePermissions.fromString("rw-r--r--"));
        Path outside = script(scratch, "outside.sh", marking);
        Files.createSymbolicLink(cgiDir.resolve("link.sh"), outside);
        Files.createDirectories(cgiDir.resolve("dir"));
        script(cgiDir, "hello.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n");
        script(
                cgiDir,
                "slow.sh",
                "sleep 300 &\necho \"$$ $!\" > " + scratch.resolve("pids.tmp") + "\nmv "
                        + scratch.resolve("pids.tmp") + " " + scratch.resolve("pids") + "\nsleep 300\n"
                        + "printf 'Content-Type: text/plain\\r\\n\\r\\ntoo late\\n'\n");
        script(cgiDir, "partial.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\npartial\\n'\nexec sleep 300\n");
        script(
                cgiDir,
                "stderr.sh",
                "echo 'STDERR-LINE-7f3a' >&2\n"
                        + "printf 'Content-Type: text/plain\\r\\n\\r\\nclean\\n'\necho 'STDERR-AFTER-7f3a' >&2\n");
        server = TestServer.start(root, c -> c.cgi(cgiDir, TIMEOUT));
    }

    @AfterAll
    static void stop() {
        server.close();
        assertNoZombieChildren();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("/cgi-bin/missing.sh", 404),
                Arguments.of("/cgi-bin/missing.sh/extra", 404),
                Arguments.of("/cgi-bin/noexec.sh", 403),
                Arguments.of("/cgi-bin/.secret.sh", 404),
                Arguments.of("/cgi-bin/.secret.sh/extra", 404),
                Arguments.of("/cgi-bin/%2esecret.sh", 404),
                Arguments.of("/cgi-bin/link.sh", 403),
                Arguments.of("/cgi-bin/link.sh/extra", 403),
                Arguments.of("/cgi-bin/../../outside.sh", 403),
                Arguments.of("/cgi-bin/%2e%2e/%2e%2e/outside.sh", 403),
                Arguments.of("/cgi-bin/..%2f..%2foutside.sh", 403),
                Arguments.of("/cgi-bin/%2E%2E/%2E%2E/outside.sh", 403),
                Arguments.of("/cgi-bin/dir/../../../outside.sh", 403));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("refusals")
    void refusedProgramIsAnsweredWithItsStatusAndNeverRun(String target, int status) {
        var reply = server.send("GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.text()).doesNotContain("ran");
        assertThat(scratch.resolve("ran")).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dotSegmentsOutOfCgiBin")
    void dotSegmentsOutOfCgiBinNeverRunAProgram(String target) {
        // /cgi-bin/../x names the docroot's /x, where there is no such file; the program of that name
        // beside the CGI directory must not run.
        var reply = server.send("GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).isIn(403, 404);
        assertThat(reply.text()).doesNotContain("ran");
        assertThat(scratch.resolve("ran")).doesNotExist();
    }

    static Stream<String> dotSegmentsOutOfCgiBin() {
        return Stream.of("/cgi-bin/../outside.sh", "/cgi-bin/%2e%2e/outside.sh", "/cgi-bin/./../outside.sh");
    }

    @Test
    void theCgiDirectoryItselfIsNeverListed() {
        for (String target : List.of("/cgi-bin/", "/cgi-bin", "/cgi-bin/dir/")) {
            var reply = server.send("GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

            assertThat(reply.status()).as(target).isNotEqualTo(200);
            assertThat(reply.text()).as(target).doesNotContain("hello.sh");
        }
    }

    @Test
    void programPastTheTimeoutIs504AndItsWholeProcessGroupIsKilled() throws IOException {
        long start = System.nanoTime();
        var reply = server.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        long took = CgiTest.millisSince(start);

        assertThat(reply.status()).isEqualTo(504);
        assertThat(took).isBetween(TIMEOUT.toMillis() - 100, TIMEOUT.toMillis() + 5000);
        Path pids = scratch.resolve("pids");
        assertThat(pids).exists();
        long[] both = Arrays.stream(Files.readString(pids).trim().split(" "))
                .mapToLong(Long::parseLong)
                .toArray();
        assertThat(Poll.until(Duration.ofSeconds(5), () -> !running(both[0])))
                .as("the script, pid %d, is gone", both[0])
                .isTrue();
        assertThat(Poll.until(Duration.ofSeconds(5), () -> !running(both[1])))
                .as("its background child, pid %d, is gone", both[1])
                .isTrue();
        assertThat(Poll.until(Duration.ofSeconds(5), () -> groupMembers(both[0]).isEmpty()))
                .as("nothing left in its process group: %s", groupMembers(both[0]))
                .isTrue();
    }

    /** The running processes whose process group is pgid (its leader's pid, as setsid makes it). */
    private static List<Long> groupMembers(long pgid) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .filter(name -> {
                        try {
                            String stat = Files.readString(Path.of("/proc", name, "stat"));
                            String[] after =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            // after[0] is the state, after[2] the process group
                            return Long.parseLong(after[2]) == pgid && !after[0].equals("Z");
                        } catch (IOException | RuntimeException e) {
                            return false; // gone meanwhile
                        }
                    })
                    .map(Long::parseLong)
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void programTimingOutAfterItsBodyBeganHasTheStreamCut() throws IOException {
        try (var s = new CgiTest.StreamingClient(server.port())) {
            s.send("GET /cgi-bin/partial.sh HTTP/1.1\r\nHost: h\r\n\r\n");
            String head = s.head();
            String first = s.chunk();
            String rest = new String(s.rest(), StandardCharsets.ISO_8859_1);

            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Transfer-Encoding: chunked");
            assertThat(first).isEqualTo("partial\n");
            assertThat(rest)
                    .as("no last chunk: the client can tell the body was cut")
                    .doesNotContain("0\r\n\r\n");
        }
    }

    @Test
    void everyTimedOutStreamIsCutNeverEndedAsIfComplete() throws Exception {
        // The kill ends the program's output; that end raced the timeout's verdict, and sometimes won, so a
        // cut body could end with a proper last chunk. Eight at once give the race eight chances.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    try (var s = new CgiTest.StreamingClient(server.port())) {
                        s.send("GET /cgi-bin/partial.sh HTTP/1.1\r\nHost: h\r\n\r\n");
                        s.head();
                        s.chunk();
                        return new String(s.rest(), StandardCharsets.ISO_8859_1);
                    }
                }));
            }
            for (var result : results) {
                assertThat(result.get(20, java.util.concurrent.TimeUnit.SECONDS))
                        .as("no last chunk after a timeout")
                        .doesNotContain("0\r\n\r\n");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stderrGoesToTheServerErrorOutputPrefixedAndNeverToTheClient() {
        PrintStream saved = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var reply = server.send("GET /cgi-bin/stderr.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("clean\n");
            assertThat(String.join("\n", reply.rawHeaders())).doesNotContain("7f3a");
            assertThat(Poll.until(Duration.ofSeconds(5), () -> captured.toString(StandardCharsets.UTF_8)
                            .contains("STDERR-AFTER-7f3a")))
                    .isTrue();
            assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                    .anySatisfy(
                            l -> assertThat(l).contains("/cgi-bin/stderr.sh").contains("STDERR-LINE-7f3a"));
        } finally {
            System.setErr(saved);
        }
    }
}
