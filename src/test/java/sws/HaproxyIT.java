package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sws.testing.Poll;
import sws.testing.Processes;
import sws.testing.TestServer;

/**
 * Spec section 7.3 end to end: the packaged sws with --proxy-protocol behind a real HAProxy (Debian's
 * package), which sends PROXY v2 headers to it over TCP (backend btcp) and over the UNIX socket (backend
 * bunix), and runs HTTP health checks against both. HAProxy connects to sws from 127.0.0.3 ({@code source}
 * on the TCP server line), so neither client address used here (127.0.0.1, 127.0.0.2) is HAProxy's own:
 * a client address in sws's access log or in REMOTE_ADDR can only have come from the PROXY header. A third
 * backend, whose server is this test, records what HAProxy's checks send, to show they are v2 LOCAL.
 * Skipped when there is no haproxy binary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyIT {
    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("sws: listening on (.+):(\\d+)");
    /** The address HAProxy connects to sws's TCP port from. */
    private static final String HAPROXY_SOURCE = "127.0.0.3";

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Not @TempDir: its paths are long, and a socket path must be short. */
    private Path tmp;

    private Path accessLog;
    private Path haproxyLog;
    private Path haproxyConfig;
    private final Processes processes = new Processes();
    private Processes.Running sws;
    private Process haproxy;
    private int tcpFrontend;
    private int unixFrontend;
    private ServerSocket probe;
    private final List<byte[]> probeHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeAll
    void startSwsBehindHaproxy() throws IOException {
        Optional<Path> binary = haproxyBinary();
        Assumptions.assumeTrue(binary.isPresent(), "no haproxy binary on PATH");

        tmp = Files.createTempDirectory("swsh");
        Path docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("index.html"), "ok\n");
        Path cgi = Files.createDirectory(tmp.resolve("cgi"));
        Path addr = cgi.resolve("addr.sh");
        Files.writeString(
                addr,
                """
                #!/bin/sh
                body=$(printf 'REMOTE_ADDR=%s\\nREMOTE_PORT=%s\\n' "$REMOTE_ADDR" "$REMOTE_PORT")
                printf 'Content-Type: text/plain\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "${#body}" "$body"
                """);
        Files.setPosixFilePermissions(addr, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = tmp.resolve("sws.sock");
        accessLog = tmp.resolve("access.log");

        sws = processes.start(
                "-f",
                "-p",
                "0",
                "--proxy-protocol",
                "--unix",
                socket.toString(),
                "-l",
                accessLog.toString(),
                "-c",
                cgi.toString(),
                docroot.toString());
        int swsPort = Integer.parseInt(sws.stderr().awaitLine(LISTENING, QUICK).group(2));

        probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("haproxy-check-probe").start(this::answerChecks);
        tcpFrontend = freePort();
        unixFrontend = freePort();
        haproxyConfig = tmp.resolve("haproxy.cfg");
        Files.writeString(haproxyConfig, haproxyConfig(swsPort, socket, probe.getLocalPort()));
        haproxyLog = tmp.resolve("haproxy.log");
        haproxy = new ProcessBuilder(binary.get().toString(), "-f", haproxyConfig.toString(), "-db")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(haproxyLog.toFile())
                .start();
        processes.register(haproxy.toHandle()); // killed by its pid at the end, with sws

        // Ready when each backend's first check has passed: HAProxy is listening, and sws has answered a
        // request that came with HAProxy's check header, on each listener.
        boolean up = Poll.until(
                QUICK,
                () -> haproxyOutput().contains("Health check for server btcp/s1 succeeded")
                        && haproxyOutput().contains("Health check for server bunix/s2 succeeded"));
        assertThat(up)
                .as(
                        "both backends' checks passed; haproxy said: %s; sws said: %s",
                        haproxyOutput(), sws.stderr().text())
                .isTrue();
    }

    @AfterAll
    void stopEverything() throws IOException {
        if (probe != null) {
            probe.close();
        }
        processes.close();
        if (tmp != null) {
            TestServer.deleteTree(tmp);
        }
    }

    // ---- PROXY v2 over TCP and over the UNIX socket: the client is the one HAProxy saw

    @ParameterizedTest(name = "{0} backend, client {1}")
    @CsvSource({"btcp, 127.0.0.1", "btcp, 127.0.0.2", "bunix, 127.0.0.1", "bunix, 127.0.0.2"})
    void theAccessLogAndTheCgiProgramSeeTheClientHaproxySaw(String backend, String client) throws IOException {
        int frontend = backend.equals("btcp") ? tcpFrontend : unixFrontend;
        String target = "/cgi-bin/addr.sh?n=" + requests.incrementAndGet();

        Exchange e = get(client, frontend, target);

        assertThat(e.status()).as("response: %s", e.response()).isEqualTo(200);
        Map<String, String> env = e.variables();
        assertThat(env).containsEntry("REMOTE_ADDR", client);
        assertThat(env).containsEntry("REMOTE_PORT", Integer.toString(e.localPort()));

        String haproxySaw = client + ":" + e.localPort() + " ";
        assertThat(Poll.until(QUICK, () -> haproxyOutput()
                        .lines()
                        .anyMatch(l -> l.startsWith(haproxySaw)
                                && l.contains(" " + backend + "/")
                                && l.contains("\"GET " + target + " HTTP/1.1\""))))
                .as("haproxy's own log has this client through %s: %s", backend, haproxyOutput())
                .isTrue();

        String line = Pattern.quote(client) + " \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \"GET "
                + Pattern.quote(target) + " HTTP/1\\.1\" 200 " + e.body().length();
        assertThat(Poll.until(QUICK, () -> accessLogLines().stream().anyMatch(l -> l.matches(line))))
                .as("sws's access log has %s; it has %s", line, accessLogLines())
                .isTrue();
        assertThat(accessLogLines())
                .as("no other line for this request")
                .filteredOn(l -> l.contains(target))
                .hasSize(1);
    }

    // ---- health checks: v2 LOCAL, logged with the real peer, and harmless

    @Test
    void healthChecksAreV2LocalAndSwsAnswersThemWithTheRealPeerAndKeepsServing() throws IOException {
        // What a server line like s1's gets on each check (the probe's own backend).
        assertThat(Poll.until(QUICK, () -> !probeHeaders.isEmpty()))
                .as("a check reached the probe; haproxy said: %s", haproxyOutput())
                .isTrue();
        byte[] header = probeHeaders.getFirst();
        assertThat(Arrays.copyOf(header, 12)).as("the v2 signature").isEqualTo(V2_SIGNATURE);
        assertThat(header[12]).as("version 2, command LOCAL").isEqualTo((byte) 0x20);

        // sws answers checks as ordinary requests (no --health-path here): each is logged, with the
        // connection's real peer, HAProxy's source address on TCP and "unix:" on the socket.
        Pattern tcpCheck = Pattern.compile(Pattern.quote(HAPROXY_SOURCE) + " \\S+Z \"GET / HTTP/1\\.0\" 200 3");
        Pattern unixCheck = Pattern.compile("unix: \\S+Z \"GET / HTTP/1\\.0\" 200 3");
        assertThat(Poll.until(QUICK, () -> count(tcpCheck) >= 5 && count(unixCheck) >= 5))
                .as("several checks of each backend in sws's access log: %s", accessLogLines())
                .isTrue();
        assertThat(accessLogLines())
                .as("every line is a check (from the real peer) or a proxied request (from a client)")
                .allSatisfy(l -> assertThat(l)
                        .matches("(127\\.0\\.0\\.3|unix:) \\S+Z \"GET / HTTP/1\\.0\" 200 3"
                                + "|127\\.0\\.0\\.[12] \\S+Z \"GET /cgi-bin/addr\\.sh\\?n=\\d+ HTTP/1\\.1\" 200 \\d+"));

        // Requests through both frontends are still served after all those checks.
        for (int frontend : new int[] {tcpFrontend, unixFrontend}) {
            Exchange e = get("127.0.0.2", frontend, "/cgi-bin/addr.sh?n=" + requests.incrementAndGet());
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.variables()).containsEntry("REMOTE_ADDR", "127.0.0.2");
        }
        assertThat(haproxyOutput())
                .as("haproxy never took s1 or s2 out")
                .doesNotContain("server btcp/s1 failed")
                .doesNotContain("server bunix/s2 failed")
                .doesNotContain("btcp/s1 is DOWN")
                .doesNotContain("bunix/s2 is DOWN");
        assertThat(sws.process().isAlive()).isTrue();
        assertThat(sws.stderr().text()).doesNotContain("Exception");
    }

    // ---- HAProxy

    private String haproxyConfig(int swsPort, Path socket, int probePort) {
        return """
                global
                    log stderr format raw local0 info
                    maxconn 256

                defaults
                    mode http
                    log global
                    option httplog
                    option log-health-checks
                    timeout connect 5s
                    timeout client 20s
                    timeout server 20s
                    timeout check 5s

                frontend ftcp
                    bind 127.0.0.1:%d
                    default_backend btcp

                frontend funix
                    bind 127.0.0.1:%d
                    default_backend bunix

                backend btcp
                    option httpchk GET /
                    server s1 127.0.0.1:%d send-proxy-v2 check inter 200ms source %s

                backend bunix
                    option httpchk GET /
                    server s2 unix@%s send-proxy-v2 check inter 200ms

                backend bprobe
                    option httpchk GET /
                    server p 127.0.0.1:%d send-proxy-v2 check inter 200ms source %s
                """
                .formatted(tcpFrontend, unixFrontend, swsPort, HAPROXY_SOURCE, socket, probePort, HAPROXY_SOURCE);
    }

    /** The probe server: records the first 16 bytes (a v2 header's fixed part) of each check, answers 200. */
    private void answerChecks() {
        while (!probe.isClosed()) {
            try (Socket s = probe.accept()) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                byte[] fixed = in.readNBytes(16);
                probeHeaders.add(fixed);
                s.getOutputStream()
                        .write("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // closed at the end, or a check HAProxy gave up on: the next one comes
            }
        }
    }

    /** haproxy where bin/test installs it: on PATH, or in the sbin folders a non-root PATH may lack. */
    private static Optional<Path> haproxyBinary() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Arrays.stream(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "haproxy"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String haproxyOutput() {
        try {
            return Files.readString(haproxyLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- sws's access log

    private List<String> accessLogLines() {
        try {
            return Files.exists(accessLog) ? Files.readAllLines(accessLog, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long count(Pattern line) {
        return accessLogLines().stream().filter(l -> line.matcher(l).matches()).count();
    }

    // ---- the client

    /** A response read to the end of the connection, and the local port the client's request left from. */
    private record Exchange(int localPort, String response) {
        int status() {
            return Integer.parseInt(response.split(" ", 3)[1]);
        }

        String body() {
            int end = response.indexOf("\r\n\r\n");
            return end < 0 ? "" : response.substring(end + 4);
        }

        Map<String, String> variables() {
            Map<String, String> env = new HashMap<>();
            for (String l : body().split("\n")) {
                int eq = l.indexOf('=');
                if (eq > 0) {
                    env.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
            return env;
        }
    }

    /** GET target through a frontend, from the local address given (127.0.0.2 is loopback too on Linux). */
    private static Exchange get(String from, int frontend, String target) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout((int) QUICK.toMillis());
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), frontend), (int) QUICK.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return new Exchange(s.getLocalPort(), response);
        }
    }
}
