package sws.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Spec section 3, HTTP: request bodies, chunked or of a fixed length, fed arbitrary bytes (issue 5,
 * fuzzing). Without JAZZER_FUZZ the methods replay their inputs under
 * src/test/resources/sws/http/BodyReaderFuzzTestInputs; bin/fuzz runs them in fuzzing mode.
 */
class BodyReaderFuzzTest {
    private static final long CHUNKED = -1;

    /** A small limit, so that short inputs cross it. */
    private static final long MAX = 64;

    /** Bytes before and after the input in the reader's buffer. */
    private static final int PAD = 3;

    /** Feeding steps: all at once, a byte at a time, and in odd-sized pieces. */
    private static final int[] STEPS = {Integer.MAX_VALUE, 1, 5};

    /** What a reader made of some input: the bytes it took, the body it decoded, and how it ended. */
    private record Outcome(int consumed, String body, boolean done, Integer error) {}

    // libFuzzer's dictionary syntax: \x0d\x0a is CRLF.
    @DictionaryEntries({
        "\\x0d\\x0a",
        "0\\x0d\\x0a\\x0d\\x0a",
        ";name=value",
        ";a=\"b;c\"",
        "40\\x0d\\x0a",
        "41\\x0d\\x0a",
        "fffffffffffffff",
        "X-Trailer: t\\x0d\\x0a"
    })
    @FuzzTest
    void chunkedBodyStaysWithinItsLimit(byte[] input) {
        Outcome whole = read(CHUNKED, input, STEPS[0]);
        for (int step : Arrays.copyOfRange(STEPS, 1, STEPS.length)) {
            assertThat(read(CHUNKED, input, step))
                    .as("fed %d bytes at a time", step)
                    .isEqualTo(whole);
        }
    }

    /** The first byte is the Content-Length (at most the limit, as the parser sees to); the rest is sent. */
    @FuzzTest
    void fixedLengthBodyStopsAtItsLength(byte[] input) {
        if (input.length == 0) {
            return;
        }
        long length = (input[0] & 0xff) % (MAX + 1);
        byte[] sent = Arrays.copyOfRange(input, 1, input.length);
        Outcome whole = read(length, sent, STEPS[0]);
        assertThat(whole.error()).isNull();
        assertThat(whole.consumed()).isEqualTo(Math.min(length, sent.length));
        assertThat(whole.done()).isEqualTo(sent.length >= length);
        for (int step : Arrays.copyOfRange(STEPS, 1, STEPS.length)) {
            assertThat(read(length, sent, step))
                    .as("fed %d bytes at a time", step)
                    .isEqualTo(whole);
        }
    }

    /**
     * Reads the input as a body of the given length, giving the reader `step` more bytes each call and
     * the bytes it left again, as the connection does; checks each call against the reader's promises.
     */
    private static Outcome read(long length, byte[] input, int step) {
        byte[] buf = new byte[PAD + input.length + PAD];
        Arrays.fill(buf, (byte) '\n');
        System.arraycopy(input, 0, buf, PAD, input.length);
        int end = PAD + input.length;
        BodyReader reader = new BodyReader(length, MAX);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int start = PAD;
        int to = start;
        while (to < end && !reader.done() && reader.error() == null) {
            to = (int) Math.min((long) to + step, end);
            int from = start;
            int limit = to;
            int consumed = reader.read(buf, from, to, (b, offset, n) -> {
                assertThat(b).isSameAs(buf);
                assertThat(n).isNotNegative();
                assertThat(offset).isGreaterThanOrEqualTo(from);
                assertThat(offset + n).isLessThanOrEqualTo(limit);
                body.write(b, offset, n);
            });
            assertThat(consumed).isBetween(0, to - from);
            if (consumed < to - from) {
                assertThat(reader.done() || reader.error() != null)
                        .as("left bytes unread without being done")
                        .isTrue();
            }
            start += consumed;
        }
        long bound = length == CHUNKED ? MAX : length;
        assertThat((long) body.size()).as("body bytes").isLessThanOrEqualTo(bound);
        if (reader.error() != null) {
            assertThat(reader.done()).isFalse();
        }
        Integer error = reader.error() == null ? null : reader.error().status().code();
        return new Outcome(start - PAD, body.toString(StandardCharsets.ISO_8859_1), reader.done(), error);
    }
}
