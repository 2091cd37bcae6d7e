package sws.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Spec section 3, HTTP: the request head parser and the percent-decoding of targets, fed arbitrary bytes
 * (issue 5, fuzzing). Without JAZZER_FUZZ the methods replay their inputs under
 * src/test/resources/sws/http/RequestParserFuzzTestInputs; bin/fuzz runs them in fuzzing mode.
 */
class RequestParserFuzzTest {
    /** The limits a server runs with, and small ones that a short input can cross. */
    private static final List<Limits> LIMITS = List.of(Limits.DEFAULT, new Limits(64, 256, 5, 100));

    /** Bytes before and after the input in the parser's buffer: '\n' would change the answer if read. */
    private static final int PAD = 3;

    /** Feeding steps: all at once, a byte at a time as a slow client sends, and in odd-sized pieces. */
    private static final int[] STEPS = {Integer.MAX_VALUE, 1, 7};

    // libFuzzer's dictionary syntax: \x0d\x0a is CRLF.
    @DictionaryEntries({
        "GET ",
        "HEAD ",
        "POST ",
        "OPTIONS * ",
        "CONNECT ",
        " HTTP/1.1\\x0d\\x0a",
        " HTTP/1.0\\x0d\\x0a",
        "\\x0d\\x0a\\x0d\\x0a",
        "Host: x\\x0d\\x0a",
        "Content-Length: ",
        "Transfer-Encoding: chunked",
        "Connection: close",
        "Connection: keep-alive",
        "http://",
        "%2e",
        "%2f",
        "%00",
        "%c0%ae",
        "%c2%85",
        "/../",
        "?"
    })
    @FuzzTest
    void everyWayOfFeedingGivesTheSameRequests(byte[] input) {
        for (Limits limits : LIMITS) {
            List<String> whole = parseAll(limits, input, STEPS[0]);
            for (int step : Arrays.copyOfRange(STEPS, 1, STEPS.length)) {
                assertThat(parseAll(limits, input, step))
                        .as("fed %d bytes at a time", step)
                        .isEqualTo(whole);
            }
        }
    }

    @DictionaryEntries({"%", "%2e", "%2E", "%2f", "%5c", "%00", "%0a", "%7f", "%c0%ae", "%c2%85", "%e2%80%ae", "?", "#"
    })
    @FuzzTest
    void decodedPathsHaveNoControlCharacters(byte[] input) {
        String target = new String(input, StandardCharsets.ISO_8859_1);
        for (String method : List.of("GET", "OPTIONS", "CONNECT")) {
            RequestTarget parsed = RequestTarget.parse(method, target);
            if (parsed.error() == null) {
                assertThat(parsed.path()).isNotNull();
                assertNoControlCharacters(parsed.path());
                if (!parsed.path().equals("*") && !method.equals("CONNECT")) {
                    assertThat(RequestTarget.percentDecode(parsed.rawPath())).isEqualTo(parsed.path());
                }
            }
        }
        String decoded = RequestTarget.percentDecode(target);
        if (decoded != null) {
            assertNoControlCharacters(decoded);
        }
    }

    /**
     * Parses every request in the input, pipelined one after another, giving the parser the bytes from
     * the request's start up to `step` more each call, and returns what it made of each.
     */
    private static List<String> parseAll(Limits limits, byte[] input, int step) {
        byte[] buf = new byte[PAD + input.length + PAD];
        Arrays.fill(buf, (byte) '\n');
        System.arraycopy(input, 0, buf, PAD, input.length);
        int end = PAD + input.length;
        RequestParser parser = new RequestParser(limits);
        List<String> seen = new ArrayList<>();
        int start = PAD;
        int to = start;
        while (start < end) {
            to = (int) Math.min((long) to + step, end);
            ParseResult result = parser.parse(buf, start, to);
            checkBounds(limits, result, to - start);
            switch (result) {
                case ParseResult.Incomplete i -> {
                    if (to == end) {
                        seen.add("incomplete");
                        return seen;
                    }
                }
                case ParseResult.Failed f -> {
                    seen.add("failed " + f.error().status().code());
                    return seen;
                }
                case ParseResult.Complete c -> {
                    seen.add(describe(c));
                    start += c.headLength();
                    to = start;
                }
            }
        }
        return seen;
    }

    /** What the API promises of any result, whatever the bytes. */
    private static void checkBounds(Limits limits, ParseResult result, int available) {
        assertThat(result).isNotNull();
        if (result instanceof ParseResult.Failed f) {
            assertThat(f.error().status()).isNotNull();
            assertThat(f.error().status().code()).isBetween(400, 599);
        }
        if (result instanceof ParseResult.Complete c) {
            assertThat(c.headLength()).isPositive().isLessThanOrEqualTo(available);
            assertThat(c.headLength()).as("head length").isLessThanOrEqualTo(limits.maxHeadBytes());
            Request r = c.request();
            assertThat(r.method()).isNotEmpty();
            assertThat(r.path()).isNotNull();
            assertNoControlCharacters(r.path());
            assertThat(r.bodyLength()).isBetween(-1L, limits.maxBodyBytes());
            assertThat(r.headers().size()).isLessThanOrEqualTo(limits.maxHeaderFields());
        }
    }

    private static void assertNoControlCharacters(String path) {
        assertThat(path.codePoints().filter(Character::isISOControl).toArray())
                .as("control characters in \"%s\"", path)
                .isEmpty();
    }

    /** A comparable picture of a complete request: every part of it, and where its head ended. */
    private static String describe(ParseResult.Complete c) {
        Request r = c.request();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < r.headers().size(); i++) {
            fields.add(r.headers().name(i) + "=" + r.headers().value(i));
        }
        return String.join(
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
}
