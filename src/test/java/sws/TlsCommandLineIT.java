package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sws.testing.Poll;
import sws.testing.Processes;
import sws.testing.TestTls;

/** Spec section 7.1 on the command line: the TLS options, their misuse, bad files, SIGHUP's reload. */
class TlsCommandLineIT {
    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("sws: listening on (.+):(\\d+)");
    private static final Pattern REDIRECTING = Pattern.compile("sws: redirecting to HTTPS from port (\\d+)");

    @TempDir
    Path tmp;

    private Path docroot;
    private final Processes processes = new Processes();

    @BeforeEach
    void makeDocroot() throws IOException {
        docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("hello.txt"), "hello\n");
    }

    @AfterEach
    void killEverythingStarted() {
        processes.close();
    }

    @ParameterizedTest
    @CsvSource(
            delimiterString = "|",
            value = {
                "--tls-cert|CERT|--tls-cert and --tls-key go together",
                "--tls-key|KEY|--tls-cert and --tls-key go together",
                "--hsts|60|--hsts needs --tls-cert",
                "--redirect-port|8081|--redirect-port needs --tls-cert"
            })
    void anOptionWithoutItsPartnerIsMisuse(String option, String value, String message) {
        TestTls.Pair ec = TestTls.pair("ec");
        String v = value.replace("CERT", ec.certificate().toString())
                .replace("KEY", ec.key().toString());
        var r = processes.run(QUICK, "-f", "-p", "0", option, v, docroot.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("sws: " + message).contains("Usage: sws");
        assertNoStackTrace(r);
    }

    @ParameterizedTest
    @CsvSource({"rsa, rsa-encrypted, encrypted", "rsa, ec, does not match", "missing, ec, no such file"})
    void badFilesAreOneLineAndExitOneBeforeAnythingListens(String certKind, String keyKind, String says)
            throws IOException {
        Path cert = certKind.equals("missing")
                ? tmp.resolve("missing.crt")
                : TestTls.pair(certKind).certificate();
        Path key = TestTls.pair(keyKind).key();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        var running = processes.start(
                "-f",
                "-i",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                key.toString(),
                docroot.toString());
        int status = running.awaitExit(QUICK);
        String stderr = running.stderr().awaitEnd(QUICK);
        assertThat(status).as(stderr).isEqualTo(1);
        assertThat(stderr.lines().toList())
                .singleElement(STRING)
                .startsWith("sws: ")
                .contains(says);
        assertThat(stderr).doesNotContain("Exception").doesNotContain("\tat ");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            throw new AssertionError("something listened on " + port);
        } catch (ConnectException expected) {
            // nothing listened
        }
    }

    @Test
    void sighupReloadsThePairAndABadPairIsOneWarningWithTheOldKept() throws Exception {
        Path cert = tmp.resolve("server.crt");
        Path key = tmp.resolve("server.key");
        TestTls.Pair ec = TestTls.pair("ec");
        TestTls.Pair rsa = TestTls.pair("rsa");
        Files.copy(ec.certificate(), cert);
        Files.copy(ec.key(), key);
        var sws = processes.start(
                "-f", "-p", "0", "--tls-cert", cert.toString(), "--tls-key", key.toString(), docroot.toString());
        int port = Integer.parseInt(sws.stderr().awaitLine(LISTENING, QUICK).group(2));
        assertThat(servedKey(port, ec, rsa)).isEqualTo("EC");

        Files.copy(rsa.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(rsa.key(), key, StandardCopyOption.REPLACE_EXISTING);
        hangUp(sws.process());
        assertThat(Poll.until(QUICK, () -> "RSA".equals(servedKey(port, ec, rsa))))
                .isTrue();

        Files.copy(ec.key(), key, StandardCopyOption.REPLACE_EXISTING); // no longer the certificate's key
        hangUp(sws.process());
        sws.stderr()
                .awaitLine(Pattern.compile("sws: warning: .*does not match.*keeping the certificate in use"), QUICK);
        assertThat(servedKey(port, ec, rsa)).isEqualTo("RSA");
        assertThat(sws.process().isAlive()).isTrue();
    }

    @Test
    void redirectPortZeroIsAnnouncedAndRedirects() throws Exception {
        TestTls.Pair ec = TestTls.pair("ec");
        var sws = processes.start(
                "-f",
                "-p",
                "0",
                "--redirect-port",
                "0",
                "--hsts",
                "600",
                "--tls-cert",
                ec.certificate().toString(),
                "--tls-key",
                ec.key().toString(),
                docroot.toString());
        int port = Integer.parseInt(sws.stderr().awaitLine(LISTENING, QUICK).group(2));
        int redirect =
                Integer.parseInt(sws.stderr().awaitLine(REDIRECTING, QUICK).group(1));
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "-L",
                        "--cacert",
                        ec.certificate().toString(),
                        "-D",
                        "-",
                        "http://localhost:" + redirect + "/hello.txt")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes());
        assertThat(curl.waitFor()).as(out).isZero();
        assertThat(out)
                .contains("301 Moved Permanently")
                .contains("Location: https://localhost:" + port + "/hello.txt")
                .contains("Strict-Transport-Security: max-age=600")
                .endsWith("hello\n");
    }

    private static void hangUp(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    /** The algorithm of the key the server proves it holds in a new handshake; null when none completes. */
    private static String servedKey(int port, TestTls.Pair... trusted) {
        List<Path> certs = new ArrayList<>();
        for (TestTls.Pair p : trusted) {
            certs.add(p.certificate());
        }
        try (SSLSocket socket = (SSLSocket)
                TestTls.trusting(certs.toArray(Path[]::new)).getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getPublicKey()
                    .getAlgorithm();
        } catch (IOException e) {
            return null;
        }
    }

    private static void assertNoStackTrace(Processes.Result r) {
        assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
