package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;

/**
 * Spec sections 3 to 6 under attack: every file in {@code src/test/resources/attacks/} is one raw request,
 * named for what it must get ({@code 403-traversal-encoded-2e2e.http} → 403; {@code closed-….http} → the
 * connection closed without a response), replayed against one real server. Whatever the answer, nothing
 * outside the docroot (nor a hidden file) is ever in it, and the connection is left either serving the
 * next request correctly or closed. Categories {@code halfclose} and {@code closed} end the client's side
 * after the request; {@code cgienv} requests reach an environment-dumping program, {@code log} requests
 * try to forge access-log lines.
 */
class AttackCorpusTest {
    /** In every file outside the docroot and in every hidden one: finding it in a response is a leak. */
    private static final String SECRET = "SECRET-" + UUID.randomUUID();

    private static final String OK_BODY = "ok\n";
    private static final String FOLLOW_UP = "GET /ok.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    private static final int CLOSE_BOUND_MILLIS = 3_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    /** Spec section 6: {@code %a %t "%r" %>s %b}. */
    private static final Pattern LOG_LINE =
            Pattern.compile("[0-9a-f.:]+ \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \"(.*)\" \\d{3} \\d+");

    /** The escapes %r may hold; once they are taken out, no quote or backslash may remain. */
    private static final Pattern LOG_ESCAPE = Pattern.compile("\\\\[\"\\\\]|\\\\x[0-9a-f]{2}");

    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        Path scratch = root.getParent();
        TestServer.write(root, "ok.txt", OK_BODY);
        TestServer.write(root, "index.html", "<!DOCTYPE html>\n<title>home</title>\n");
        TestServer.write(root, "dir/inside.txt", "inside\n");
        Files.createDirectories(root.resolve("evil.example"));
        Files.createDirectories(root.resolve("\\evil.example"));
        TestServer.write(root, ".hidden", SECRET);
        TestServer.write(root, ".git/config", SECRET);
        // Shadowed by the CGI directory: with CGI on, /cgi-bin/ never reaches the docroot.
        TestServer.write(root, "cgi-bin/shadow.txt", SECRET);
        Files.createSymbolicLink(root.resolve("link-out"), scratch.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("link-out-dir"), scratch.resolve("outside"));

        TestServer.write(scratch, "secret.txt", SECRET);
        TestServer.write(scratch, "outside/secret.txt", SECRET);
        executable(TestServer.write(
                scratch, "outside/run.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n" + SECRET + "'\n"));
        // A sibling whose name begins with the docroot's, against containment checked as a string prefix.
        TestServer.write(scratch, "docroot-evil/secret.txt", SECRET);

        Path alice = scratch.resolve("users/alice");
        TestServer.write(alice, "www/hello.txt", "alice\n");
        TestServer.write(alice, "www/.profile", SECRET);
        TestServer.write(alice, "secret.txt", SECRET);
        Files.createSymbolicLink(alice.resolve("www/link-out"), Path.of("../secret.txt"));

        Path cgi = scratch.resolve("cgi");
        executable(TestServer.write(
                cgi, "env.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec /usr/bin/env\n"));
        executable(TestServer.write(
                cgi, ".hidden.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n" + SECRET + "'\n"));
        TestServer.write(cgi, "secret.txt", SECRET);
        Files.createSymbolicLink(cgi.resolve("link-out"), Path.of("../secret.txt"));
        Files.createSymbolicLink(cgi.resolve("link-out-dir"), Path.of("../outside"));

        server = TestServer.start(root, AttackCorpusTest::settings);
    }

    /** The settings of every server here: CGI, user directories under the scratch folder. */
    private static Config.Builder settings(Config.Builder c) {
        Path scratch = c.build().docroot().getParent();
        return c.cgi(scratch.resolve("cgi"), Duration.ofSeconds(5)).userdir(scratch + "/users/*/www");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<String> corpus() throws IOException {
        try (Stream<Path> files = Files.list(corpusDir())) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".http"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void corpusIsLargeAndEveryNameSaysItsOutcome() throws IOException {
        assertThat(Files.readString(corpusDir().resolve(".gitattributes")))
                .as("git never changes a byte of a request")
                .isEqualTo("* -text\n");
        List<String> names = corpus().toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(150);
        assertThat(names).allSatisfy(n -> assertThat(n).matches("(closed|[1-5]\\d\\d-[a-z0-9]+)-[A-Za-z0-9-]+\\.http"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void attackGetsItsStatusLeaksNothingAndLeavesTheConnectionSound(String name) throws IOException {
        replay(server.ipv4(), name);
    }

    /** Sends one request of the corpus and checks what comes back; returns how many responses it read. */
    private static int replay(RawClient connection, String name) throws IOException {
        byte[] request = Files.readAllBytes(corpusDir().resolve(name));
        Case c = Case.of(name);
        int responses = 0;
        try (RawClient client = connection) {
            client.setReadTimeout(READ_TIMEOUT_MILLIS);
            client.send(request);
            if (c.endsInput()) {
                client.shutdownOutput();
            }
            if (c.status() == 0) {
                byte[] rest = client.readToClose();
                if (rest.length > 0) {
                    responses++; // logged, so counted, though it should not have been sent
                }
                assertThat(new String(rest, StandardCharsets.ISO_8859_1))
                        .as("%s: a clean close without a response", name)
                        .doesNotContain(SECRET)
                        .isEmpty();
                return responses;
            }
            // A 100 Continue may come first, when the server reads the head before the body behind it.
            Reply reply = isHead(request) ? client.readHead() : client.readFinal();
            responses++;
            String all = whole(reply);
            assertThat(all).as(name).doesNotContain(SECRET).doesNotContain("root:x:0:0");
            assertThat(reply.status())
                    .as("%s: status of %s", name, reply.statusLine())
                    .isEqualTo(c.status());
            checkHeadersCannotBeSteered(reply);
            if (c.category().equals("cgienv") && reply.status() == 200 && !isHead(request)) {
                checkEnvironment(name, request, reply.text());
            }
            if (keepsAlive(reply) && !c.endsInput()) {
                Reply next = client.send(FOLLOW_UP).read();
                responses++;
                assertThat(whole(next)).doesNotContain(SECRET);
                assertThat(next.status())
                        .as("%s: the next request on the kept connection", name)
                        .isEqualTo(200);
                assertThat(next.text()).isEqualTo(OK_BODY);
            }
            assertThat(client.closedWithin(CLOSE_BOUND_MILLIS))
                    .as("%s: connection closed within %d ms", name, CLOSE_BOUND_MILLIS)
                    .isTrue();
        }
        return responses;
    }

    /** The whole corpus again, against a server of its own that logs: one line per response, none forged. */
    @Test
    void accessLogHasOneEscapedLinePerResponse() throws IOException {
        Path accessLog = server.scratch().resolve("access-" + UUID.randomUUID() + ".log");
        int responses = 0;
        try (Server logged = Server.start(
                settings(Config.builder(server.docroot()).port(0).loops(2).accessLog(accessLog))
                        .build())) {
            for (String name : corpus().toList()) {
                responses += replay(RawClient.connect(InetAddress.getLoopbackAddress(), logged.port()), name);
            }
        } // a graceful stop writes out every line
        byte[] bytes = Files.readAllBytes(accessLog);
        int raw = IntStream.range(0, bytes.length)
                .filter(i -> bytes[i] != '\n' && (bytes[i] < 0x20 || bytes[i] == 0x7f))
                .findFirst()
                .orElse(-1);
        assertThat(raw)
                .as("offset of a raw control or non-ASCII byte in the log")
                .isEqualTo(-1);
        List<String> lines =
                new String(bytes, StandardCharsets.US_ASCII).lines().toList();
        assertThat(lines).allSatisfy(line -> {
            var m = LOG_LINE.matcher(line);
            assertThat(m.matches()).as("a log line: %s", line).isTrue();
            assertThat(LOG_ESCAPE.matcher(m.group(1)).replaceAll(""))
                    .as("%%r escaped: %s", line)
                    .doesNotContain("\"", "\\");
        });
        assertThat(lines).hasSize(responses);
        String log = String.join("\n", lines);
        for (String name : corpus().toList()) {
            Case c = Case.of(name);
            if (c.category().equals("log") && c.status() != 414) {
                byte[] request = Files.readAllBytes(corpusDir().resolve(name));
                assertThat(log)
                        .as("log line of %s", name)
                        .contains("\"" + escaped(requestLine(request)) + "\" " + c.status() + " ");
            }
        }
    }

    /** What a file's name says: the status expected (0 for a close without response), and its category. */
    private record Case(int status, String category) {
        static Case of(String name) {
            String[] parts = name.split("-", 3);
            if (parts[0].equals("closed")) {
                return new Case(0, "closed");
            }
            return new Case(Integer.parseInt(parts[0]), parts[1]);
        }

        /** Whether the client half-closes after sending: its request ends with its input. */
        boolean endsInput() {
            return category.equals("closed") || category.equals("halfclose");
        }
    }

    /**
     * RFC 3875 and httpoxy: no Proxy field becomes HTTP_PROXY, no field with '_' gets in (values marked
     * FORGED must never reach the program), and no field overrides a meta-variable (INJECTED values appear
     * only as HTTP_*).
     */
    private static void checkEnvironment(String name, byte[] request, String env) {
        assertThat(env).as(name).contains("GATEWAY_INTERFACE=CGI/1.1\n").doesNotContain("FORGED");
        List<String> lines = env.lines().toList();
        assertThat(lines).as(name).noneMatch(l -> l.startsWith("HTTP_PROXY="));
        assertThat(lines).as(name).noneMatch(l -> l.startsWith("HTTP_AUTHORIZATION="));
        assertThat(lines).as(name).filteredOn(l -> l.contains("INJECTED")).allMatch(l -> l.startsWith("HTTP_"));
        String sent = new String(request, StandardCharsets.ISO_8859_1);
        if (sent.contains("\nX-Foo: dash\r\n")) {
            assertThat(lines).as(name).contains("HTTP_X_FOO=dash");
        }
        // Bytes reach the program as they were sent: the query, and a field's value.
        List<String> bytes = new String(env.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                .lines()
                .toList();
        String target = sent.split(" ", 3)[1];
        int q = target.indexOf('?');
        assertThat(bytes).as(name).contains("QUERY_STRING=" + (q < 0 ? "" : target.substring(q + 1)));
        var utf8 = Pattern.compile("\nX-Utf8: ([^\r]*)\r\n").matcher(sent);
        if (utf8.find()) {
            assertThat(bytes).as(name).contains("HTTP_X_UTF8=" + utf8.group(1));
        }
    }

    /** A redirect stays on this server, and no header line was made from the request's bytes. */
    private static void checkHeadersCannotBeSteered(Reply reply) {
        String location = reply.header("Location");
        if (location != null) {
            assertThat(location).startsWith("/").doesNotStartWith("//").doesNotStartWith("/\\");
        }
        assertThat(reply.rawHeaders()).noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("set-cookie"));
    }

    /** Whether the server offered to keep the connection (RFC 9112 section 9.3). */
    private static boolean keepsAlive(Reply reply) {
        String connection = reply.header("Connection");
        String tokens = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
        return reply.statusLine().startsWith("HTTP/1.1 ") ? !tokens.contains("close") : tokens.contains("keep-alive");
    }

    private static boolean isHead(byte[] request) {
        return new String(request, StandardCharsets.ISO_8859_1).stripLeading().startsWith("HEAD ");
    }

    private static String whole(Reply reply) {
        return reply.statusLine() + "\n" + String.join("\n", reply.rawHeaders()) + "\n\n" + reply.text();
    }

    /** The request line as the log takes it: after leading empty lines, up to LF, without the CR before it. */
    private static byte[] requestLine(byte[] request) {
        int start = 0;
        while (start < request.length && (request[start] == '\r' || request[start] == '\n')) {
            start++;
        }
        int end = start;
        while (end < request.length && request[end] != '\n') {
            end++;
        }
        if (end < request.length && end > start && request[end - 1] == '\r') {
            end--;
        }
        return Arrays.copyOfRange(request, start, end);
    }

    private static String escaped(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        for (byte b : raw) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** The source folder itself, not its copy among the test classes, which keeps files since renamed. */
    private static Path corpusDir() {
        return Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "attacks");
    }

    private static void executable(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
