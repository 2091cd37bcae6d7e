package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.net.TrustedProxies;
import sws.testing.Poll;
import sws.testing.TestServer;
import sws.testing.UnixClient;

/**
 * Spec section 7.2 with the server embedded: HTTP over a UNIX-domain socket (files, keep-alive, pipelining,
 * HEAD, a large file, curl as a real client), how its client is written in the access log and for CGI, the
 * socket file's mode, and the rules for what may already lie at the path: a stale socket is replaced, a live
 * one, a regular file, a directory or a link is left alone and refused, as is a path too long for a socket
 * address. The file goes when the server stops; the TCP listener serves all the while.
 */
class UnixSocketTest {
    private static final String HELLO = "hello over a UNIX socket\n";
    private static final int BIG = 4 * 1024 * 1024;
    private static final Pattern UNIX_LOG_LINE = Pattern.compile(
            "unix: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \"GET /hello\\.txt\\?log HTTP/1\\.1\" 200 "
                    + HELLO.length());

    private static TestServer server;
    private static Path sockets;
    private static Path socket;
    private static Path log;
    private static byte[] big;

    /** A folder of the test's own for the paths a single test uses; short, as socket paths must be. */
    private Path dir;

    /** Servers a single test starts, closed after it. */
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", HELLO);
        big = CgiTest.randomBytes(BIG, 72);
        TestServer.write(root, "big.bin", big);
        Path cgi = CgiTest.cgiDir(root);
        CgiTest.script(cgi, "env.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec /usr/bin/env -0\n");
        log = root.getParent().resolve("access.log");
        sockets = Files.createTempDirectory("swsu");
        socket = sockets.resolve("sws.sock");
        server = TestServer.start(root, c -> c.accessLog(log)
                .cgi(cgi, Duration.ofSeconds(20))
                .unix(new Config.Unix(socket, Config.Unix.DEFAULT_MODE)));
    }

    @AfterAll
    static void stop() {
        server.close();
        assertThat(socket).as("the socket file after a graceful stop").doesNotExist();
        TestServer.deleteTree(sockets);
        CgiTest.assertNoZombieChildren();
    }

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory(sockets, "t");
    }

    @AfterEach
    void closeOpened() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    // ---- HTTP over the socket

    @Test
    void getsAFile() {
        try (var c = UnixClient.connect(socket)) {
            var r = c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(HELLO.length()));
            assertThat(r.text()).isEqualTo(HELLO);
        }
    }

    @Test
    void keepsTheConnectionAliveForASecondRequest() {
        try (var c = UnixClient.connect(socket)) {
            var first =
                    c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.text()).isEqualTo(HELLO);
            assertThat(c.closedWithin(200))
                    .as("closed after a keep-alive response")
                    .isFalse();

            var second = c.send("GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(second.status()).isEqualTo(404);
            assertThat(c.closedWithin(5_000))
                    .as("closed after Connection: close")
                    .isTrue();
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() {
        try (var c = UnixClient.connect(socket)) {
            c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "HEAD /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            var a = c.read();
            var b = c.readHead();
            var d = c.read();
            var e = c.read();
            assertThat(List.of(a.status(), b.status(), d.status(), e.status())).containsExactly(200, 200, 404, 200);
            assertThat(a.text()).isEqualTo(HELLO);
            assertThat(b.header("Content-Length")).isEqualTo(String.valueOf(BIG));
            assertThat(e.text()).isEqualTo(HELLO);
            assertThat(c.readToClose()).as("bytes after the last response").isEmpty();
        }
    }

    @Test
    void headSendsTheHeadAndNoBody() {
        try (var c = UnixClient.connect(socket)) {
            var head = c.send("HEAD /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(HELLO.length()));
            // Had a body followed the head, it would be read here in place of the next status line.
            var next = c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(next.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(next.text()).isEqualTo(HELLO);
        }
    }

    @Test
    void sendsAFourMebibyteFileIntact() {
        try (var c = UnixClient.connect(socket)) {
            var r = c.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(BIG));
            assertThat(r.body()).isEqualTo(big);
            // and the connection is still good for another
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .read()
                            .text())
                    .isEqualTo(HELLO);
        }
    }

    /** The socket is one, watched by every loop: many clients at once are all served. */
    @Test
    void servesManyClientsAtOnce() throws Exception {
        int clients = 32;
        List<Callable<byte[]>> tasks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String path = i % 4 == 0 ? "/big.bin" : "/hello.txt";
            tasks.add(() -> {
                try (var c = UnixClient.connect(socket)) {
                    var r = c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .read();
                    assertThat(r.status()).isEqualTo(200);
                    return r.body();
                }
            });
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<byte[]>> results = pool.invokeAll(tasks, 60, TimeUnit.SECONDS);
            for (int i = 0; i < clients; i++) {
                byte[] expected = i % 4 == 0 ? big : HELLO.getBytes(StandardCharsets.US_ASCII);
                assertThat(results.get(i).get()).as("client %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void curlGetsTheFile() throws Exception {
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--max-time",
                        "10",
                        "--unix-socket",
                        socket.toString(),
                        "http://localhost/hello.txt")
                .redirectErrorStream(true)
                .start();
        byte[] out;
        try {
            out = curl.getInputStream().readAllBytes();
            assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        } finally {
            curl.destroyForcibly();
        }
        assertThat(curl.exitValue())
                .as("curl's status; output: %s", new String(out, StandardCharsets.UTF_8))
                .isZero();
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(HELLO);
    }

    @Test
    void tcpServesAlongsideTheUnixSocket() {
        try (var unix = UnixClient.connect(socket);
                var tcp = server.ipv4()) {
            unix.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
            tcp.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(tcp.read().text()).isEqualTo(HELLO);
            assertThat(unix.read().text()).isEqualTo(HELLO);
            // each keeps its connection: once more on both
            tcp.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
            unix.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(unix.read().body()).isEqualTo(big);
            assertThat(tcp.read().body()).isEqualTo(big);
        }
    }

    // ---- the client's name: access log and CGI

    @Test
    void accessLogWritesUnixAsTheClient() {
        try (var c = UnixClient.connect(socket)) {
            assertThat(c.send("GET /hello.txt?log HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
        }
        boolean logged = Poll.until(Duration.ofSeconds(10), () -> logLines().stream()
                .anyMatch(l -> UNIX_LOG_LINE.matcher(l).matches()));
        assertThat(logged)
                .as("a line matching %s in %s", UNIX_LOG_LINE, logLines())
                .isTrue();
    }

    @Test
    void accessLogStillWritesTheTcpClientsAddress() {
        assertThat(server.send("GET /hello.txt?tcp HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .status())
                .isEqualTo(200);
        boolean logged = Poll.until(Duration.ofSeconds(10), () -> logLines().stream()
                .anyMatch(l -> l.startsWith("127.0.0.1 ") && l.contains("/hello.txt?tcp ")));
        assertThat(logged).as("the TCP request's line in %s", logLines()).isTrue();
    }

    /** REMOTE_ADDR is "unix:", with no REMOTE_PORT; the server's name and port are what the Host field says. */
    @ParameterizedTest(name = "{0} Host: {1}")
    @CsvSource({
        "HTTP/1.1, example.com:8080, example.com, 8080",
        "HTTP/1.1, example.com,      example.com, 80",
        "HTTP/1.1, '[::1]:8443',     '[::1]',     8443",
        "HTTP/1.1, '[::1]',          '[::1]',     80",
        "HTTP/1.0, '',               localhost,   80",
    })
    void cgiSeesUnixAsTheClientAndTheHostFieldAsTheServer(
            String version, String host, String serverName, String serverPort) {
        Map<String, String> env;
        try (var c = UnixClient.connect(socket)) {
            var r = c.send("GET /cgi-bin/env.sh " + version + "\r\n" + (host.isEmpty() ? "" : "Host: " + host + "\r\n")
                            + "Connection: close\r\n\r\n")
                    .read();
            assertThat(r.status()).as("status; body %s", r.text()).isEqualTo(200);
            env = CgiTest.parseEnv(r.body());
        }
        assertThat(env).containsEntry("REMOTE_ADDR", "unix:");
        assertThat(env).doesNotContainKey("REMOTE_PORT");
        assertThat(env).containsEntry("SERVER_NAME", serverName);
        assertThat(env).containsEntry("SERVER_PORT", serverPort);
        assertThat(env).containsEntry("SERVER_PROTOCOL", version);
        assertThat(env).containsEntry("REQUEST_SCHEME", "http");
        assertThat(env).doesNotContainKey("HTTPS");
    }

    @Test
    void cgiOverTcpStillSeesTheTcpEnds() {
        var r = server.send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: example.com:8080\r\nConnection: close\r\n\r\n");
        Map<String, String> env = CgiTest.parseEnv(r.body());
        assertThat(env).containsEntry("REMOTE_ADDR", "127.0.0.1").containsKey("REMOTE_PORT");
        assertThat(env).containsEntry("SERVER_PORT", String.valueOf(server.port()));
    }

    /** Spec 7.2: "unless the PROXY protocol names the real client"; the UNIX socket is trusted by default. */
    @Test
    void aProxyHeaderOnTheUnixSocketNamesTheRealClient() throws IOException {
        Path s = dir.resolve("p.sock");
        Path proxyLog = dir.resolve("access.log");
        Path cgi = server.scratch().resolve("cgi");
        startOwn(c -> c.unix(new Config.Unix(s, 0660))
                .accessLog(proxyLog)
                .cgi(cgi, Duration.ofSeconds(20))
                .proxyProtocol(TrustedProxies.DEFAULT));
        Map<String, String> env;
        try (var c = UnixClient.connect(s)) {
            var r = c.send("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\r\n"
                            + "GET /cgi-bin/env.sh HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            env = CgiTest.parseEnv(r.body());
        }
        assertThat(env).containsEntry("REMOTE_ADDR", "192.0.2.7").containsEntry("REMOTE_PORT", "51234");
        Poll.await(Duration.ofSeconds(10), () -> readLines(proxyLog).stream()
                .anyMatch(l -> l.startsWith("192.0.2.7 ") && l.contains("\"GET /cgi-bin/env.sh HTTP/1.1\" 200")));
    }

    /** A version 2 LOCAL header (a balancer's health check) names no client: the peer stays "unix:". */
    @Test
    void aProxyV2LocalHeaderOnTheUnixSocketKeepsUnixAsTheClient() {
        Path s = dir.resolve("l.sock");
        startOwn(c -> c.unix(new Config.Unix(s, 0660))
                .cgi(server.scratch().resolve("cgi"), Duration.ofSeconds(20))
                .proxyProtocol(TrustedProxies.DEFAULT));
        byte[] local = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};
        Map<String, String> env;
        try (var c = UnixClient.connect(s)) {
            var r = c.send(local)
                    .send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            env = CgiTest.parseEnv(r.body());
        }
        assertThat(env).containsEntry("REMOTE_ADDR", "unix:").doesNotContainKey("REMOTE_PORT");
    }

    /** With --trusted-proxy not naming "unix", a client on the UNIX socket is closed at once, unanswered. */
    @Test
    void aUnixSocketNotAmongTheTrustedProxiesIsClosedAtOnce() {
        Path s = dir.resolve("u.sock");
        startOwn(c -> c.unix(new Config.Unix(s, 0660)).proxyProtocol(TrustedProxies.parse("127.0.0.0/8")));
        try (var c = UnixClient.connect(s)) {
            c.send("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\r\nGET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(c.readToClose()).as("what an untrusted peer gets").isEmpty();
        } catch (UncheckedIOException e) {
            // a reset is as good as a close
        }
    }

    @Test
    void aMalformedRequestOnTheUnixSocketIsLoggedAsUnix() {
        try (var c = UnixClient.connect(socket)) {
            assertThat(c.send("NONSENSE-FROM-UNIX\r\n\r\n").read().status()).isEqualTo(400);
        }
        Poll.await(Duration.ofSeconds(10), () -> logLines().stream()
                .anyMatch(l -> l.startsWith("unix: ") && l.contains("\"NONSENSE-FROM-UNIX\" 400 ")));
    }

    // ---- the socket file's mode

    @Test
    void socketFileIsASocketWithMode0660ByDefault() throws IOException {
        assertThat(isSocket(socket)).as("%s is a socket", socket).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-rw----");
    }

    @ParameterizedTest
    @CsvSource({"0600, rw-------", "0666, rw-rw-rw-", "0640, rw-r-----", "0777, rwxrwxrwx", "0, ---------"})
    void socketFileGetsTheModeGiven(String octal, String expected) throws IOException {
        Path s = dir.resolve("m.sock");
        startOwn(c -> c.unix(new Config.Unix(s, Integer.parseInt(octal, 8))));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo(expected);
    }

    // ---- what may already lie at the path

    @Test
    void aStaleSocketFileIsReplaced() throws IOException {
        Path s = dir.resolve("stale.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(s));
        } // closed, its file left behind as a server that died leaves it
        assertThat(isSocket(s)).as("the stale socket file is there").isTrue();
        assertThatThrownBy(
                        () -> SocketChannel.open(UnixDomainSocketAddress.of(s)).close())
                .as("nothing accepts on the stale socket")
                .isInstanceOf(IOException.class);

        startOwn(c -> c.unix(new Config.Unix(s, 0660)));

        try (var c = UnixClient.connect(s)) {
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .read()
                            .text())
                    .isEqualTo(HELLO);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s)))
                .isEqualTo("rw-rw----");
    }

    @Test
    void aLiveSocketIsRefusedAsInUseAndLeftListening() throws Exception {
        Path s = dir.resolve("live.sock");
        try (var other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(s));
            Object inode = Files.getAttribute(s, "unix:ino", LinkOption.NOFOLLOW_LINKS);

            var e = refused(s);
            assertThat(e.getMessage()).contains(s.toString()).containsIgnoringCase("in use");

            assertThat(Files.getAttribute(s, "unix:ino", LinkOption.NOFOLLOW_LINKS))
                    .as("the same socket file")
                    .isEqualTo(inode);
            assertStillAccepts(other, s);
        }
    }

    @Test
    void aRegularFileIsRefusedAndLeftAsItIs() throws Exception {
        Path f = dir.resolve("precious.txt");
        Files.writeString(f, "not a socket\n");
        FileTime modified = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(f, modified);

        var e = refused(f);
        assertThat(e.getMessage()).contains(f.toString()).containsIgnoringCase("not a socket");

        assertThat(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(f)).isEqualTo("not a socket\n");
        assertThat(Files.getLastModifiedTime(f)).isEqualTo(modified);
    }

    @Test
    void aDirectoryIsRefusedAndLeftAsItIs() throws Exception {
        Path d = Files.createDirectory(dir.resolve("folder"));
        Files.writeString(d.resolve("inside.txt"), "kept\n");
        Path empty = Files.createDirectory(dir.resolve("empty"));

        for (Path p : List.of(d, empty)) {
            var e = refused(p);
            assertThat(e.getMessage()).contains(p.toString()).containsIgnoringCase("not a socket");
            assertThat(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
        assertThat(Files.readString(d.resolve("inside.txt"))).isEqualTo("kept\n");
        try (var list = Files.list(empty)) {
            assertThat(list).isEmpty();
        }
    }

    /** A symbolic link is not a socket either, even one to a stale socket, and it is never followed. */
    @Test
    void aSymbolicLinkIsRefusedAndLeftAsItIs() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        Path toStale = Files.createSymbolicLink(dir.resolve("to-stale"), stale);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing"));

        for (Path link : List.of(toStale, dangling)) {
            var e = refused(link);
            assertThat(e.getMessage()).contains(link.toString());
            assertThat(Files.isSymbolicLink(link)).isTrue();
        }
        assertThat(Files.readSymbolicLink(toStale)).isEqualTo(stale);
        assertThat(isSocket(stale)).as("the link's target is left as well").isTrue();
        assertThat(dir.resolve("nothing")).doesNotExist();
    }

    /**
     * sun_path holds 108 bytes; the JDK binds paths of at most 106 (it keeps room for the terminating NUL and
     * one byte more: MAX_UNIX_DOMAIN_PATH_LEN in UnixDomainSockets.c). A path of 106 bytes works.
     */
    @Test
    void aPathOf106BytesFits() {
        Path fits = pathOfBytes(106, 'a');
        startOwn(c -> c.unix(new Config.Unix(fits, 0660)));
        try (var c = UnixClient.connect(fits)) {
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .read()
                            .status())
                    .isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {108, 109, 200, 4000})
    void aPathTooLongForASocketAddressIsRefusedInOneClearLine(int bytes) {
        Path tooLong = pathOfBytes(bytes, 'b');
        var e = refused(tooLong);
        assertThat(e.getMessage())
                .contains(tooLong.toString())
                .contains(bytes + " bytes")
                .contains("longer than");
        assertThat(tooLong).doesNotExist();
    }

    /**
     * A path of 107 bytes fits sun_path with its NUL but not the JDK, which refuses it when binding: it must
     * get the same clear line as a longer one, not the JDK's message, and nothing may be left at the path.
     * (It failed while UnixListener.MAX_PATH_BYTES was 107 instead of the 106 the JDK binds.)
     */
    @Test
    void aPathOf107BytesIsRefusedWithTheSameClearLine() {
        Path tooLong = pathOfBytes(107, 'c');
        var e = refused(tooLong);
        assertThat(e.getMessage())
                .contains(tooLong.toString())
                .contains("107 bytes")
                .contains("longer than");
        assertThat(tooLong).doesNotExist();
    }

    /** The limit is on bytes, not characters: 'é' is two bytes of UTF-8. */
    @Test
    void aPathLongerInBytesThanInCharactersIsRefused() throws IOException {
        Path base = Files.createDirectory(dir.resolve("é"));
        int left = 108 - (base + "/").getBytes(StandardCharsets.UTF_8).length;
        Path tooLong = base.resolve("é".repeat(left / 2) + "x".repeat(left % 2));
        assertThat(tooLong.toString().getBytes(StandardCharsets.UTF_8)).hasSize(108);
        assertThat(tooLong.toString().length()).as("characters").isLessThan(100);

        var e = refused(tooLong);
        assertThat(e.getMessage()).containsIgnoringCase("long").contains("108");
        assertThat(tooLong).doesNotExist();
    }

    @Test
    void aRefusedSocketLeavesNoTcpListenerBehind() throws IOException {
        Path f = Files.writeString(dir.resolve("file"), "x");
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Config config = Config.builder(server.docroot())
                .address(InetAddress.getLoopbackAddress())
                .port(port)
                .loops(2)
                .unix(new Config.Unix(f, 0660))
                .build();
        var e = catchThrowableOfType(StartException.class, () -> Server.start(config));
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(StartException.Kind.UNIX_SOCKET);
        try (var again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the port is free again").isEqualTo(port);
        }
    }

    /** A later step of the start failing (here the access log) takes the socket file away again. */
    @Test
    void aStartFailingAfterTheSocketIsBoundRemovesItsFile() {
        Path s = dir.resolve("late.sock");
        Config config = Config.builder(server.docroot())
                .address(InetAddress.getLoopbackAddress())
                .port(0)
                .loops(1)
                .unix(new Config.Unix(s, 0660))
                .accessLog(dir.resolve("no-such-dir").resolve("access.log"))
                .build();
        var e = catchThrowableOfType(
                StartException.class, () -> Server.start(config).close());
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(StartException.Kind.LOG_FILE);
        assertThat(s).doesNotExist();
    }

    // ---- stopping

    @Test
    void theSocketFileIsRemovedOnClose() throws IOException {
        Path s = dir.resolve("gone.sock");
        var started = startOwn(c -> c.unix(new Config.Unix(s, 0660)));
        assertThat(isSocket(s)).isTrue();
        var open = UnixClient.connect(s); // an idle connection does not hold the stop up past its grace
        opened.add(open);

        started.close();

        assertThat(s).doesNotExist();
        assertThatThrownBy(() -> UnixClient.connect(s)).isInstanceOf(UncheckedIOException.class);
    }

    /** What stands at the path by the time the server stops is not the server's to remove unless a socket. */
    @Test
    void closeLeavesAFileThatTookTheSocketsPlace() throws IOException {
        Path s = dir.resolve("taken.sock");
        var started = startOwn(c -> c.unix(new Config.Unix(s, 0660)));
        Files.delete(s);
        Files.writeString(s, "someone else's\n");

        started.close();

        assertThat(Files.readString(s)).isEqualTo("someone else's\n");
    }

    // ---- helpers

    /** Starts a server of this test's own, closed after the test. */
    private TestServer startOwn(UnaryOperator<Config.Builder> adjust) {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", HELLO);
        var s = TestServer.start(root, adjust);
        opened.add(s);
        return s;
    }

    /** Starting with a UNIX socket at path fails, with the UNIX_SOCKET kind and a one-line message. */
    private static StartException refused(Path path) {
        Config config = Config.builder(server.docroot())
                .address(InetAddress.getLoopbackAddress())
                .port(0)
                .loops(1)
                .unix(new Config.Unix(path, 0660))
                .build();
        var e = catchThrowableOfType(
                StartException.class, () -> Server.start(config).close());
        assertThat(e).as("StartException for %s", path).isNotNull();
        assertThat(e.kind()).isEqualTo(StartException.Kind.UNIX_SOCKET);
        assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        return e;
    }

    /** The other server still listens: a new client connects and its bytes reach what the other accepts. */
    private static void assertStillAccepts(ServerSocketChannel other, Path s) throws IOException {
        assertThat(isSocket(s)).isTrue();
        try (var client = SocketChannel.open(UnixDomainSocketAddress.of(s))) {
            client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            client.shutdownOutput();
            other.configureBlocking(false);
            // The refused server's probe may be accepted first: it has sent nothing and gone.
            boolean reached = Poll.until(Duration.ofSeconds(10), () -> {
                try (SocketChannel accepted = other.accept()) {
                    return accepted != null && readAll(accepted).equals("ping");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(reached).as("the other listener accepted a new client").isTrue();
        }
    }

    /** Everything a blocking channel's peer sends until it shuts its output. */
    private static String readAll(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        ByteBuffer buffer = ByteBuffer.allocate(64);
        while (channel.read(buffer) >= 0 && buffer.hasRemaining()) {
            // until the end of the stream
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    private static boolean isSocket(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }

    /** A path under this test's folder exactly n bytes long, in folders of 40 bytes a name as need be. */
    private Path pathOfBytes(int n, char fill) {
        try {
            Path p = dir;
            while (n - p.toString().length() - 1 > 50) {
                Path next = p.resolve(String.valueOf(fill).repeat(40));
                p = Files.isDirectory(next) ? next : Files.createDirectory(next);
            }
            p = p.resolve(String.valueOf(fill).repeat(n - p.toString().length() - 1));
            assertThat(p.toString().getBytes(StandardCharsets.UTF_8)).hasSize(n);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> logLines() {
        return readLines(log);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
