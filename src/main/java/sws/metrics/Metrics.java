package sws.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The numbers of spec section 9 in the Prometheus text exposition format (version 0.0.4): every loop's
 * counters added up, and the gauges and counters of the parts that keep their own (CGI, the file cache),
 * read when scraped.
 */
public final class Metrics {
    /** The Content-Type of the exposition format. */
    public static final String TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final List<LoopCounters> loops = new ArrayList<>();
    private final String version;
    private final long startSeconds;
    private final List<Gauge> gauges = new ArrayList<>();

    /** A series read from elsewhere when scraped. */
    private record Gauge(String name, String type, String help, LongSupplier value) {}

    public Metrics(String version) {
        this.version = version;
        this.startSeconds = ProcessHandle.current()
                .info()
                .startInstant()
                .map(i -> i.getEpochSecond())
                .orElse(System.currentTimeMillis() / 1000);
    }

    /** Counters for one more event loop. */
    public synchronized LoopCounters newLoop() {
        LoopCounters c = new LoopCounters();
        loops.add(c);
        return c;
    }

    /** A gauge another part keeps (CGI programs running, say). */
    public synchronized void gauge(String name, String help, LongSupplier value) {
        gauges.add(new Gauge(name, "gauge", help, value));
    }

    /** A counter another part keeps (the file cache's hits, say). */
    public synchronized void counter(String name, String help, LongSupplier value) {
        gauges.add(new Gauge(name, "counter", help, value));
    }

    /** The exposition, as of now. */
    public synchronized String render() {
        StringBuilder sb = new StringBuilder(4096);
        header(sb, "sws_requests_total", "counter", "Responses sent, by status code.");
        for (int code = 100; code < 600; code++) {
            final int status = code;
            long n = sum(c -> c.code(status));
            if (n > 0) {
                sb.append("sws_requests_total{code=\"")
                        .append(code)
                        .append("\"} ")
                        .append(n)
                        .append('\n');
            }
        }
        simple(
                sb,
                "sws_response_body_bytes_total",
                "counter",
                "Bytes of response bodies sent.",
                sum(c -> c.scalar(LoopCounters.BODY_BYTES)));
        histogram(sb);
        simple(
                sb,
                "sws_connections_open",
                "gauge",
                "Client connections open now.",
                sum(c -> c.scalar(LoopCounters.OPEN)));
        simple(
                sb,
                "sws_connections_accepted_total",
                "counter",
                "Client connections accepted.",
                sum(c -> c.scalar(LoopCounters.ACCEPTED)));
        header(sb, "sws_connections_refused_total", "counter", "Client connections closed at once, by reason.");
        sb.append("sws_connections_refused_total{reason=\"limit\"} ")
                .append(sum(c -> c.scalar(LoopCounters.REFUSED_LIMIT)))
                .append('\n');
        sb.append("sws_connections_refused_total{reason=\"untrusted_proxy\"} ")
                .append(sum(c -> c.scalar(LoopCounters.REFUSED_UNTRUSTED)))
                .append('\n');
        for (Gauge g : gauges) {
            simple(sb, g.name(), g.type(), g.help(), g.value().getAsLong());
        }
        simple(
                sb,
                "process_start_time_seconds",
                "gauge",
                "Start time of the process since the epoch, in seconds.",
                startSeconds);
        simple(sb, "process_open_fds", "gauge", "Open file descriptors.", openFds());
        header(sb, "sws_build_info", "gauge", "The sws build; always 1.");
        sb.append("sws_build_info{version=\"").append(version).append("\"} 1\n");
        return sb.toString();
    }

    private void histogram(StringBuilder sb) {
        String name = "sws_request_duration_seconds";
        header(sb, name, "histogram", "Time from a request's first byte to its response's last, in seconds.");
        long cumulative = 0;
        for (int b = 0; b <= LoopCounters.BUCKET_MILLIS.length; b++) {
            final int i = b;
            cumulative += sum(c -> c.bucket(i));
            String le = b < LoopCounters.BUCKET_MILLIS.length ? seconds(LoopCounters.BUCKET_MILLIS[b]) : "+Inf";
            sb.append(name)
                    .append("_bucket{le=\"")
                    .append(le)
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        sb.append(name)
                .append("_sum ")
                .append(seconds(sum(c -> c.scalar(LoopCounters.DURATION_MILLIS))))
                .append('\n');
        sb.append(name).append("_count ").append(cumulative).append('\n');
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private interface Reading {
        long of(LoopCounters c);
    }

    private long sum(Reading reading) {
        long total = 0;
        for (LoopCounters c : loops) {
            total += reading.of(c);
        }
        return total;
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void simple(StringBuilder sb, String name, String type, String help, long value) {
        header(sb, name, type, help);
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static long openFds() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
        return Math.max(0, n - 1); // less the one this count opened
    }
}
