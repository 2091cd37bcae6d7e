package sws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.Config;
import sws.http.Limits;

/** Spec section 1: the command line read as getopt(3) and getopt_long(3) read one. */
class OptionsTest {
    @Test
    void shortOptionsClusterAndTakeTheirValueJoinedOrNext() throws Exception {
        for (String[] args : new String[][] {
            {"-df", "-p8081", "dir"}, {"-d", "-f", "-p", "8081", "dir"}, {"-dfp8081", "dir"}, {"-dfp", "8081", "dir"}
        }) {
            Options o = Options.parse(args);
            assertThat(o.debug).as(String.join(" ", args)).isTrue();
            assertThat(o.foreground).isTrue();
            assertThat(o.port).isEqualTo(8081);
            assertThat(o.docroot).isEqualTo(Path.of("dir"));
        }
    }

    @Test
    void longOptionsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        Options spaced = Options.parse("--loops", "3", "--max-body", "12", "--userdir", "www", "dir");
        Options joined = Options.parse("--loops=3", "--max-body=12", "--userdir=www", "dir");
        for (Options o : new Options[] {spaced, joined}) {
            assertThat(o.loops).isEqualTo(3);
            assertThat(o.maxBody).isEqualTo(12);
            assertThat(o.userdir).isEqualTo("www");
        }
    }

    @Test
    void doubleDashEndsTheOptions() throws Exception {
        assertThat(Options.parse("-f", "--", "-odd-name").docroot).isEqualTo(Path.of("-odd-name"));
    }

    @Test
    void defaultsAreConfigsOwn() throws Exception {
        Config c = Options.parse("dir").config();
        Config d = Config.builder(Path.of("dir")).build();
        assertThat(c).isEqualTo(d);
        assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void helpAndVersionNeedNoDocroot() throws Exception {
        assertThat(Options.parse("-h").help).isTrue();
        assertThat(Options.parse("--version").version).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-x dir",
                "--bogus dir",
                "-f",
                "dir other",
                "-p",
                "-p notanumber dir",
                "-p 70000 dir",
                "--loops 0 dir",
                "--version=1 dir",
                "--cgi-timeout 0 dir",
                "--max-body 99999999999999999999 dir",
                "--tls-cert c.pem dir",
                "--tls-key k.pem dir",
                "--hsts 60 dir",
                "--redirect-port 8081 dir",
                "--tls-cert c --tls-key k --redirect-port 8080 dir",
                "--tls-cert c --tls-key k --hsts -1 dir",
                "--unix-mode 0600 dir",
                "--unix /s --unix-mode 999 dir",
                "--unix /s --unix-mode rw dir",
                "--trusted-proxy 10.0.0.0/8 dir",
                "--proxy-protocol --trusted-proxy 10.0.0.0/33 dir",
                "--proxy-protocol --trusted-proxy example.com dir",
                "--no-compress=yes dir",
                "--header",
                "--fallback",
                "--cache-control",
                "--metrics 9100 dir",
                "--metrics :9100 dir",
                "--metrics 127.0.0.1: dir",
                "--metrics",
                "--health-path healthz dir",
                "--health-path",
                "--drain-delay -1 dir",
                "--drain-delay soon dir",
                "--drain-timeout -1 dir",
                "--drain-timeout 1.5 dir",
                "--reuse-port=yes dir"
            })
    void misuseIsRefusedWithAMessage(String line) {
        assertThatThrownBy(() -> Options.parse(line.split(" ")))
                .isInstanceOf(Options.Misuse.class)
                .hasMessageStartingWith("")
                .message()
                .isNotBlank();
    }

    @Test
    void listenerOptionsMakeTheirSettings() throws Exception {
        Config c = Options.parse(
                        "--tls-cert",
                        "c.pem",
                        "--tls-key",
                        "k.pem",
                        "--redirect-port",
                        "8081",
                        "--hsts",
                        "600",
                        "--unix",
                        "/run/s.sock",
                        "--unix-mode",
                        "0600",
                        "--proxy-protocol",
                        "--trusted-proxy",
                        "10.0.0.0/8,unix",
                        "dir")
                .config();
        assertThat(c.tls()).isEqualTo(new Config.Tls(Path.of("c.pem"), Path.of("k.pem"), 8081, 600));
        assertThat(c.unix()).isEqualTo(new Config.Unix(Path.of("/run/s.sock"), 0600));
        assertThat(c.proxyProtocol()).isNotNull();
        Config plain = Options.parse("--unix", "/s", "--proxy-protocol", "dir").config();
        assertThat(plain.tls()).isNull();
        assertThat(plain.unix().mode()).isEqualTo(0660);
        assertThat(plain.proxyProtocol()).isSameAs(sws.net.TrustedProxies.DEFAULT);
    }

    @Test
    void operationsOptionsMakeTheirSettings() throws Exception {
        Config c = Options.parse(
                        "--metrics",
                        "127.0.0.1:9100",
                        "--health-path",
                        "/healthz",
                        "--drain-delay",
                        "3",
                        "--drain-timeout=4",
                        "--reuse-port",
                        "dir")
                .config();
        assertThat(c.operations())
                .isEqualTo(new Config.Operations(
                        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9100),
                        "/healthz",
                        Duration.ofSeconds(3),
                        true));
        assertThat(c.operations().lameDuck()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.timeouts().grace()).isEqualTo(Duration.ofSeconds(4));
        assertThat(Options.parse("--metrics", "[::1]:0", "dir")
                        .config()
                        .operations()
                        .metrics())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 0));
    }

    @Test
    void drainDelayDefaultsToTwoSecondsWithAHealthPathAndNoneWithout() throws Exception {
        assertThat(Options.parse("--health-path", "/h", "dir")
                        .config()
                        .operations()
                        .lameDuck())
                .isEqualTo(Duration.ofSeconds(2));
        Config plain = Options.parse("dir").config();
        assertThat(plain.operations()).isEqualTo(Config.Operations.DEFAULT);
        assertThat(plain.operations().lameDuck()).isZero();
        assertThat(plain.timeouts().grace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Options.parse("--drain-delay", "0", "--drain-timeout", "0", "dir")
                        .config()
                        .timeouts()
                        .grace())
                .isZero();
    }

    /** A --metrics value of the right shape whose port or host cannot be used is a start-up failure (exit 1). */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:70000", "127.0.0.1:-1", "127.0.0.1:metrics", "nonsense..:9100"})
    void unusableMetricsAddressIsAOneLineFailure(String value) throws Exception {
        Options o = Options.parse("--metrics", value, "dir");
        assertThatThrownBy(o::config).isInstanceOf(Failure.class).hasMessageContaining("--metrics " + value);
    }

    @ParameterizedTest
    @CsvSource({
        "--cors dir, *",
        "dir --cors, *",
        "--cors=https://a.example dir, https://a.example",
        "--cors https://a.example dir, https://a.example",
        "--cors http://localhost:8080 dir, http://localhost:8080",
        "--cors * dir, *",
        "--cors null dir, null",
        "--cors=ftp://x dir, ftp://x"
    })
    void corsTakesAnOriginAfterEqualsOrWhenTheNextArgumentLooksLikeOne(String line, String origin) throws Exception {
        Options o = Options.parse(line.split(" "));
        assertThat(o.cors).as(line).isEqualTo(origin);
        assertThat(o.docroot).isEqualTo(Path.of("dir"));
        assertThat(o.config().content().cors()).isEqualTo(origin);
    }

    @Test
    void corsBeforeSomethingNotAnOriginLeavesItAnOperand() {
        assertThatThrownBy(() -> Options.parse("--cors", "ftp://x", "dir"))
                .isInstanceOf(Options.Misuse.class)
                .hasMessageContaining("dir");
    }

    @Test
    void contentOptionsMakeTheirSettings() throws Exception {
        Config c = Options.parse(
                        "--no-compress",
                        "--cache-control",
                        "max-age=60",
                        "--header",
                        "X-A: 1",
                        "--header=X-B: 2",
                        "--fallback",
                        "index.html",
                        "dir")
                .config();
        assertThat(c.content())
                .isEqualTo(new Config.Content(false, "max-age=60", List.of("X-A: 1", "X-B: 2"), null, "index.html"));
        assertThat(Options.parse("dir").config().content()).isEqualTo(Config.Content.DEFAULT);
    }

    @Test
    void usageNamesEveryOptionWithItsDefault() {
        assertThat(Options.usage())
                .startsWith("Usage: sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir")
                .contains("-p port")
                .contains("(default 8080;")
                .contains("--max-body BYTES")
                .contains("(default " + Limits.DEFAULT.maxBodyBytes() + ";")
                .contains("--no-compress")
                .contains("--cache-control VALUE")
                .contains("--header 'NAME: VALUE'")
                .contains("--cors [ORIGIN]")
                .contains("--fallback PATH")
                .contains("--metrics ADDRESS:PORT")
                .contains("--health-path PATH")
                .contains("--drain-delay SECONDS")
                .contains("--drain-timeout SECONDS")
                .contains("--reuse-port");
    }
}
