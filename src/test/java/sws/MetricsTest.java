package sws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Timeouts;
import sws.http.Version;
import sws.metrics.Metrics;
import sws.net.TrustedProxies;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 9, the --metrics listener: what a scrape says after known traffic, over real sockets. Every
 * scrape is read by a strict parser of the Prometheus text exposition format 0.0.4 written here, so a
 * malformed line fails whichever test made it.
 */
class MetricsTest {
    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final String FILE_TEXT = "0123456789";

    // ---- the format

    @Test
    void aScrapeIsTheTextFormatWithEveryFamilyOfTheSpec() {
        try (TestServer s = start(c -> c)) {
            RawClient.Reply reply = get(s, "/metrics");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            Exposition e = Exposition.parse(reply.text());
            assertThat(e.families())
                    .containsKeys(
                            "sws_requests_total",
                            "sws_response_body_bytes_total",
                            "sws_request_duration_seconds",
                            "sws_connections_open",
                            "sws_connections_accepted_total",
                            "sws_connections_refused_total",
                            "sws_cgi_running",
                            "sws_cgi_queued",
                            "sws_cgi_timeouts_total",
                            "sws_file_cache_hits_total",
                            "sws_file_cache_misses_total",
                            "process_start_time_seconds",
                            "process_open_fds",
                            "sws_build_info");
            assertThat(e.family("sws_request_duration_seconds").type()).isEqualTo("histogram");
            assertThat(e.family("sws_connections_open").type()).isEqualTo("gauge");
            assertThat(e.family("sws_requests_total").type()).isEqualTo("counter");
            assertThat(e.family("sws_request_duration_seconds").samples().stream()
                            .filter(x -> x.name().endsWith("_bucket"))
                            .map(x -> x.labels().get("le")))
                    .containsExactly(
                            "0.005", "0.010", "0.025", "0.050", "0.100", "0.250", "0.500", "1.000", "2.500", "5.000",
                            "10.000", "+Inf");
        }
    }

    @Test
    void buildInfoNamesTheVersionAndProcessFiguresAreSane() {
        try (TestServer s = start(c -> c)) {
            Exposition e = scrape(s);

            Exposition.Sample info = e.family("sws_build_info").samples().getFirst();
            assertThat(info.labels()).isEqualTo(Map.of("version", Version.VERSION));
            assertThat(info.value()).isEqualTo(1.0);
            assertThat(Version.VERSION).isNotBlank().isNotEqualTo("dev");
            double started = e.value("process_start_time_seconds");
            double now = System.currentTimeMillis() / 1000.0;
            assertThat(started).isBetween(now - 24 * 3600, now + 1);
            // embedded, sws is this very process: its count is this test's, give or take a socket or two
            assertThat(e.value("process_open_fds")).isCloseTo(openFds(), within(8.0));
        }
    }

    // ---- requests

    @Test
    void requestsByCodeAndBodyBytesMatchAKnownMixExactly() {
        try (TestServer s = start(c -> c)) {
            List<RawClient.Reply> replies = new ArrayList<>();
            replies.add(s.send(request("GET", "/file.txt")));
            replies.add(s.send(request("GET", "/file.txt")));
            replies.add(s.send(request("GET", "/")));
            replies.add(s.send(request("GET", "/missing.txt")));
            replies.add(s.send(request("GET", "/no/such/dir/")));
            String etag = replies.getFirst().header("ETag");
            assertThat(etag).isNotNull();
            replies.add(s.send(request("GET", "/file.txt", "If-None-Match: " + etag)));
            replies.add(s.send(request("GET", "/file.txt", "Range: bytes=50-60")));
            replies.add(s.send("GET /file.txt HTTP/1.1\r\n\r\n"));
            replies.add(s.send(request("DELETE", "/file.txt")));
            assertThat(replies.stream().map(RawClient.Reply::status))
                    .containsExactly(200, 200, 200, 404, 404, 304, 416, 400, 405);
            long bodyBytes = 0;
            for (RawClient.Reply r : replies) {
                long length = r.status() == 304 ? 0 : Long.parseLong(r.header("Content-Length"));
                assertThat(r.body()).hasSize((int) length);
                bodyBytes += length;
            }

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 9);

            assertThat(e.byLabel("sws_requests_total", "code"))
                    .as("errors count like any other response")
                    .isEqualTo(Map.of("200", 3.0, "404", 2.0, "304", 1.0, "416", 1.0, "400", 1.0, "405", 1.0));
            assertThat(e.value("sws_response_body_bytes_total")).isEqualTo((double) bodyBytes);
            assertThat(e.value("sws_request_duration_seconds_count")).isEqualTo(9.0);
            assertThat(e.value("sws_request_duration_seconds_sum")).isBetween(0.0, 9 * 10.0);
        }
    }

    @Test
    void aHeadResponseCountsWithoutBodyBytes() {
        try (TestServer s = start(c -> c)) {
            try (RawClient c = s.ipv4()) {
                c.send(request("HEAD", "/file.txt"));
                RawClient.Reply head = c.readHead();
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.header("Content-Length")).isEqualTo("10");
            }

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 1);

            assertThat(e.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("200", 1.0));
            assertThat(e.value("sws_response_body_bytes_total")).isZero();
        }
    }

    @Test
    void theMetricsListenerAnswersOnlyGetAndHeadOfMetricsAndNoneOfItIsCounted() {
        try (TestServer s = start(c -> c)) {
            RawClient.Reply other = get(s, "/other");
            assertThat(other.status()).isEqualTo(404);
            assertThat(get(s, "/metrics/").status()).isEqualTo(404);
            assertThat(get(s, "/").status()).isEqualTo(404);
            RawClient.Reply post = onMetrics(
                    s, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false);
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
            RawClient.Reply head = onMetrics(s, request("HEAD", "/metrics"), true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo(Metrics.TYPE);
            scrape(s);
            scrape(s);

            Exposition e = scrape(s);

            assertThat(e.family("sws_requests_total").samples()).isEmpty();
            assertThat(e.value("sws_request_duration_seconds_count")).isZero();
            assertThat(e.value("sws_response_body_bytes_total")).isZero();
        }
    }

    @Test
    void healthChecksAreNotCounted() {
        try (TestServer s = start(c -> c.healthPath("/healthz").drainDelay(Duration.ZERO))) {
            for (String target : List.of("/healthz", "/healthz", "/healthz?from=balancer")) {
                RawClient.Reply r = s.send(request("GET", target));
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("ok\n");
            }
            RawClient.Reply old = s.send("GET /healthz HTTP/1.0\r\n\r\n");
            assertThat(old.status()).isEqualTo(200);
            assertThat(s.send(request("GET", "/file.txt")).status()).isEqualTo(200);

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 1);

            assertThat(e.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("200", 1.0));
            assertThat(e.value("sws_response_body_bytes_total")).isEqualTo(FILE_TEXT.length());
            assertThat(scrape(s).value("sws_request_duration_seconds_count")).isEqualTo(1.0);
        }
    }

    @Test
    void aPostToTheHealthPathIsNoHealthCheckAndCounts() {
        try (TestServer s = start(c -> c.healthPath("/healthz").drainDelay(Duration.ZERO))) {
            RawClient.Reply r = s.send(request("POST", "/healthz", "Content-Length: 0"));
            assertThat(r.status()).isEqualTo(405);

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 1);

            assertThat(e.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("405", 1.0));
        }
    }

    @Test
    void theMetricsListenerAnswersThroughTheLameDuckPeriod() {
        try (TestServer s = start(c -> c.healthPath("/healthz").drainDelay(Duration.ofSeconds(3)))) {
            assertThat(s.send(request("GET", "/file.txt")).status()).isEqualTo(200);
            scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") == 1.0);

            Thread stopping = Thread.ofPlatform().start(s.server()::close);
            Poll.await(QUICK, () -> s.send(request("GET", "/healthz")).status() == 503);
            assertThat(s.send(request("GET", "/file.txt")).status()).isEqualTo(200);

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 2);
            assertThat(stopping.isAlive()).as("still in the lame-duck period").isTrue();
            assertThat(e.byLabel("sws_requests_total", "code"))
                    .as("the 503s of the health check are not counted either")
                    .isEqualTo(Map.of("200", 2.0));
        }
    }

    // ---- the file cache

    @Test
    void fileCacheHitsAndMissesAddUpToTheRequests() {
        try (TestServer s = start(c -> c)) {
            int[] sent = {0};
            boolean hit = Poll.until(QUICK, () -> {
                assertThat(s.send(request("GET", "/file.txt")).status()).isEqualTo(200);
                sent[0]++;
                return sent[0] >= 2 && scrape(s).value("sws_file_cache_hits_total") >= 1;
            });
            assertThat(hit).as("a repeated GET is answered from the cache").isTrue();

            Exposition e = scrape(s);

            assertThat(e.value("sws_file_cache_misses_total")).isGreaterThanOrEqualTo(1);
            assertThat(e.value("sws_file_cache_hits_total") + e.value("sws_file_cache_misses_total"))
                    .isEqualTo(sent[0]);
        }
    }

    // ---- connections

    @Test
    void openConnectionsRiseWithClientsAndReturnToTheBaselineWhenTheyClose() {
        try (TestServer s = start(c -> c);
                RawClient m = metricsClient(s)) {
            Exposition before = scrapeOver(m);
            double open = before.value("sws_connections_open");
            double accepted = before.value("sws_connections_accepted_total");
            assertThat(open).as("the scrape's own connection").isEqualTo(1.0);

            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawClient c = s.ipv4();
                c.send(request("GET", "/file.txt").replace("Connection: close\r\n", ""));
                assertThat(c.read().status()).isEqualTo(200);
                clients.add(c);
            }
            Exposition during = scrapeOver(m);
            assertThat(during.value("sws_connections_open")).isEqualTo(open + 3);
            assertThat(during.value("sws_connections_accepted_total")).isEqualTo(accepted + 3);

            clients.forEach(RawClient::close);
            Exposition after = scrapeOverUntil(m, x -> x.value("sws_connections_open") == open);

            assertThat(after.value("sws_connections_accepted_total")).isEqualTo(accepted + 3);
            assertThat(scrape(s).value("sws_connections_accepted_total"))
                    .as("a scrape's own connection is accepted like any other")
                    .isEqualTo(accepted + 4);
        }
    }

    @Test
    void everyRequestOnAKeptAliveConnectionCountsAndAResetConnectionIsNoLongerOpen() {
        try (TestServer s = start(c -> c);
                RawClient m = metricsClient(s)) {
            RawClient c = s.ipv4();
            for (int i = 0; i < 5; i++) {
                c.send("GET /file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(200);
            }
            Exposition during = scrapeOverUntil(m, x -> x.value("sws_request_duration_seconds_count") >= 5);
            assertThat(during.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("200", 5.0));
            assertThat(during.value("sws_connections_open")).isEqualTo(2.0);
            assertThat(during.value("sws_connections_accepted_total")).isEqualTo(2.0);

            c.reset();

            scrapeOverUntil(m, x -> x.value("sws_connections_open") == 1.0);
        }
    }

    @Test
    void aConnectionClosedForIdlingIsNoLongerOpen() {
        Timeouts quick = new Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
        try (TestServer s = start(c -> c.timeouts(quick));
                RawClient idle = s.ipv4()) {
            idle.send("GET /file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(idle.read().status()).isEqualTo(200);
            assertThat(scrape(s).value("sws_connections_open")).isEqualTo(2.0);

            assertThat(idle.closedWithin(5000)).as("closed by the idle timeout").isTrue();

            scrapeUntil(s, x -> x.value("sws_connections_open") == 1.0);
        }
    }

    @Test
    void aRequestThatTimesOutCountsAs408() {
        Timeouts quick = new Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
        try (TestServer s = start(c -> c.timeouts(quick));
                RawClient slow = s.ipv4()) {
            slow.send("GET /file.txt HTTP/1.1\r\nHost: loc");

            RawClient.Reply r = slow.read();

            assertThat(r.status()).isEqualTo(408);
            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 1);
            assertThat(e.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("408", 1.0));
            assertThat(e.value("sws_response_body_bytes_total")).isEqualTo(r.body().length);
        }
    }

    @Test
    void connectionsOverTheLimitAreRefusedAndCounted() {
        // The metrics listener's connection is not one of the site's: two clients fill a limit of two.
        try (TestServer s = start(c -> c.maxConnections(2));
                RawClient m = metricsClient(s)) {
            scrapeOver(m);
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RawClient c = s.ipv4();
                c.send(request("GET", "/file.txt").replace("Connection: close\r\n", ""));
                assertThat(c.read().status()).isEqualTo(200);
                clients.add(c);
            }
            for (int i = 0; i < 2; i++) {
                try (RawClient over = s.ipv4()) {
                    assertThat(over.read().status()).isEqualTo(503);
                    assertThat(over.closedWithin(5000)).isTrue();
                }
            }

            Exposition e = scrapeOver(m);

            assertThat(e.byLabel("sws_connections_refused_total", "reason"))
                    .isEqualTo(Map.of("limit", 2.0, "untrusted_proxy", 0.0));
            assertThat(e.value("sws_connections_open")).isEqualTo(3.0);
            assertThat(e.byLabel("sws_requests_total", "code"))
                    .as("a refusal is not a response to a request")
                    .isEqualTo(Map.of("200", 2.0));
            clients.forEach(RawClient::close);
            scrapeOverUntil(m, x -> x.value("sws_connections_open") == 1.0);
        }
    }

    @Test
    void theMetricsListenerStillAnswersWhenClientsHoldEveryConnection() {
        try (TestServer s = start(c -> c.maxConnections(2))) {
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RawClient c = s.ipv4();
                c.send(request("GET", "/file.txt").replace("Connection: close\r\n", ""));
                assertThat(c.read().status()).isEqualTo(200);
                clients.add(c);
            }

            Exposition e = scrape(s);

            assertThat(e.byLabel("sws_connections_refused_total", "reason")).containsEntry("limit", 0.0);
            clients.forEach(RawClient::close);
        }
    }

    @Test
    void aPeerThatIsNoTrustedProxyIsRefusedAndCounted() {
        try (TestServer s = start(c -> c.proxyProtocol(TrustedProxies.parse("10.0.0.0/8")))) {
            for (int i = 0; i < 3; i++) {
                try (RawClient c = s.ipv4()) {
                    assertThat(c.closedWithin(5000)).isTrue();
                }
            }

            Exposition e = scrapeUntil(
                    s, x -> x.byLabel("sws_connections_refused_total", "reason").get("untrusted_proxy") >= 3);

            assertThat(e.byLabel("sws_connections_refused_total", "reason"))
                    .as("the metrics listener itself takes no PROXY header and refuses no one")
                    .isEqualTo(Map.of("limit", 0.0, "untrusted_proxy", 3.0));
            assertThat(e.value("sws_connections_open")).isEqualTo(1.0);
            assertThat(e.family("sws_requests_total").samples()).isEmpty();
        }
    }

    // ---- CGI

    @Test
    void aCgiProgramIsRunningWhileItSleepsAndItsTimeoutIsCounted() throws IOException {
        Path docroot = docroot();
        Path cgi = Files.createDirectory(docroot.getParent().resolve("cgi"));
        Path sleeper = cgi.resolve("sleep.sh");
        Files.writeString(sleeper, "#!/bin/sh\nsleep 5\necho 'Content-Type: text/plain'\necho\necho late\n");
        Files.setPosixFilePermissions(sleeper, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestServer s = TestServer.start(
                        docroot, c -> withMetrics(c).cgi(new Config.Cgi(cgi, Duration.ofSeconds(1), 4, 8)));
                RawClient client = s.ipv4()) {
            Exposition idle = scrape(s);
            assertThat(idle.value("sws_cgi_running")).isZero();
            assertThat(idle.value("sws_cgi_queued")).isZero();
            assertThat(idle.value("sws_cgi_timeouts_total")).isZero();

            client.send(request("GET", "/cgi-bin/sleep.sh"));
            Exposition running = scrapeUntil(s, x -> x.value("sws_cgi_running") == 1.0);
            assertThat(running.value("sws_cgi_timeouts_total")).isZero();

            Exposition after = scrapeUntil(s, x -> x.value("sws_cgi_timeouts_total") == 1.0);
            assertThat(client.read().status()).isEqualTo(504);
            Exposition done = scrapeUntil(s, x -> x.value("sws_cgi_running") == 0.0);

            assertThat(done.value("sws_cgi_timeouts_total")).isEqualTo(1.0);
            assertThat(done.value("sws_cgi_queued")).isZero();
            assertThat(after.value("sws_cgi_timeouts_total")).isEqualTo(1.0);

            Exposition counted = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= 1);
            assertThat(counted.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("504", 1.0));
            assertThat(counted.byLabel("sws_request_duration_seconds", "le"))
                    .as("a response after the 1 s timeout lies above the 0.5 s bucket and within the 2.5 s one")
                    .containsEntry("0.500", 0.0)
                    .containsEntry("2.500", 1.0)
                    .containsEntry("+Inf", 1.0);
            assertThat(counted.value("sws_request_duration_seconds_sum")).isBetween(1.0, 2.5);
        }
    }

    @Test
    void cgiResponsesFromManyClientsAtOnceAreEachCounted() throws Exception {
        Path docroot = docroot();
        Path cgi = Files.createDirectory(docroot.getParent().resolve("cgi"));
        Path echo = cgi.resolve("echo.sh");
        Files.writeString(echo, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhi\\n'\n");
        Files.setPosixFilePermissions(echo, PosixFilePermissions.fromString("rwxr-xr-x"));
        int clients = 8;
        int each = 5;
        try (TestServer s = TestServer.start(
                        docroot, c -> withMetrics(c).cgi(new Config.Cgi(cgi, Duration.ofSeconds(10), 4, 64)));
                ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int j = 0; j < each; j++) {
                        RawClient.Reply r = s.send(request("GET", j % 2 == 0 ? "/cgi-bin/echo.sh" : "/file.txt"));
                        ok += r.status() == 200 ? 1 : 0;
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(ok).isEqualTo(clients * each);

            Exposition e = scrapeUntil(s, x -> x.value("sws_request_duration_seconds_count") >= clients * each);

            assertThat(e.byLabel("sws_requests_total", "code")).isEqualTo(Map.of("200", (double) clients * each));
            assertThat(e.value("sws_request_duration_seconds_count")).isEqualTo(clients * each);
            // a slot is released once the program has exited, which may come just after its response
            scrapeUntil(s, x -> x.value("sws_cgi_running") == 0.0);
        }
    }

    @Test
    void aCgiRequestBeyondMaxRunningIsQueued() throws IOException {
        Path docroot = docroot();
        Path cgi = Files.createDirectory(docroot.getParent().resolve("cgi"));
        Path sleeper = cgi.resolve("sleep.sh");
        Files.writeString(sleeper, "#!/bin/sh\nsleep 5\n");
        Files.setPosixFilePermissions(sleeper, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestServer s = TestServer.start(
                        docroot, c -> withMetrics(c).cgi(new Config.Cgi(cgi, Duration.ofSeconds(1), 1, 8)));
                RawClient first = s.ipv4();
                RawClient second = s.ipv4()) {
            first.send(request("GET", "/cgi-bin/sleep.sh"));
            scrapeUntil(s, x -> x.value("sws_cgi_running") == 1.0);
            second.send(request("GET", "/cgi-bin/sleep.sh"));

            Exposition e = scrapeUntil(s, x -> x.value("sws_cgi_queued") == 1.0);

            assertThat(e.value("sws_cgi_running")).isEqualTo(1.0);
        }
    }

    // ---- addresses

    @Test
    void aMetricsListenerOnIpv6LoopbackAnswers() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        Assumptions.assumeTrue(ipv6Works(v6), "no IPv6 loopback here");
        try (TestServer s = TestServer.start(docroot(), c -> c.metrics(new InetSocketAddress(v6, 0)))) {
            try (RawClient c = RawClient.connect(v6, metricsPort(s))) {
                c.send(request("GET", "/metrics"));
                RawClient.Reply r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(Exposition.parse(r.text()).value("sws_connections_open"))
                        .isEqualTo(1.0);
            }
            assertThatThrownBy(() -> RawClient.connect(InetAddress.getLoopbackAddress(), metricsPort(s)))
                    .as("bound to ::1 only")
                    .isInstanceOf(UncheckedIOException.class);
        }
    }

    // ---- the parser itself: it must refuse what the format does not allow

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a_total 1\n",
                "# HELP a_total x\n# TYPE a_total counter\na_total 1",
                "# TYPE a_total counter\n# HELP a_total x\na_total 1\n# TYPE a_total counter\n",
                "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n",
                "# HELP a x\n# TYPE a gauge\na 1\na 2\n",
                "# HELP a x\n# TYPE a gauge\na 0x10\n",
                "# HELP a x\n# TYPE a gauge\na Infinity\n",
                "# HELP a x\n# TYPE a gauge\na{1x=\"1\"} 1\n",
                "# HELP a x\n# TYPE a gauge\na{x=1} 1\n",
                "# HELP a x\n# TYPE a gauge\na{x=\"\\t\"} 1\n",
                "# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",
                "# HELP 1a x\n# TYPE 1a gauge\n1a 1\n",
                "# HELP a x\n# TYPE a wobble\na 1\n",
                "# HELP a x\n# TYPE a counter\na -1\n",
                "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
                        + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
                "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
                "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
                "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n"
                        + "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
                "# HELP h x\n# TYPE h histogram\nh 1\n",
            })
    void theParserRefusesWhatTheFormatDoesNotAllow(String text) {
        assertThatThrownBy(() -> Exposition.parse(text)).isInstanceOf(AssertionError.class);
    }

    @Test
    void theParserAcceptsTheFormatsOwnExample() {
        String text =
                """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400",} 3 1395066363000

                # A comment.
                # HELP msdos_file_access_time_seconds Escaping in label values.
                # TYPE msdos_file_access_time_seconds gauge
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                # HELP h A histogram.
                # TYPE h histogram
                h_bucket{le="0.05"} 24054
                h_bucket{le="1"} 33444
                h_bucket{le="+Inf"} 144320
                h_sum 53423
                h_count 144320
                # HELP g A gauge.
                # TYPE g gauge
                g NaN
                """;

        Exposition e = Exposition.parse(text);

        assertThat(e.byLabel("http_requests_total", "code")).isEqualTo(Map.of("200", 1027.0, "400", 3.0));
        assertThat(e.family("msdos_file_access_time_seconds")
                        .samples()
                        .getFirst()
                        .labels())
                .containsEntry("path", "C:\\DIR\\FILE.TXT")
                .containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(e.value("h_count")).isEqualTo(144320.0);
    }

    // ---- fixtures

    private static Path docroot() {
        Path docroot = TestServer.newDocroot();
        TestServer.write(docroot, "file.txt", FILE_TEXT);
        TestServer.write(docroot, "index.html", "<h1>home</h1>\n");
        return docroot;
    }

    private static Config.Builder withMetrics(Config.Builder c) {
        return c.metrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static TestServer start(UnaryOperator<Config.Builder> adjust) {
        return TestServer.start(docroot(), c -> adjust.apply(withMetrics(c)));
    }

    private static String request(String method, String target, String... fields) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String f : fields) {
            sb.append(f).append("\r\n");
        }
        return sb.append("Connection: close\r\n\r\n").toString();
    }

    private static int metricsPort(TestServer s) {
        try {
            return s.server().metricsPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RawClient metricsClient(TestServer s) {
        return RawClient.connect(InetAddress.getLoopbackAddress(), metricsPort(s));
    }

    /** One request to the metrics listener over a connection of its own. */
    private static RawClient.Reply onMetrics(TestServer s, String request, boolean head) {
        try (RawClient c = metricsClient(s)) {
            c.send(request);
            return head ? c.readHead() : c.read();
        }
    }

    private static RawClient.Reply get(TestServer s, String target) {
        return onMetrics(s, request("GET", target), false);
    }

    /** A scrape over a connection of its own, parsed strictly. */
    private static Exposition scrape(TestServer s) {
        return checked(get(s, "/metrics"));
    }

    /** A scrape over a kept-alive connection, which leaves the connection counts as they are. */
    private static Exposition scrapeOver(RawClient m) {
        m.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
        return checked(m.read());
    }

    private static Exposition checked(RawClient.Reply reply) {
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).isEqualTo(Metrics.TYPE);
        return Exposition.parse(reply.text());
    }

    private interface Condition {
        boolean holds(Exposition e);
    }

    /** Scrapes until the condition holds (the counters are written just after a response goes out). */
    private static Exposition scrapeUntil(TestServer s, Condition condition) {
        Exposition[] last = {null};
        boolean met = Poll.until(QUICK, () -> condition.holds(last[0] = scrape(s)));
        assertThat(met)
                .as("a scrape met the condition; the last said:\n%s", last[0])
                .isTrue();
        return last[0];
    }

    private static Exposition scrapeOverUntil(RawClient m, Condition condition) {
        Exposition[] last = {null};
        boolean met = Poll.until(QUICK, () -> condition.holds(last[0] = scrapeOver(m)));
        assertThat(met)
                .as("a scrape met the condition; the last said:\n%s", last[0])
                .isTrue();
        return last[0];
    }

    private static double openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // less the one this listing opened
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean ipv6Works(InetAddress v6) {
        try (Socket probe = new Socket()) {
            probe.bind(new InetSocketAddress(v6, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A scrape read by the rules of the Prometheus text exposition format 0.0.4: each family's HELP and TYPE
     * before its samples, each family in one group, metric and label names of the allowed characters, label
     * values with only the three escapes, values that are Go floats, no series twice, counters never negative,
     * and a histogram's buckets in ascending order of le, cumulative, ending at +Inf with the value of _count.
     * Anything else fails with an AssertionError naming the line.
     */
    record Exposition(Map<String, Family> families) {
        private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final Pattern FLOAT =
                Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");
        private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        record Sample(String name, Map<String, String> labels, double value) {}

        record Family(String name, String type, String help, List<Sample> samples) {}

        /** The value of the one sample of this name without labels. */
        double value(String sampleName) {
            return families.values().stream()
                    .flatMap(f -> f.samples().stream())
                    .filter(s -> s.name().equals(sampleName) && s.labels().isEmpty())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no sample " + sampleName))
                    .value();
        }

        Family family(String name) {
            Family f = families.get(name);
            if (f == null) {
                throw new AssertionError("no family " + name + " in " + families.keySet());
            }
            return f;
        }

        /** A family's samples that have the label, by its value. */
        Map<String, Double> byLabel(String name, String label) {
            Map<String, Double> values = new HashMap<>();
            for (Sample s : family(name).samples()) {
                if (s.labels().containsKey(label)) {
                    values.put(s.labels().get(label), s.value());
                }
            }
            return values;
        }

        static Exposition parse(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new AssertionError("the last line has no line end");
            }
            Map<String, String> types = new HashMap<>();
            Map<String, String> helps = new HashMap<>();
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            Set<String> ended = new HashSet<>();
            Set<String> series = new HashSet<>();
            String current = null;
            int number = 0;
            for (String line : text.split("\n", -1)) {
                number++;
                if (line.isEmpty()) {
                    continue;
                }
                String where = "line " + number + " \"" + line + "\": ";
                String family;
                if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length < 4) {
                        throw new AssertionError(where + "HELP and TYPE take a name and a text");
                    }
                    family = name(parts[2], where);
                    if (samples.containsKey(family) && !samples.get(family).isEmpty()) {
                        throw new AssertionError(where + "HELP and TYPE come before the family's samples");
                    }
                    if (parts[1].equals("HELP")) {
                        if (helps.put(family, help(parts[3], where)) != null) {
                            throw new AssertionError(where + "a second HELP");
                        }
                    } else {
                        if (!TYPES.contains(parts[3])) {
                            throw new AssertionError(where + "no such type");
                        }
                        if (types.put(family, parts[3]) != null) {
                            throw new AssertionError(where + "a second TYPE");
                        }
                    }
                } else if (line.startsWith("#")) {
                    continue; // a comment
                } else {
                    Sample s = sample(line, where);
                    family = familyOf(s.name(), types);
                    if (!types.containsKey(family) || !helps.containsKey(family)) {
                        throw new AssertionError(where + "a sample before its family's HELP and TYPE");
                    }
                    check(s, types.get(family), family, where);
                    if (!series.add(s.name() + new TreeMap<>(s.labels()))) {
                        throw new AssertionError(where + "the same series twice");
                    }
                    samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
                }
                if (!family.equals(current)) {
                    if (ended.contains(family)) {
                        throw new AssertionError(where + "family " + family + " in two groups");
                    }
                    if (current != null) {
                        ended.add(current);
                    }
                    current = family;
                }
                samples.computeIfAbsent(family, k -> new ArrayList<>());
            }
            Map<String, Family> families = new LinkedHashMap<>();
            for (var e : samples.entrySet()) {
                String name = e.getKey();
                if (!types.containsKey(name) || !helps.containsKey(name)) {
                    throw new AssertionError(name + " lacks a HELP or a TYPE");
                }
                Family f = new Family(name, types.get(name), helps.get(name), List.copyOf(e.getValue()));
                if (f.type().equals("histogram")) {
                    histogram(f);
                }
                families.put(name, f);
            }
            return new Exposition(families);
        }

        private static String name(String name, String where) {
            if (!METRIC_NAME.matcher(name).matches()) {
                throw new AssertionError(where + "not a metric name: " + name);
            }
            return name;
        }

        /** A HELP text may escape only a backslash and a line end. */
        private static String help(String text, String where) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\') {
                    char next = i + 1 < text.length() ? text.charAt(++i) : ' ';
                    sb.append(
                            switch (next) {
                                case '\\' -> '\\';
                                case 'n' -> '\n';
                                default -> throw new AssertionError(where + "an escape HELP does not have");
                            });
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        /** The family a sample belongs to: a histogram's or summary's for its suffixed series. */
        private static String familyOf(String name, Map<String, String> types) {
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if (name.endsWith(suffix)) {
                    String base = name.substring(0, name.length() - suffix.length());
                    String type = types.get(base);
                    if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) {
                        return base;
                    }
                }
            }
            return name;
        }

        private static void check(Sample s, String type, String family, String where) {
            switch (type) {
                case "counter" -> {
                    if (!(s.value() >= 0)) {
                        throw new AssertionError(where + "a counter below zero, or NaN");
                    }
                }
                case "histogram" -> {
                    if (s.name().equals(family)) {
                        throw new AssertionError(where + "a histogram has only _bucket, _sum and _count series");
                    }
                    if (s.name().endsWith("_bucket") != s.labels().containsKey("le")) {
                        throw new AssertionError(where + "le belongs to buckets, and every bucket has one");
                    }
                }
                default -> {
                    // gauges, summaries and untyped series may take any value
                }
            }
        }

        /** Buckets in ascending order of le, counts cumulative, the last at +Inf equal to _count. */
        private static void histogram(Family f) {
            double lastBound = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            Double count = null;
            boolean sum = false;
            for (Sample s : f.samples()) {
                if (s.name().endsWith("_bucket")) {
                    String le = s.labels().get("le");
                    if (!FLOAT.matcher(le).matches()) {
                        throw new AssertionError(f.name() + ": le is no float: " + le);
                    }
                    double bound = parseFloat(le);
                    if (!(bound > lastBound)) {
                        throw new AssertionError(f.name() + ": le " + le + " out of order");
                    }
                    if (s.value() < lastCount) {
                        throw new AssertionError(f.name() + ": bucket le=" + le + " is not cumulative");
                    }
                    lastBound = bound;
                    lastCount = s.value();
                } else if (s.name().endsWith("_count")) {
                    count = s.value();
                } else {
                    sum = true;
                }
            }
            if (lastBound != Double.POSITIVE_INFINITY) {
                throw new AssertionError(f.name() + ": no +Inf bucket");
            }
            if (count == null || !sum) {
                throw new AssertionError(f.name() + ": no _count or no _sum");
            }
            if (lastCount != count) {
                throw new AssertionError(f.name() + ": +Inf bucket " + lastCount + " but _count " + count);
            }
        }

        /** name, an optional {label="value",...}, a value, an optional timestamp; single spaces between. */
        private static Sample sample(String line, String where) {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = name(line.substring(0, i), where);
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new AssertionError(where + "labels without }");
                    }
                    if (line.charAt(i) == '}') {
                        break;
                    }
                    int eq = line.indexOf('=', i);
                    if (eq < 0) {
                        throw new AssertionError(where + "a label without =");
                    }
                    String label = line.substring(i, eq);
                    if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                        throw new AssertionError(where + "not a label name: " + label);
                    }
                    i = eq + 1;
                    if (i >= line.length() || line.charAt(i) != '"') {
                        throw new AssertionError(where + "a label value not in quotes");
                    }
                    StringBuilder value = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= line.length()) {
                            throw new AssertionError(where + "an unterminated label value");
                        }
                        char c = line.charAt(i++);
                        if (c == '"') {
                            break;
                        }
                        if (c == '\\') {
                            char next = i < line.length() ? line.charAt(i++) : ' ';
                            value.append(
                                    switch (next) {
                                        case '\\' -> '\\';
                                        case '"' -> '"';
                                        case 'n' -> '\n';
                                        default -> throw new AssertionError(where + "an escape labels do not have");
                                    });
                        } else {
                            value.append(c);
                        }
                    }
                    if (labels.put(label, value.toString()) != null) {
                        throw new AssertionError(where + "label " + label + " twice");
                    }
                    if (i >= line.length()) {
                        throw new AssertionError(where + "labels without }");
                    }
                    if (line.charAt(i) == ',') {
                        i++;
                    } else if (line.charAt(i) != '}') {
                        throw new AssertionError(where + "labels are separated by commas");
                    }
                }
                i++;
            }
            if (i >= line.length() || line.charAt(i) != ' ') {
                throw new AssertionError(where + "no value");
            }
            String[] rest = line.substring(i + 1).split(" ", -1);
            if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
                throw new AssertionError(where + "not a value (and an optional timestamp)");
            }
            if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
                throw new AssertionError(where + "not a timestamp: " + rest[1]);
            }
            return new Sample(name, Map.copyOf(labels), parseFloat(rest[0]));
        }

        private static double parseFloat(String text) {
            return switch (text) {
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(text);
            };
        }
    }
}
