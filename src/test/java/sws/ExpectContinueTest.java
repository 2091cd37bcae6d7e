package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static sws.CgiTest.cgiDir;
import static sws.CgiTest.script;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sws.http.Limits;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * RFC 9110 section 10.1.1, {@code Expect: 100-continue}: the interim 100 goes out when the body is first
 * needed and only then; an answer that needs no body goes out at once, without waiting for one; any other
 * expectation is 417; HTTP/1.0 requests' Expect fields are ignored. Checked with raw sockets (what arrives
 * before any body byte is sent) and with curl, which waits a second for the 100 unless told otherwise.
 */
class ExpectContinueTest {
    private static final int BODY_LIMIT = 4 * 1024 * 1024;
    private static final int SILENCE_MILLIS = 500;

    private static TestServer server;
    private static Path release;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "file.txt", "static file\n");
        TestServer.write(root, ".hidden", "hidden\n");
        Path cgi = cgiDir(root);
        script(cgi, "cat.sh", "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nexec cat\n");
        script(
                cgi,
                "count.sh",
                "n=$(wc -c | tr -d ' ')\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s %s' \"$CONTENT_LENGTH\" \"$n\"\n");
        script(cgi, "env.sh", "cat >/dev/null\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec /usr/bin/env\n");
        script(cgi, ".hidden.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nhidden'\n");
        TestServer.write(cgi, "not-executable.sh", "#!/bin/sh\n");
        release = root.getParent().resolve("release");
        script(
                cgi,
                "hold.sh",
                "i=0\nwhile [ ! -e " + release + " ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done\n"
                        + "printf 'Content-Type: text/plain\\r\\n\\r\\nreleased'\n");
        server = TestServer.start(root, c -> c.cgi(new Config.Cgi(cgi, Duration.ofSeconds(20), 1, 1))
                .limits(new Limits(8192, 65536, 100, BODY_LIMIT)));
    }

    @AfterAll
    static void stop() throws IOException {
        Files.writeString(release, "");
        server.close();
    }

    private static String post(String target, String framing) {
        return "POST " + target + " HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n" + framing + "\r\n";
    }

    @Test
    void continueArrivesBeforeAnyBodyByteThenTheProgramGetsTheBody() {
        try (RawClient c = server.ipv4()) {
            c.send(post("/cgi-bin/count.sh", "Content-Length: 11\r\n"));
            Reply interim = c.read();
            assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(interim.rawHeaders()).isEmpty();

            Reply reply = c.send("hello world").read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("11 11");

            Reply next = c.send("GET /file.txt HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(next.status()).as("the connection serves on").isEqualTo(200);
            assertThat(next.text()).isEqualTo("static file\n");
        }
    }

    @Test
    void continueArrivesBeforeAChunkedBodyWhichIsGatheredForTheProgram() {
        try (RawClient c = server.ipv6()) {
            c.send(post("/cgi-bin/count.sh", "Transfer-Encoding: chunked\r\n"));
            assertThat(c.read().statusLine()).isEqualTo("HTTP/1.1 100 Continue");

            Reply reply = c.send("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("11 11");
        }
    }

    @Test
    void repeatedContinueFieldsAreOneExpectation() {
        try (RawClient c = server.ipv4()) {
            c.send("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nExpect: 100-continue, \r\n"
                    + "Content-Length: 2\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            assertThat(c.send("ok").read().text()).isEqualTo("ok");
        }
    }

    @Test
    void aClientThatDidNotWaitGetsNoContinue() {
        try (RawClient c = server.ipv4()) {
            Reply reply = c.send(post("/cgi-bin/cat.sh", "Content-Length: 3\r\n") + "abc")
                    .read();
            assertThat(reply.status()).as("the body was there already").isEqualTo(200);
            assertThat(reply.text()).isEqualTo("abc");
        }
    }

    @Test
    void aRequestWithoutABodyNeedsNoContinue() {
        try (RawClient c = server.ipv4()) {
            Reply reply = c.send("GET /file.txt HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n")
                    .read();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("static file\n");
        }
    }

    /** Answers that need no body: the final status comes without a 100, and the connection then closes. */
    static Stream<Arguments> finalStatusComesAtOnce() {
        return Stream.of(
                arguments("PUT", "/file.txt", 405),
                arguments("POST", "/file.txt", 405),
                arguments("GET", "/missing.txt", 404),
                arguments("GET", "/.hidden", 404),
                arguments("GET", "/file.txt", 200),
                arguments("POST", "/cgi-bin/missing.sh", 404),
                arguments("POST", "/cgi-bin/.hidden.sh", 404),
                arguments("POST", "/cgi-bin/not-executable.sh", 403),
                arguments("PUT", "/cgi-bin/cat.sh", 405),
                arguments("GET", "/../outside", 403));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @MethodSource
    void finalStatusComesAtOnce(String method, String target, int status) {
        try (RawClient c = server.ipv4()) {
            c.send(method + " " + target
                    + " HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
            Reply reply = method.equals("HEAD") ? c.readHead() : c.read();
            assertThat(reply.status()).isEqualTo(status);
            assertThat(reply.header("Connection")).isEqualTo("close");
            assertThat(c.closedWithin(3_000))
                    .as("closed without the body ever being sent")
                    .isTrue();
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedAtOnce() {
        for (String framing :
                List.of("Content-Length: " + (BODY_LIMIT + 1) + "\r\n", "Content-Length: 99999999999\r\n")) {
            try (RawClient c = server.ipv4()) {
                Reply reply = c.send(post("/cgi-bin/cat.sh", framing)).read();
                assertThat(reply.status()).isEqualTo(413);
                assertThat(c.closedWithin(3_000)).isTrue();
            }
        }
    }

    @Test
    void aClientThatSendsTheBodyAnywayStillReadsTheAnswer() {
        try (RawClient c = server.ipv4()) {
            c.send("PUT /file.txt HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 200000\r\n\r\n");
            c.send(new byte[200_000]);
            assertThat(c.read().status()).isEqualTo(405);
            assertThat(c.closedWithin(3_000)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource
    void anyOtherExpectationIs417(String expect) {
        try (RawClient c = server.ipv4()) {
            Reply reply = c.send("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: h\r\n" + expect + "Content-Length: 5\r\n\r\n")
                    .read();
            assertThat(reply.status()).isEqualTo(417);
            assertThat(reply.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        }
    }

    static Stream<String> anyOtherExpectationIs417() {
        return Stream.of(
                "Expect: something-else\r\n",
                "Expect: 100-continue, x-other\r\n",
                "Expect: 100-continue\r\nExpect: 200-ok\r\n",
                "Expect: 100-continue=1\r\n");
    }

    @Test
    void http10IgnoresExpect() {
        try (RawClient c = server.ipv4()) {
            Reply reply = c.send(
                            "POST /cgi-bin/cat.sh HTTP/1.0\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nhi")
                    .read();
            assertThat(reply.status()).as("not 417").isEqualTo(200);
        }
        try (RawClient c = server.ipv4()) {
            c.send("POST /cgi-bin/count.sh HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            assertThat(c.silentFor(SILENCE_MILLIS)).as("no 100 for HTTP/1.0").isTrue();
            Reply reply = c.send("hi").read();
            assertThat(reply.statusLine()).startsWith("HTTP/1.0 200");
            assertThat(reply.text()).isEqualTo("2 2");
        }
    }

    @Test
    void theProgramNeverSeesExpect() {
        try (RawClient c = server.ipv4()) {
            c.send(post("/cgi-bin/env.sh", "Content-Length: 4\r\n"));
            assertThat(c.read().status()).isEqualTo(100);
            String env = c.send("body").read().text();
            assertThat(env).contains("REQUEST_METHOD=POST").doesNotContain("EXPECT");
        }
    }

    /**
     * With the one program slot taken, a request waits in the queue: its body is not needed yet, so no 100;
     * it comes once the program starts. With the queue taken too, 503 comes at once.
     */
    @Test
    void continueWaitsForAProgramSlotAndAFullQueueIsRefusedAtOnce() throws Exception {
        Files.deleteIfExists(release);
        try (RawClient holder = server.ipv4();
                RawClient waiting = server.ipv4();
                RawClient refused = server.ipv4();
                RawClient refusedChunked = server.ipv4()) {
            holder.send("GET /cgi-bin/hold.sh HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(Poll.until(Duration.ofSeconds(10), ExpectContinueTest::holdRuns))
                    .as("hold.sh runs")
                    .isTrue();
            waiting.send(post("/cgi-bin/cat.sh", "Content-Length: 5\r\n"));
            assertThat(waiting.silentFor(SILENCE_MILLIS))
                    .as("no 100 while queued")
                    .isTrue();

            Reply full = refused.send(post("/cgi-bin/cat.sh", "Content-Length: 5\r\n"))
                    .read();
            assertThat(full.status()).isEqualTo(503);
            Reply fullChunked = refusedChunked
                    .send(post("/cgi-bin/cat.sh", "Transfer-Encoding: chunked\r\n"))
                    .read();
            assertThat(fullChunked.status()).isEqualTo(503);

            Files.writeString(release, "");
            assertThat(holder.read().text()).isEqualTo("released");
            assertThat(waiting.read().status()).as("100 once the program runs").isEqualTo(100);
            assertThat(waiting.send("queue").read().text()).isEqualTo("queue");
        } finally {
            Files.deleteIfExists(release);
        }
    }

    private static boolean holdRuns() {
        try {
            Process p = new ProcessBuilder("pgrep", "-f", "cgi/hold.sh").start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- curl, which sends Expect: 100-continue for uploads over 1 MiB and with -T

    /** Runs curl against the server; --expect100-timeout makes a missing 100 cost 20 s rather than 1 s. */
    private static List<String> curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "--expect100-timeout",
                "20",
                "-w",
                "%{http_code} %{time_total} %{size_upload}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("curl ended").isTrue();
        assertThat(p.exitValue()).as("curl: %s", out).isZero();
        return List.of(out.trim().split(" "));
    }

    private static Path upload(int size) throws IOException {
        Path file = server.scratch().resolve("upload-" + size);
        byte[] bytes = new byte[size];
        new java.util.Random(size).nextBytes(bytes);
        return Files.write(file, bytes);
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    @Test
    void curlUploadsWithoutWaitingForTheExpectTimeout() throws Exception {
        Path file = upload(BODY_LIMIT / 2); // over 1 MiB: curl sends Expect by itself
        for (List<String> args : List.of(
                List.of("-T", file.toString(), "-X", "POST", url("/cgi-bin/count.sh")),
                List.of("-F", "f=@" + file, url("/cgi-bin/count.sh")),
                List.of("-H", "Expect: 100-continue", "--data-binary", "@" + file, url("/cgi-bin/count.sh")))) {
            List<String> result = curl(args.toArray(String[]::new));
            assertThat(result.get(0)).as("%s", args).isEqualTo("200");
            assertThat(Double.parseDouble(result.get(1)))
                    .as("seconds for %s (20 if the 100 never came)", args)
                    .isLessThan(10);
            assertThat(Long.parseLong(result.get(2))).isGreaterThanOrEqualTo(BODY_LIMIT / 2);
        }
    }

    @Test
    void curlIsToldNoBeforeItUploads() throws Exception {
        Path file = upload(BODY_LIMIT / 2);
        List<String> result = curl("-T", file.toString(), url("/file.txt"));
        assertThat(result.get(0)).isEqualTo("405");
        assertThat(Double.parseDouble(result.get(1))).isLessThan(10);
        assertThat(result.get(2)).as("bytes uploaded").isEqualTo("0");
    }
}
