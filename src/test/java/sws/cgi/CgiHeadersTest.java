package sws.cgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec section 5, the program's header block (RFC 3875 section 6): what is used, passed on, or refused. */
class CgiHeadersTest {

    private static CgiHeaders parse(String text) throws IOException, CgiHeaders.Invalid {
        return CgiHeaders.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static Stream<Arguments> validBlocks() {
        return Stream.of(
                Arguments.of(
                        "document",
                        "Content-Type: text/html\r\n\r\n",
                        200,
                        false,
                        List.of("Content-Type", "text/html"),
                        null,
                        -1L),
                Arguments.of(
                        "LF line ends",
                        "Content-Type: text/plain\n\n",
                        200,
                        false,
                        List.of("Content-Type", "text/plain"),
                        null,
                        -1L),
                Arguments.of(
                        "lower-case name",
                        "content-type: text/plain\r\n\r\n",
                        200,
                        false,
                        List.of("content-type", "text/plain"),
                        null,
                        -1L),
                Arguments.of(
                        "value trimmed",
                        "Content-Type:   text/plain  \r\n\r\n",
                        200,
                        false,
                        List.of("Content-Type", "text/plain"),
                        null,
                        -1L),
                Arguments.of(
                        "status with reason",
                        "Status: 201 Created\r\nContent-Type: a/b\r\n\r\n",
                        201,
                        true,
                        List.of("Content-Type", "a/b"),
                        null,
                        -1L),
                Arguments.of(
                        "status alone",
                        "Status: 404\r\nContent-Type: a/b\r\n\r\n",
                        404,
                        true,
                        List.of("Content-Type", "a/b"),
                        null,
                        -1L),
                Arguments.of(
                        "status 204 needs no type", "Status: 204 No Content\r\n\r\n", 204, true, List.of(), null, -1L),
                Arguments.of(
                        "client redirect",
                        "Location: http://example.com/\r\n\r\n",
                        200,
                        false,
                        List.of(),
                        "http://example.com/",
                        -1L),
                Arguments.of("local redirect", "Location: /file.txt\r\n\r\n", 200, false, List.of(), "/file.txt", -1L),
                Arguments.of(
                        "content length used, not passed",
                        "Content-Type: a/b\r\nContent-Length: 12\r\n\r\n",
                        200,
                        false,
                        List.of("Content-Type", "a/b"),
                        null,
                        12L),
                Arguments.of(
                        "hop-by-hop dropped",
                        "Content-Type: a/b\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nKeep-Alive: 5\r\n"
                                + "TE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\nX-Custom: kept\r\n\r\n",
                        200,
                        false,
                        List.of("Content-Type", "a/b", "X-Custom", "kept"),
                        null,
                        -1L),
                Arguments.of(
                        "other headers kept in order",
                        "X-B: 2\r\nContent-Type: a/b\r\nX-A: 1\r\nSet-Cookie: s=1\r\nSet-Cookie: t=2\r\n\r\n",
                        200,
                        false,
                        List.of(
                                "X-B",
                                "2",
                                "Content-Type",
                                "a/b",
                                "X-A",
                                "1",
                                "Set-Cookie",
                                "s=1",
                                "Set-Cookie",
                                "t=2"),
                        null,
                        -1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validBlocks")
    void validHeaderBlockIsSortedIntoWhatTheServerUsesAndWhatItPassesOn(
            String name,
            String block,
            int status,
            boolean statusGiven,
            List<String> fields,
            String location,
            long contentLength)
            throws Exception {
        CgiHeaders h = parse(block);

        assertThat(h.status().code()).isEqualTo(status);
        assertThat(h.statusGiven()).isEqualTo(statusGiven);
        assertThat(h.fields()).containsExactlyElementsOf(fields);
        assertThat(h.location()).isEqualTo(location);
        assertThat(h.contentLength()).isEqualTo(contentLength);
    }

    @Test
    void statusReasonPhraseIsKept() throws Exception {
        assertThat(parse("Status: 299 All Fine\r\nContent-Type: a/b\r\n\r\n")
                        .status()
                        .reason())
                .isEqualTo("All Fine");
        assertThat(parse("Status: 404\r\nContent-Type: a/b\r\n\r\n").status().reason())
                .isEqualTo("Not Found");
    }

    static Stream<Arguments> redirects() {
        return Stream.of(
                Arguments.of("Location: /path\r\n\r\n", true),
                Arguments.of("Location: /path?q=1\r\n\r\n", true),
                Arguments.of("Location: http://example.com/\r\n\r\n", false),
                Arguments.of("Location: //example.com/\r\n\r\n", false),
                Arguments.of("Status: 303 See Other\r\nLocation: /path\r\n\r\n", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redirects")
    void onlyAPathAloneIsALocalRedirect(String block, boolean local) throws Exception {
        assertThat(parse(block).localRedirect()).isEqualTo(local);
    }

    @Test
    void bodyStaysInTheStreamAfterTheBlock() throws Exception {
        var in = new ByteArrayInputStream(
                "Content-Type: a/b\r\n\r\nthe body\r\n\r\nmore".getBytes(StandardCharsets.ISO_8859_1));
        CgiHeaders.read(in);

        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("the body\r\n\r\nmore");
    }

    static Stream<Arguments> invalidBlocks() {
        return Stream.of(
                Arguments.of("no output", ""),
                Arguments.of("ends inside the block", "Content-Type: a/b\r\n"),
                Arguments.of("ends inside a line", "Content-Type: a/b"),
                Arguments.of("not a header", "hello world\n\n"),
                Arguments.of("empty name", ": value\r\n\r\n"),
                Arguments.of("space before colon", "Content-Type : a/b\r\n\r\n"),
                Arguments.of("folded line", "Content-Type: a/b\r\n continued\r\n\r\n"),
                Arguments.of("neither type nor location", "X-Custom: 1\r\n\r\nbody"),
                Arguments.of("status not a number", "Status: abc\r\nContent-Type: a/b\r\n\r\n"),
                Arguments.of("status too short", "Status: 20\r\nContent-Type: a/b\r\n\r\n"),
                Arguments.of("status four digits", "Status: 2000\r\nContent-Type: a/b\r\n\r\n"),
                Arguments.of("status below 200", "Status: 101 Switching\r\nContent-Type: a/b\r\n\r\n"),
                Arguments.of("negative length", "Content-Type: a/b\r\nContent-Length: -1\r\n\r\n"),
                Arguments.of("length not a number", "Content-Type: a/b\r\nContent-Length: 1x\r\n\r\n"),
                Arguments.of("control byte in value", "Content-Type: a/b\r\nX-A: a\u0001b\r\n\r\n"),
                Arguments.of("bare CR in value", "Content-Type: a/b\r\nX-A: a\rSet-Cookie: x\r\n\r\n"),
                Arguments.of("block too large", "Content-Type: a/b\r\n" + "X-A: 1234567890\r\n".repeat(5000) + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBlocks")
    void invalidHeaderBlockIsRefused(String name, String block) {
        assertThatThrownBy(() -> parse(block)).isInstanceOf(CgiHeaders.Invalid.class);
    }
}
