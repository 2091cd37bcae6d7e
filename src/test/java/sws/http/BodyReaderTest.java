package sws.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec section 3, HTTP: request bodies framed by Content-Length or chunked (RFC 9112 section 7.1). */
class BodyReaderTest {
    private static final long CHUNKED = -1;
    private static final long MAX = 1024;
    private static final String NEXT = "GET /next HTTP/1.1\r\n\r\n";

    /** What a reader made of some input: the bytes it took, the body it decoded, and how it ended. */
    private record Outcome(int consumed, String body, boolean done, Status error) {}

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Outcome readAtOnce(long length, long max, String input) {
        BodyReader reader = new BodyReader(length, max);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = bytes(input);
        int consumed = reader.read(buf, 0, buf.length, body::write);
        return outcome(reader, consumed, body);
    }

    private static Outcome readByteByByte(long length, long max, String input) {
        BodyReader reader = new BodyReader(length, max);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = bytes(input);
        int consumed = 0;
        for (int i = 0; i < buf.length && !reader.done() && reader.error() == null; i++) {
            consumed += reader.read(buf, i, i + 1, body::write);
        }
        return outcome(reader, consumed, body);
    }

    private static Outcome outcome(BodyReader reader, int consumed, ByteArrayOutputStream body) {
        Status error = reader.error() == null ? null : reader.error().status();
        return new Outcome(consumed, body.toString(StandardCharsets.ISO_8859_1), reader.done(), error);
    }

    @Test
    void fixedLengthBodyStopsAtItsEnd() {
        Outcome o = readAtOnce(5, MAX, "hello" + NEXT);
        assertThat(o).isEqualTo(new Outcome(5, "hello", true, null));
    }

    @Test
    void fixedLengthBodyArrivingInPiecesIsNotDoneUntilComplete() {
        BodyReader reader = new BodyReader(5, MAX);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = bytes("hello");
        assertThat(reader.read(buf, 0, 3, body::write)).isEqualTo(3);
        assertThat(reader.done()).isFalse();
        assertThat(reader.read(buf, 3, 5, body::write)).isEqualTo(2);
        assertThat(reader.done()).isTrue();
        assertThat(body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello");
    }

    @Test
    void emptyBodyIsDoneAtOnce() {
        BodyReader reader = new BodyReader(0, MAX);
        assertThat(reader.done()).isTrue();
        byte[] buf = bytes(NEXT);
        assertThat(reader.read(buf, 0, buf.length, BodyReader.DISCARD)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void chunkedBodyIsDecoded(String name, String input, String body) {
        Outcome expected = new Outcome(input.length(), body, true, null);
        assertThat(readAtOnce(CHUNKED, MAX, input + NEXT)).isEqualTo(expected);
        assertThat(readByteByByte(CHUNKED, MAX, input + NEXT)).isEqualTo(expected);
    }

    static Stream<Arguments> chunkedBodyIsDecoded() {
        return Stream.of(
                arguments("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
                arguments("no chunks", "0\r\n\r\n", ""),
                arguments("upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
                arguments("lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
                arguments("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
                arguments("extension", "5;name=value\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("extension without value", "5;flag\r\nhello\r\n0;last\r\n\r\n", "hello"),
                arguments("quoted extension", "5;name=\"a;b\"\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("several extensions", "5;a=1;b=2\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("whitespace before extension", "5 ;name=value\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("whitespace around = and ;", "5 ; a = b ;\tc\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("quoted value with an escape", "5;a=\"x\\\"y\"\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("empty quoted value", "5;a=\"\"\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("one trailer", "5\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n", "hello"),
                arguments("two trailers", "5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\n\r\n", "hello"),
                arguments("bare LF line ends", "5\nhello\n0\n\n", "hello"),
                arguments("data holding CRLF", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void invalidChunkingIsBadRequest(String name, String input) {
        assertThat(readAtOnce(CHUNKED, MAX, input).error()).isEqualTo(Status.BAD_REQUEST);
        assertThat(readByteByByte(CHUNKED, MAX, input).error()).isEqualTo(Status.BAD_REQUEST);
    }

    static Stream<Arguments> invalidChunkingIsBadRequest() {
        return Stream.of(
                arguments("not hex", "zz\r\nhello\r\n0\r\n\r\n"),
                arguments("empty size", "\r\nhello\r\n0\r\n\r\n"),
                arguments("negative size", "-5\r\nhello\r\n0\r\n\r\n"),
                arguments("sign", "+5\r\nhello\r\n0\r\n\r\n"),
                arguments("hex prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
                arguments("only an extension", ";a=b\r\nhello\r\n0\r\n\r\n"),
                arguments("size too large", "1234567890abcdef\r\n"),
                arguments("data longer than its size", "5\r\nhello!\r\n0\r\n\r\n"),
                arguments("no line end after data", "5\r\nhelloXY0\r\n\r\n"),
                arguments("control character in size line", "5;a\u0001b\r\nhello\r\n0\r\n\r\n"),
                arguments("NUL in size line", "5\u0000\r\nhello\r\n0\r\n\r\n"),
                arguments("size line too long", "5;" + "x".repeat(5000) + "\r\nhello\r\n0\r\n\r\n"),
                // RFC 9112 7.1.1's grammar, which parsers disagree about at their peril (issue 14)
                arguments("bare semicolon", "5;\r\nhello\r\n0\r\n\r\n"),
                arguments("name that is not a token", "5;bad[=x\r\nhello\r\n0\r\n\r\n"),
                arguments("whitespace after the size alone", "5 \r\nhello\r\n0\r\n\r\n"),
                arguments("whitespace after an extension", "5;a \r\nhello\r\n0\r\n\r\n"),
                arguments("equals without a value", "5;a=\r\nhello\r\n0\r\n\r\n"),
                arguments("unclosed quote", "5;a=\"x\r\nhello\r\n0\r\n\r\n"),
                arguments("two values", "5;a=b c\r\nhello\r\n0\r\n\r\n"),
                arguments("bare semicolon on the last chunk", "5\r\nhello\r\n0;\r\n\r\n"));
    }

    @Test
    void chunkedBodyOverTheLimitIsContentTooLarge() {
        String input = "200\r\n" + "b".repeat(512) + "\r\n201\r\n" + "b".repeat(513) + "\r\n0\r\n\r\n";
        Outcome o = readAtOnce(CHUNKED, MAX, input);
        assertThat(o.error()).isEqualTo(Status.CONTENT_TOO_LARGE);
        assertThat(o.body()).as("refused before the chunk's data").hasSize(512);
        assertThat(readByteByByte(CHUNKED, MAX, input).error()).isEqualTo(Status.CONTENT_TOO_LARGE);
    }

    @Test
    void chunkedBodyAtTheLimitIsAccepted() {
        String input = "200\r\n" + "b".repeat(512) + "\r\n200\r\n" + "b".repeat(512) + "\r\n0\r\n\r\n";
        Outcome o = readAtOnce(CHUNKED, MAX, input);
        assertThat(o.error()).isNull();
        assertThat(o.done()).isTrue();
        assertThat(o.body()).hasSize(1024);
    }

    @Test
    void hugeChunkSizeIsRefusedBeforeItsData() {
        Outcome o = readAtOnce(CHUNKED, MAX, "fffffffffffffff\r\n");
        assertThat(o.error()).isEqualTo(Status.CONTENT_TOO_LARGE);
        assertThat(o.body()).isEmpty();
    }

    @Test
    void errorEndsTheBodyUnfinished() {
        BodyReader reader = new BodyReader(CHUNKED, MAX);
        byte[] buf = bytes("zz\r\n");
        reader.read(buf, 0, buf.length, BodyReader.DISCARD);
        assertThat(reader.error()).isNotNull();
        assertThat(reader.done()).isFalse();
    }

    @Test
    void oversizedTrailerSectionIsRefused() {
        String input = "0\r\n" + ("X-Trailer: " + "t".repeat(1000) + "\r\n").repeat(70) + "\r\n";
        assertThat(readAtOnce(CHUNKED, MAX, input).error()).isEqualTo(Status.HEADER_FIELDS_TOO_LARGE);
    }

    @Test
    void incompleteChunkedBodyIsNotDone() {
        Outcome o = readAtOnce(CHUNKED, MAX, "5\r\nhello\r\n");
        assertThat(o).isEqualTo(new Outcome(10, "hello", false, null));
    }
}
