package sws.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec section 3, HTTP: the request head parser on its own. */
class RequestParserTest {
    /** Small limits so that every limit can be crossed with a short request. */
    private static final Limits LIMITS = new Limits(64, 256, 5, 100);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static ParseResult parseAtOnce(String text) {
        byte[] buf = bytes(text);
        return new RequestParser(LIMITS).parse(buf, 0, buf.length);
    }

    /** Feeds the parser the same growing buffer one more byte each time, as a slow client would. */
    private static ParseResult parseByteByByte(String text) {
        byte[] buf = bytes(text);
        RequestParser parser = new RequestParser(LIMITS);
        ParseResult result = ParseResult.INCOMPLETE;
        for (int end = 1; end <= buf.length; end++) {
            result = parser.parse(buf, 0, end);
            if (!(result instanceof ParseResult.Incomplete)) {
                return result;
            }
        }
        return result;
    }

    private static Request complete(ParseResult result) {
        assertThat(result).isInstanceOf(ParseResult.Complete.class);
        return ((ParseResult.Complete) result).request();
    }

    /** A comparable picture of a result: its status, or every part of the request. */
    private static String describe(ParseResult result) {
        return switch (result) {
            case ParseResult.Incomplete i -> "incomplete";
            case ParseResult.Failed f -> "failed " + f.error().status();
            case ParseResult.Complete c -> {
                Request r = c.request();
                List<String> fields = new ArrayList<>();
                for (int i = 0; i < r.headers().size(); i++) {
                    fields.add(r.headers().name(i) + "=" + r.headers().value(i));
                }
                yield String.join(
                        " | ",
                        r.method(),
                        r.target(),
                        r.path(),
                        r.rawPath(),
                        String.valueOf(r.query()),
                        String.valueOf(r.minorVersion()),
                        fields.toString(),
                        String.valueOf(r.keepAlive()),
                        String.valueOf(r.bodyLength()),
                        "head=" + c.headLength());
            }
        };
    }

    static Stream<String> requests() {
        return Stream.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /a%20b?q=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "HEAD http://example.com/x HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
                "POST /cgi HTTP/1.1\nHost: x\nContent-Length: 12\n\n",
                "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Spaces:   v  \r\n\r\n",
                "GET / HTTP/2.0\r\n\r\n",
                "FOO / HTTP/1.1\r\n\r\n",
                "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX : y\r\n\r\n",
                "GET /" + "a".repeat(100) + " HTTP/1.1\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("requests")
    void parsingByteByByteEqualsParsingAtOnce(String request) {
        String atOnce = describe(parseAtOnce(request));
        assertThat(atOnce).isNotEqualTo("incomplete");
        assertThat(describe(parseByteByByte(request))).isEqualTo(atOnce);
    }

    @Test
    void parsesTheRequestLineAndFields() {
        Request r = complete(parseAtOnce("GET /a%20b/c?x=1&y=%zz HTTP/1.1\r\nHost: example.com\r\n"
                + "Accept:  text/html \r\nX-Tab:\tv\t\r\n\r\n"));
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.target()).isEqualTo("/a%20b/c?x=1&y=%zz");
        assertThat(r.path()).isEqualTo("/a b/c");
        assertThat(r.rawPath()).isEqualTo("/a%20b/c");
        assertThat(r.query()).isEqualTo("x=1&y=%zz");
        assertThat(r.minorVersion()).isEqualTo(1);
        assertThat(r.isHttp11()).isTrue();
        assertThat(r.headers().size()).isEqualTo(3);
        assertThat(r.headers().get("host")).isEqualTo("example.com");
        assertThat(r.headers().get("ACCEPT")).isEqualTo("text/html");
        assertThat(r.headers().get("X-Tab")).isEqualTo("v");
        assertThat(r.bodyLength()).isZero();
        assertThat(r.keepAlive()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://example.com/file?q=1 | /file   | q=1",
                "HTTP://example.com          | /       | ",
                "http://example.com?q=1      | /       | q=1",
                "https://example.com:8443/%41 | /A     | ",
            })
    void absoluteFormTargetGivesItsPath(String target, String path, String query) {
        Request r = complete(parseAtOnce("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        assertThat(r.path()).isEqualTo(path);
        assertThat(r.query()).isEqualTo(query);
    }

    @ParameterizedTest(name = "{0} Connection: {1} → {2}")
    @CsvSource({
        "HTTP/1.0, ,                  false",
        "HTTP/1.0, keep-alive,        true",
        "HTTP/1.0, 'Keep-Alive, foo', true",
        "HTTP/1.0, close,             false",
        "HTTP/1.1, ,                  true",
        "HTTP/1.1, close,             false",
        "HTTP/1.1, 'foo, CLOSE',      false",
        "HTTP/1.2, ,                  true",
    })
    void keepAliveFollowsVersionAndConnection(String version, String connection, boolean keepAlive) {
        String head = "GET / " + version + "\r\nHost: x\r\n"
                + (connection == null ? "" : "Connection: " + connection + "\r\n") + "\r\n";
        assertThat(complete(parseAtOnce(head)).keepAlive()).isEqualTo(keepAlive);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Content-Length: 12            | 12",
                "Content-Length: 0             | 0",
                "Content-Length: 7, 7          | 7",
                "Transfer-Encoding: chunked    | -1",
                "Transfer-Encoding: CHUNKED    | -1",
                "Content-Length: 100           | 100",
            })
    void bodyLengthComesFromTheFraming(String field, long length) {
        Request r = complete(parseAtOnce("POST / HTTP/1.1\r\nHost: x\r\n" + field + "\r\n\r\n"));
        assertThat(r.bodyLength()).isEqualTo(length);
        assertThat(r.chunked()).isEqualTo(length < 0);
    }

    @Test
    void pipelinedBytesAreLeftForTheNextRequest() {
        String first = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n";
        String second = "HEAD /two HTTP/1.1\r\nHost: x\r\n\r\n";
        String third = "GET /thr";
        byte[] buf = bytes(first + second + third);
        RequestParser parser = new RequestParser(LIMITS);

        var one = (ParseResult.Complete) parser.parse(buf, 0, buf.length);
        assertThat(one.request().path()).isEqualTo("/one");
        assertThat(one.headLength()).isEqualTo(first.length());

        int at = one.headLength();
        var two = (ParseResult.Complete) parser.parse(buf, at, buf.length);
        assertThat(two.request().path()).isEqualTo("/two");
        assertThat(two.request().isHead()).isTrue();
        assertThat(two.headLength()).isEqualTo(second.length());

        at += two.headLength();
        assertThat(parser.parse(buf, at, buf.length)).isInstanceOf(ParseResult.Incomplete.class);
    }

    @Test
    void headLengthStopsBeforeTheBody() {
        String head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
        var c = (ParseResult.Complete) parseAtOnce(head + "hello");
        assertThat(c.headLength()).isEqualTo(head.length());
    }

    @ParameterizedTest
    @CsvSource({"'GET / HTTP/1.1'", "'GET / HTTP/1.1\r\nHost: x'", "'GET / HTTP/1.1\r\nHost: x\r\n'", "''", "'\r\n'"})
    void partialHeadIsIncomplete(String partial) {
        assertThat(parseAtOnce(partial)).isInstanceOf(ParseResult.Incomplete.class);
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource
    void everyStatusTheParserProduces(String name, String request, Status status) {
        ParseResult result = parseAtOnce(request);
        assertThat(result).isInstanceOf(ParseResult.Failed.class);
        HttpError error = ((ParseResult.Failed) result).error();
        assertThat(error.status()).isEqualTo(status);
        assertThat(error.message()).isNotBlank();
        assertThat(describe(parseByteByByte(request))).isEqualTo(describe(result));
    }

    static Stream<Arguments> everyStatusTheParserProduces() {
        String ok = "GET / HTTP/1.1\r\nHost: x\r\n";
        return Stream.of(
                arguments("no version", "GET /\r\n\r\n", Status.BAD_REQUEST),
                arguments("method only", "GET\r\n\r\n", Status.BAD_REQUEST),
                arguments("two spaces", "GET  / HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("trailing space", "GET / HTTP/1.1 \r\n\r\n", Status.BAD_REQUEST),
                arguments("leading space", " GET / HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("tab separator", "GET\t/ HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("NUL in request line", "GET /\u0000 HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("bad method character", "GE(T / HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("lower-case protocol", "GET / http/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("two-digit minor", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("no minor", "GET / HTTP/1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("missing Host", "GET / HTTP/1.1\r\n\r\n", Status.BAD_REQUEST),
                arguments("two Host", ok + "Host: y\r\n\r\n", Status.BAD_REQUEST),
                arguments("malformed Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Status.BAD_REQUEST),
                arguments("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", Status.BAD_REQUEST),
                arguments("Host of only whitespace", "GET / HTTP/1.1\r\nHost:   \t\r\n\r\n", Status.BAD_REQUEST),
                arguments("empty Host, OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: \r\n\r\n", Status.BAD_REQUEST),
                arguments(
                        "raw UTF-8 in the target",
                        "GET /caf\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\n\r\n",
                        Status.BAD_REQUEST),
                arguments("raw 0x80 in the query", "GET /?q=\u0080 HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments(
                        "a 100,000-byte method, refused long before the line limit",
                        "X".repeat(100_000) + " / HTTP/1.1\r\nHost: x\r\n\r\n",
                        Status.NOT_IMPLEMENTED),
                arguments(
                        "a 25-byte unknown method",
                        "X".repeat(25) + " / HTTP/1.1\r\nHost: x\r\n\r\n",
                        Status.NOT_IMPLEMENTED),
                arguments(
                        "a long first word of no token",
                        "X".repeat(24) + "(" + " / HTTP/1.1\r\n\r\n",
                        Status.BAD_REQUEST),
                arguments(
                        "a long unknown method with a bad version",
                        "X".repeat(30) + " / HTTP/2.0\r\nHost: x\r\n\r\n",
                        Status.NOT_IMPLEMENTED),
                arguments("space before colon", ok + "X-A : 1\r\n\r\n", Status.BAD_REQUEST),
                arguments("no colon", ok + "X-A\r\n\r\n", Status.BAD_REQUEST),
                arguments("empty name", ok + ": 1\r\n\r\n", Status.BAD_REQUEST),
                arguments("obs-fold", ok + "X-A: 1\r\n  2\r\n\r\n", Status.BAD_REQUEST),
                arguments("control character in value", ok + "X-A: 1\u00012\r\n\r\n", Status.BAD_REQUEST),
                arguments(
                        "TE and CL",
                        ok + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
                        Status.BAD_REQUEST),
                arguments("differing CL", ok + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", Status.BAD_REQUEST),
                arguments("CL list", ok + "Content-Length: 1, 2\r\n\r\n", Status.BAD_REQUEST),
                arguments("CL abc", ok + "Content-Length: abc\r\n\r\n", Status.BAD_REQUEST),
                arguments("CL negative", ok + "Content-Length: -1\r\n\r\n", Status.BAD_REQUEST),
                arguments("xchunked", ok + "Transfer-Encoding: xchunked\r\n\r\n", Status.BAD_REQUEST),
                arguments("chunked not final", ok + "Transfer-Encoding: chunked, gzip\r\n\r\n", Status.BAD_REQUEST),
                arguments("TE in HTTP/1.0", "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Status.BAD_REQUEST),
                arguments("bad escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("escaped NUL", "GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("raw control byte", "GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("fragment", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("relative target", "GET a HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("absolute without host", "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", Status.BAD_REQUEST),
                arguments("only empty lines", "\r\n".repeat(40), Status.BAD_REQUEST),
                arguments("body over the limit", ok + "Content-Length: 101\r\n\r\n", Status.CONTENT_TOO_LARGE),
                arguments(
                        "request line over the limit",
                        "GET /" + "a".repeat(60) + " HTTP/1.1\r\n\r\n",
                        Status.URI_TOO_LONG),
                arguments("request line over the limit, unfinished", "GET /" + "a".repeat(80), Status.URI_TOO_LONG),
                arguments(
                        "header section over the limit",
                        ok + ("X: " + "v".repeat(60) + "\r\n").repeat(4) + "\r\n",
                        Status.HEADER_FIELDS_TOO_LARGE),
                arguments(
                        "header line over the limit, unfinished",
                        ok + "X: " + "v".repeat(300),
                        Status.HEADER_FIELDS_TOO_LARGE),
                arguments(
                        "too many fields",
                        ok + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n",
                        Status.HEADER_FIELDS_TOO_LARGE),
                arguments("unknown method", "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", Status.NOT_IMPLEMENTED),
                arguments("lower-case method", "get / HTTP/1.1\r\nHost: x\r\n\r\n", Status.NOT_IMPLEMENTED),
                arguments(
                        "coding before chunked",
                        ok + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                        Status.NOT_IMPLEMENTED),
                arguments("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", Status.HTTP_VERSION_NOT_SUPPORTED),
                arguments("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", Status.HTTP_VERSION_NOT_SUPPORTED),
                arguments("HTTP/9.9", "GET / HTTP/9.9\r\n\r\n", Status.HTTP_VERSION_NOT_SUPPORTED));
    }

    @Test
    void limitsAreInclusive() {
        String line = "GET /" + "a".repeat(64 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertThat(line).hasSize(64);
        assertThat(parseAtOnce(line + "\r\nHost: x\r\n\r\n")).isInstanceOf(ParseResult.Complete.class);
        String fiveFields = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
        assertThat(complete(parseAtOnce(fiveFields)).headers().size()).isEqualTo(5);
        String atBodyLimit = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";
        assertThat(complete(parseAtOnce(atBodyLimit)).bodyLength()).isEqualTo(100);
    }

    @Test
    void parserIsReusableAfterAFailure() {
        RequestParser parser = new RequestParser(LIMITS);
        byte[] bad = bytes("FOO / HTTP/1.1\r\n\r\n");
        assertThat(parser.parse(bad, 0, bad.length)).isInstanceOf(ParseResult.Failed.class);
        byte[] good = bytes("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(complete(parser.parse(good, 0, good.length)).path()).isEqualTo("/x");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "/plain       | /plain",
                "/%41         | /A",
                "/%61%62      | /ab",
                "/%2541       | /%41",
                "/a%2Fb       | /a/b",
                "/%C3%A9      | /\u00e9",
                "/%e2%82%ac   | /\u20ac",
                "/%zz         | null",
                "/%4          | null",
                "/%           | null",
                "/%00         | null",
                "/%1f         | null",
                "/%7F         | null",
                "/%0d%0a      | null",
                "/%c0%ae      | null",
                "/%ff         | null",
            })
    void percentDecodeOnce(String raw, String decoded) {
        assertThat(RequestTarget.percentDecode(raw)).isEqualTo(decoded);
    }
}
