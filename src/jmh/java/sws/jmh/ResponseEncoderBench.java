package sws.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import sws.http.Body;
import sws.http.HeadCache;
import sws.http.Response;
import sws.http.ResponseEncoder;
import sws.http.Status;

/** Encoding a response head: from scratch (every uncached answer) and from a head cache (cached files). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseEncoderBench {
    private static final List<String> FIELDS = List.of(
            "Content-Type", "text/html", "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT", "Accept-Ranges", "bytes");

    private final Response plain = new Response(Status.OK, FIELDS, new Body.Bytes(new byte[1024]));
    private final Response cached = new Response(Status.OK, FIELDS, new Body.Bytes(new byte[1024]), new HeadCache());

    @Benchmark
    public byte[] encodeFromScratch() {
        return ResponseEncoder.head(plain, true, true, false);
    }

    @Benchmark
    public byte[] encodeFromHeadCache() {
        return ResponseEncoder.head(cached, true, true, false);
    }

    @Benchmark
    public byte[] errorPage() {
        return ResponseEncoder.head(Response.error(Status.NOT_FOUND), true, false, false);
    }
}
