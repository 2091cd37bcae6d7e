package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sws.testing.Poll;
import sws.testing.Processes;
import sws.testing.TestServer;

/**
 * Spec section 9 end to end: the packaged sws with --metrics, scraped every second by a real Prometheus
 * (Debian's package), whose query API must then add up to the requests made. Prometheus runs as a process
 * of this test on loopback, with its own configuration and storage in a temporary folder, never as the
 * system's service. Skipped when there is no prometheus binary.
 */
class PrometheusIT {
    private static final Duration QUICK = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("sws: listening on (.+):(\\d+)");
    private static final Pattern METRICS = Pattern.compile("sws: metrics on port (\\d+)");
    /** The value of an instant query's one result: {"result":[{"metric":{},"value":[1733000000.123,"42"]}]}. */
    private static final Pattern ONE_VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

    private static final int REQUESTS = 25;

    private final Processes processes = new Processes();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Path tmp;
    private Path prometheusLog;
    private int prometheusPort;

    @AfterEach
    void stopEverything() {
        processes.close(); // sws, and prometheus by the pid registered at its start
        if (tmp != null) {
            TestServer.deleteTree(tmp);
        }
    }

    @Test
    void prometheusScrapesTheRequestsSwsCounted() throws IOException {
        Optional<Path> binary = prometheusBinary();
        Assumptions.assumeTrue(binary.isPresent(), "no prometheus binary on PATH");
        tmp = Files.createTempDirectory("swsprom");
        Path docroot = Files.createDirectory(tmp.resolve("docroot"));
        Files.writeString(docroot.resolve("index.html"), "ok\n");

        Processes.Running sws = processes.start("-f", "-p", "0", "--metrics", "127.0.0.1:0", docroot.toString());
        int swsPort = Integer.parseInt(sws.stderr().awaitLine(LISTENING, QUICK).group(2));
        int metricsPort =
                Integer.parseInt(sws.stderr().awaitLine(METRICS, QUICK).group(1));

        startPrometheus(binary.get(), metricsPort);
        assertThat(Poll.until(QUICK, () -> "1".equals(query("up{job=\"sws\"}"))))
                .as("prometheus scraped sws and found it up; prometheus said:\n%s", prometheusOutput())
                .isTrue();

        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> r = get("http://127.0.0.1:" + swsPort + "/?n=" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok\n");
        }

        String expected = Integer.toString(REQUESTS);
        String[] seen = {null};
        boolean counted = Poll.until(QUICK, () -> expected.equals(seen[0] = query("sum(sws_requests_total)")));
        assertThat(counted)
                .as("sum(sws_requests_total) reached %s; the last answer was %s", expected, seen[0])
                .isTrue();
        assertThat(query("sws_requests_total{code=\"200\"}")).isEqualTo(expected);
        assertThat(query("sws_request_duration_seconds_count")).isEqualTo(expected);
        assertThat(query("sws_response_body_bytes_total")).isEqualTo(Integer.toString(3 * REQUESTS));
        assertThat(query("scrape_samples_scraped{job=\"sws\"}"))
                .as("prometheus took every sample of the scrape")
                .isNotNull()
                .isNotEqualTo("0");
        assertThat(prometheusOutput()).doesNotContain("level=error");
        assertThat(sws.process().isAlive()).isTrue();
    }

    /** Prometheus on a free loopback port, scraping sws every second, with storage in tmp. */
    private void startPrometheus(Path binary, int metricsPort) throws IOException {
        prometheusPort = freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(
                config,
                """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: sws
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """
                        .formatted(metricsPort));
        prometheusLog = tmp.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + tmp.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(prometheusLog.toFile())
                .start();
        processes.register(prometheus.toHandle()); // killed by its pid at the end
        assertThat(Poll.until(QUICK, () -> ready()))
                .as("prometheus became ready; it said:\n%s", prometheusOutput())
                .isTrue();
    }

    private boolean ready() {
        try {
            return get("http://127.0.0.1:" + prometheusPort + "/-/ready").statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false; // not listening yet
        }
    }

    /** The value of an instant query with one result, or null while there is none. */
    private String query(String promql) {
        HttpResponse<String> r = get("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as("query %s: %s", promql, r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"success\"");
        Matcher m = ONE_VALUE.matcher(r.body());
        return m.find() ? m.group(1) : null;
    }

    private HttpResponse<String> get(String uri) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(uri))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** prometheus where Debian's package puts it: on PATH, or in /usr/bin when PATH lacks it. */
    private static Optional<Path> prometheusBinary() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Arrays.stream(path.split(File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String prometheusOutput() {
        try {
            return Files.exists(prometheusLog) ? Files.readString(prometheusLog, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
