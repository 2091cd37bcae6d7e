package sws.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import sws.http.Limits;
import sws.http.ParseResult;
import sws.http.RequestParser;

/** The request parser on what a browser sends, whole and a byte at a time. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestParserBench {
    private static final byte[] BROWSER = ("GET /docs/index.html?lang=en HTTP/1.1\r\n"
                    + "Host: localhost:8080\r\n"
                    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                    + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                    + "Accept-Language: en-US,en;q=0.5\r\n"
                    + "Accept-Encoding: gzip, deflate, br\r\n"
                    + "Connection: keep-alive\r\n"
                    + "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);

    private static final byte[] WRK = "GET /1k.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);

    private final RequestParser parser = new RequestParser(Limits.DEFAULT);

    @Benchmark
    public ParseResult browserRequest() {
        return parser.parse(BROWSER, 0, BROWSER.length);
    }

    @Benchmark
    public ParseResult minimalRequest() {
        return parser.parse(WRK, 0, WRK.length);
    }

    @Benchmark
    public ParseResult browserRequestByteByByte() {
        ParseResult result = null;
        for (int end = 1; end <= BROWSER.length; end++) {
            result = parser.parse(BROWSER, 0, end);
        }
        return result;
    }
}
