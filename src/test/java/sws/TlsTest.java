package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Timeouts;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.TestServer;
import sws.testing.TestTls;

/**
 * Spec section 7.1, HTTPS: the certificate and key formats, the versions and ALPN, what a plain-HTTP
 * client, the redirect port and HSTS get, the reload, CGI's variables, and hostile TLS clients, who are cut
 * by the timeouts while others are served. The HTTP behaviour itself over TLS is HttpsProtocolTest's.
 */
class TlsTest {
    private static final String PAGE = "hello over TLS\n";
    private static final Timeouts QUICK =
            new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5));

    private static TestServer server;
    private static Path log;

    @BeforeAll
    static void start() {
        Path root = docroot();
        log = root.getParent().resolve("access.log");
        server = TestServer.start(root, c -> TestTls.on(c).timeouts(QUICK).accessLog(log));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path docroot() {
        Path root = TestServer.newDocroot();
        TestServer.write(root, "index.html", PAGE);
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(7).nextBytes(big);
        TestServer.write(root, "big.bin", big);
        return root;
    }

    private static List<String> logLines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A failed handshake is never logged as a request: no line without a request line. */
    private static void nothingLoggedWithoutARequest() {
        assertThat(logLines()).noneMatch(l -> l.contains("\"\""));
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    private static SSLSocket tls(int port, SSLContext context, String protocol, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        if (protocol != null) {
            parameters.setProtocols(new String[] {protocol});
        }
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** What a normal client gets right now: the page, within the given time. */
    private static void servedPromptly(TestServer s) {
        long start = System.nanoTime();
        Reply r = s.send(get("/index.html"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(PAGE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    // ---- certificates and keys

    @ParameterizedTest
    @ValueSource(strings = {"ec", "ec-sec1", "p384-sec1", "rsa", "rsa-pkcs1", "ed25519"})
    void everyKeyFormatAndKindServes(String kind) throws IOException {
        TestTls.Pair pair = TestTls.pair(kind);
        try (TestServer s = TestServer.start(docroot(), c -> c.tls(Config.Tls.of(pair.certificate(), pair.key())));
                SSLSocket socket = tls(s.port(), TestTls.trusting(pair.certificate()), null)) {
            socket.getOutputStream().write(get("/index.html").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(17), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("HTTP/1.1 200 OK\r\n");
        }
    }

    @Test
    void badFilesAreOneLineNamingTheFileAndNothingListens() throws IOException {
        Path dir = Files.createTempDirectory("sws-bad-tls");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path missing = dir.resolve("missing.pem");
        TestTls.Pair ec = TestTls.pair("ec");
        TestTls.Pair rsa = TestTls.pair("rsa");
        record Case(Path cert, Path key, String named, String says) {}
        List<Case> cases = List.of(
                new Case(rsa.certificate(), TestTls.pair("rsa-encrypted").key(), "rsa-encrypted.key", "encrypted"),
                new Case(
                        rsa.certificate(),
                        TestTls.pair("rsa-pkcs1-encrypted").key(),
                        "rsa-pkcs1-encrypted.key",
                        "encrypted"),
                new Case(rsa.certificate(), ec.key(), "ec.key", "does not match"),
                new Case(missing, ec.key(), "missing.pem", "no such file"),
                new Case(ec.certificate(), missing, "missing.pem", "no such file"),
                new Case(empty, ec.key(), "empty.pem", "no PEM certificate"),
                new Case(ec.certificate(), empty, "empty.pem", "no PEM private key"),
                new Case(ec.key(), ec.key(), "ec.key", "no PEM certificate"));
        for (Case c : cases) {
            Path docroot = TestServer.newDocroot();
            assertThatThrownBy(() -> Server.start(Config.builder(docroot)
                            .port(0)
                            .tls(Config.Tls.of(c.cert(), c.key()))
                            .build()))
                    .as("%s / %s", c.cert(), c.key())
                    .isInstanceOfSatisfying(StartException.class, e -> {
                        assertThat(e.kind()).isEqualTo(StartException.Kind.TLS);
                        assertThat(e.getMessage())
                                .contains(c.named())
                                .contains(c.says())
                                .doesNotContain("\n");
                    });
        }
        TestServer.deleteTree(dir);
    }

    // ---- versions and ALPN

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void tls13And12AreSpoken(String protocol) throws IOException {
        try (SSLSocket socket = tls(server.port(), TestTls.client(), protocol)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
        }
    }

    @Test
    void olderVersionsAreRefused() {
        assertThatThrownBy(() -> tls(server.port(), TestTls.client(), "TLSv1.1").close())
                .isInstanceOf(IOException.class);
        servedPromptly(server);
    }

    @Test
    void alpnChoosesHttp11AndAClientOfferingOnlyOthersStillConnects() throws IOException {
        try (SSLSocket socket = tls(server.port(), TestTls.client(), null, "h2", "http/1.1")) {
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
        }
        try (SSLSocket socket = tls(server.port(), TestTls.client(), null, "h2")) {
            assertThat(socket.getApplicationProtocol()).isEmpty();
        }
    }

    // ---- a plain client, the redirect port, HSTS

    @Test
    void plainHttpOnTheTlsPortGetsA400SayingSoThenClose() {
        try (RawClient c = RawClient.connect(InetAddress.getLoopbackAddress(), server.port())) {
            Reply r = c.send(get("/index.html")).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).contains("HTTPS");
            assertThat(c.closedWithin(5_000)).isTrue();
        }
    }

    @Test
    void redirectPortSendsEveryRequestToHttpsWithHstsOnlyOverHttps() throws IOException {
        TestTls.Pair ec = TestTls.pair("ec");
        try (TestServer s =
                TestServer.start(docroot(), c -> c.tls(new Config.Tls(ec.certificate(), ec.key(), 0, 31536000)))) {
            int redirect = s.server().redirectPort();
            String tlsPort = ":" + s.port();
            record Case(String request, String location) {}
            for (Case c : List.of(
                    new Case(
                            "GET /a/b?x=1 HTTP/1.1\r\nHost: example.org:" + redirect + "\r\n\r\n",
                            "https://example.org" + tlsPort + "/a/b?x=1"),
                    new Case(
                            "POST /form HTTP/1.1\r\nHost: example.org\r\nContent-Length: 0\r\n\r\n",
                            "https://example.org" + tlsPort + "/form"),
                    new Case("GET /x HTTP/1.0\r\n\r\n", "https://127.0.0.1" + tlsPort + "/x"),
                    new Case("GET /x HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "https://[::1]" + tlsPort + "/x"),
                    new Case("GET /x HTTP/1.1\r\nHost: a!b.example\r\n\r\n", "https://127.0.0.1" + tlsPort + "/x"))) {
                try (RawClient client = RawClient.connect(InetAddress.getLoopbackAddress(), redirect)) {
                    Reply r = client.send(c.request()).read();
                    assertThat(r.status()).as(c.request()).isEqualTo(301);
                    assertThat(r.header("Location")).isEqualTo(c.location());
                    assertThat(r.header("Strict-Transport-Security")).isNull();
                }
            }
            for (String target : List.of("/index.html", "/missing")) {
                Reply r = s.send(get(target));
                assertThat(r.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
            }
        }
    }

    // ---- SIGHUP's reload

    @Test
    void reloadGivesNewConnectionsTheNewPairAndABadPairKeepsTheOld() throws Exception {
        Path dir = Files.createTempDirectory("sws-reload");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        TestTls.Pair ec = TestTls.pair("ec");
        TestTls.Pair rsa = TestTls.pair("rsa");
        Files.copy(ec.certificate(), cert);
        Files.copy(ec.key(), key);
        try (TestServer s = TestServer.start(docroot(), c -> c.tls(Config.Tls.of(cert, key)))) {
            assertThat(servedKey(s, ec)).isEqualTo("EC");

            Files.copy(rsa.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> s.server().reloadTls()).hasMessageContaining("does not match");
            assertThat(servedKey(s, ec)).as("the old pair stays").isEqualTo("EC");

            Files.copy(rsa.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            s.server().reloadTls();
            assertThat(servedKey(s, rsa)).isEqualTo("RSA");
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    private static String servedKey(TestServer s, TestTls.Pair trusted) throws IOException {
        try (SSLSocket socket = tls(s.port(), TestTls.trusting(trusted.certificate()), null)) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getPublicKey()
                    .getAlgorithm();
        }
    }

    // ---- CGI

    @Test
    void cgiProgramsSeeHttpsOnAndStreamTheirOutput() throws IOException {
        Path dir = Files.createTempDirectory("sws-tls-cgi");
        Path cgi = dir.resolve("cgi");
        Files.createDirectory(cgi);
        Path env = TestServer.write(cgi, "env.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv\n");
        Path stream = TestServer.write(
                cgi,
                "stream.sh",
                "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\n"
                        + "head -c 3000000 /dev/zero\n");
        env.toFile().setExecutable(true);
        stream.toFile().setExecutable(true);
        try (TestServer s = TestServer.start(docroot(), c -> TestTls.on(c).cgi(cgi, Duration.ofSeconds(10)))) {
            Reply r = s.send(get("/cgi-bin/env.sh"));
            assertThat(r.text()).contains("HTTPS=on\n").contains("REQUEST_SCHEME=https\n");
            Reply streamed = s.send(get("/cgi-bin/stream.sh"));
            assertThat(streamed.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(streamed.body()).hasSize(3_000_000).containsOnly(0);
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    // ---- hostile clients

    /** The first flight of a real TLS client: a ClientHello record. */
    private static byte[] clientHello() throws IOException {
        SSLEngine client = TestTls.client().createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * Whether the server closes the socket (end of stream or reset) within the bound without an answer: at
     * most TLS alert records (type 21) come before the end, never a response.
     */
    private static boolean closedWithoutAnswer(Socket s, Duration bound) throws IOException {
        s.setSoTimeout((int) bound.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (true) {
                int type = in.read();
                if (type == -1) {
                    return true;
                }
                byte[] header = in.readNBytes(4);
                if (type != 21 || header.length < 4) {
                    return false;
                }
                in.readNBytes(((header[2] & 0xff) << 8) | (header[3] & 0xff));
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nothing", "half a ClientHello"})
    void aStalledHandshakeIsCutByTheRequestTimeoutWhileOthersAreServed(String sent) throws IOException {
        byte[] hello = clientHello();
        try (Socket s = plain(server.port())) {
            if (!sent.equals("nothing")) {
                s.getOutputStream().write(hello, 0, hello.length / 2);
            }
            servedPromptly(server);
            long start = System.nanoTime();
            assertThat(closedWithoutAnswer(s, Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        nothingLoggedWithoutARequest();
    }

    @Test
    void garbageInsteadOfAHandshakeOrAfterItIsCutWithoutAResponse() throws IOException {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        garbage[0] = 22; // looks like a handshake record, is not one
        try (Socket s = plain(server.port())) {
            s.getOutputStream().write(garbage);
            assertThat(closedWithoutAnswer(s, Duration.ofSeconds(5))).isTrue();
        }
        try (Socket s = plain(server.port());
                SSLSocket tls = (SSLSocket)
                        TestTls.client().getSocketFactory().createSocket(s, "localhost", server.port(), false)) {
            // TLS 1.2, whose handshake ends with the client's flight: nothing of the server's is left unread.
            tls.setEnabledProtocols(new String[] {"TLSv1.2"});
            tls.startHandshake();
            byte[] record = {23, 3, 3, 0, 64};
            OutputStream raw = s.getOutputStream();
            raw.write(record);
            raw.write(Arrays.copyOf(garbage, 64)); // application data that fails to decrypt
            raw.flush();
            assertThat(closedWithoutAnswer(s, Duration.ofSeconds(5))).isTrue();
        }
        servedPromptly(server);
        nothingLoggedWithoutARequest();
    }

    @Test
    void renegotiationIsRefusedButTls13KeyUpdateWorks() throws IOException {
        try (SSLSocket socket = tls(server.port(), TestTls.client(), "TLSv1.2")) {
            socket.getOutputStream().write(get("/index.html").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.getInputStream().readNBytes(17);
            assertThatThrownBy(() -> {
                        socket.startHandshake(); // a renegotiation
                        socket.getOutputStream().write(get("/index.html").getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                        while (socket.getInputStream().read() != -1) {
                            // whatever was left of the first response
                        }
                        throw new IOException("closed");
                    })
                    .isInstanceOf(IOException.class);
        }
        try (SSLSocket socket = tls(server.port(), TestTls.client(), "TLSv1.3")) {
            RawClient.Reply first = exchange(socket);
            socket.startHandshake(); // TLS 1.3: a KeyUpdate, not a new handshake
            RawClient.Reply second = exchange(socket);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
        }
        servedPromptly(server);
    }

    private static Reply exchange(SSLSocket socket) throws IOException {
        socket.getOutputStream().write(get("/index.html").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] head = socket.getInputStream().readNBytes(12);
        String text = new String(head, StandardCharsets.US_ASCII);
        int status = Integer.parseInt(text.substring(9, 12));
        // read the rest of the head and the body by its length
        StringBuilder rest = new StringBuilder();
        while (!rest.toString().endsWith("\r\n\r\n")) {
            rest.append((char) socket.getInputStream().read());
        }
        int length = Integer.parseInt(rest.toString().replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        byte[] body = socket.getInputStream().readNBytes(length);
        return new Reply(text, status, java.util.Map.of(), List.of(), body);
    }

    @Test
    void aClientThatNeverReadsIsDroppedAfterTheWriteTimeout() throws IOException {
        Path root = docroot();
        long size = 64L << 20;
        try (var file = new java.io.RandomAccessFile(root.resolve("huge.bin").toFile(), "rw")) {
            file.setLength(size); // sparse: costs no disk
        }
        Path deafLog = root.getParent().resolve("deaf.log");
        try (TestServer s = TestServer.start(
                        root, c -> TestTls.on(c).timeouts(QUICK).accessLog(deafLog));
                Socket raw = new Socket()) {
            raw.setReceiveBufferSize(4096);
            raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()), 5_000);
            SSLSocket tls =
                    (SSLSocket) TestTls.client().getSocketFactory().createSocket(raw, "localhost", s.port(), true);
            tls.startHandshake();
            tls.getOutputStream()
                    .write("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            servedPromptly(s);
            // An aborted response is logged when the server drops the connection: after the write timeout.
            Poll.await(Duration.ofSeconds(8), () -> {
                try {
                    return Files.exists(deafLog) && Files.readString(deafLog).contains("/huge.bin");
                } catch (IOException e) {
                    return false;
                }
            });
            long received = 0;
            tls.setSoTimeout(5_000);
            try (InputStream in = tls.getInputStream()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received += n;
                }
            } catch (IOException e) {
                // reset: the connection is cut
            }
            assertThat(received).isLessThan(size);
            servedPromptly(s);
        }
    }

    // ---- real clients

    @Test
    void aHundredMebibytesArriveIntactThroughCurl() throws Exception {
        Path root = docroot();
        java.security.MessageDigest sent = java.security.MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(root.resolve("100m.bin"))) {
            Random random = new Random(100);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                random.nextBytes(chunk);
                sent.update(chunk);
                out.write(chunk);
            }
        }
        try (TestServer s = TestServer.start(root, TestTls::on)) {
            Process curl = new ProcessBuilder(
                            "curl",
                            "-sS",
                            "--cacert",
                            TestTls.pair("ec").certificate().toString(),
                            "https://localhost:" + s.port() + "/100m.bin")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            java.security.MessageDigest received = java.security.MessageDigest.getInstance("SHA-256");
            long length = 0;
            try (InputStream in = curl.getInputStream()) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received.update(buffer, 0, n);
                    length += n;
                }
            }
            assertThat(curl.waitFor()).isZero();
            assertThat(length).isEqualTo(100L << 20);
            assertThat(received.digest()).isEqualTo(sent.digest());
        }
    }

    @Test
    void curlAndOpensslFetchOverTls() throws Exception {
        Path cert = TestTls.pair("ec").certificate();
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--cacert",
                        cert.toString(),
                        "https://localhost:" + server.port() + "/index.html")
                .redirectErrorStream(true)
                .start();
        assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo(PAGE);
        assertThat(curl.waitFor()).isZero();

        Process openssl = new ProcessBuilder(
                        "openssl",
                        "s_client",
                        "-quiet",
                        "-connect",
                        "127.0.0.1:" + server.port(),
                        "-CAfile",
                        cert.toString(),
                        "-verify_return_error",
                        "-servername",
                        "localhost")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        openssl.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        openssl.getOutputStream().flush();
        String answer = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.0 200 OK\r\n").endsWith(PAGE);
        assertThat(openssl.waitFor()).isZero();
    }
}
