package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import sws.testing.RawClient;
import sws.testing.RawClient.Reply;
import sws.testing.ServedFile;
import sws.testing.TestServer;
import sws.testing.TestTls;

/**
 * Spec section 8, ranges: one range is a 206 with Content-Range, several a multipart/byteranges body, merged
 * and in ascending order; a request never costs more than the whole file; no satisfiable range is a 416.
 * Each case runs on a file answered from the cache and on one sent by sendfile. In the tables SIZE stands for
 * the file's size, and a negative position counts from the end (-1 is the last byte).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RangesTest {
    private TestServer server;

    @BeforeAll
    void startServer() {
        server = start(c -> c);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    private static TestServer start(UnaryOperator<Config.Builder> adjust) {
        Path root = TestServer.newDocroot();
        for (ServedFile file : ServedFile.values()) {
            file.writeTo(root, 784111777L);
        }
        TestServer.write(root, "next.txt", "next\n");
        return TestServer.start(root, adjust);
    }

    private static String get(String target, String range) {
        return "GET " + target + " HTTP/1.1\r\nHost: x\r\nRange: " + range + "\r\n\r\n";
    }

    private static String getNext() {
        return "GET /next.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    private Reply send(ServedFile file, String range) {
        return server.send(get(file.path(), range.replace("SIZE", String.valueOf(file.size()))));
    }

    private static long position(String cell, ServedFile file) {
        long p = Long.parseLong(cell.trim());
        return p < 0 ? file.size() + p : p;
    }

    /** "a-b,c-d" as spans, both ends included. */
    private static List<long[]> spans(String list, ServedFile file) {
        return Arrays.stream(list.split(","))
                .map(s -> {
                    int dash = s.indexOf('-', 1);
                    return new long[] {position(s.substring(0, dash), file), position(s.substring(dash + 1), file)};
                })
                .toList();
    }

    /** A range field of every other byte from 0: 0-0,2-2,4-4,… */
    private static String disjoint(int count) {
        return "bytes="
                + IntStream.range(0, count)
                        .mapToObj(i -> (2 * i) + "-" + (2 * i))
                        .collect(Collectors.joining(","));
    }

    /** One part of a multipart/byteranges body. */
    record Part(String contentType, String contentRange, byte[] bytes) {}

    /**
     * The parts of a multipart/byteranges body (RFC 9110 section 14.6, RFC 2046 section 5.1.1), failing the
     * test on any flaw in its framing: nothing but a line end before the first delimiter or after the close.
     */
    private static List<Part> parts(Reply r) {
        String type = r.header("Content-Type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
        byte[] body = r.body();
        byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, dashBoundary, 0);
        assertThat(new String(body, 0, Math.max(at, 0), StandardCharsets.ISO_8859_1))
                .as("preamble")
                .isIn("", "\r\n");
        at += dashBoundary.length;
        List<Part> parts = new ArrayList<>();
        while (!startsWith(body, at, "--")) {
            assertThat(startsWith(body, at, "\r\n"))
                    .as("line end after a delimiter")
                    .isTrue();
            at += 2;
            String contentType = null;
            String contentRange = null;
            int end;
            while ((end = indexOf(body, "\r\n".getBytes(StandardCharsets.ISO_8859_1), at)) != at) {
                assertThat(end).as("a part's header line ends").isPositive();
                String line = new String(body, at, end - at, StandardCharsets.ISO_8859_1);
                String name = line.substring(0, line.indexOf(':'));
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (name.equalsIgnoreCase("Content-Type")) {
                    contentType = value;
                } else if (name.equalsIgnoreCase("Content-Range")) {
                    contentRange = value;
                }
                at = end + 2;
            }
            at += 2;
            int next = indexOf(body, delimiter, at);
            assertThat(next).as("the delimiter after a part").isGreaterThanOrEqualTo(at);
            parts.add(new Part(contentType, contentRange, Arrays.copyOfRange(body, at, next)));
            at = next + delimiter.length;
        }
        assertThat(new String(body, at + 2, body.length - at - 2, StandardCharsets.ISO_8859_1))
                .as("epilogue")
                .isIn("", "\r\n");
        return parts;
    }

    private static boolean startsWith(byte[] data, int at, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
        return at + p.length <= data.length && Arrays.equals(data, at, at + p.length, p, 0, p.length);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        for (int i = from; i + pattern.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    /** Checks a 206 holds exactly these spans of the file: one as a plain 206, several as multipart. */
    private static void assertPartial(Reply r, ServedFile file, String type, List<long[]> expected) {
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
        if (expected.size() == 1) {
            long[] span = expected.get(0);
            assertThat(r.header("Content-Type")).isEqualTo(type);
            assertThat(r.header("Content-Range")).isEqualTo("bytes " + span[0] + "-" + span[1] + "/" + file.size());
            assertThat(r.body()).isEqualTo(file.bytes(span[0], span[1]));
            return;
        }
        assertThat(r.header("Content-Range")).as("only the parts carry one").isNull();
        List<Part> parts = parts(r);
        assertThat(parts).hasSameSizeAs(expected);
        for (int i = 0; i < parts.size(); i++) {
            long[] span = expected.get(i);
            Part part = parts.get(i);
            assertThat(part.contentType()).as("part %d", i).isEqualTo(type);
            assertThat(part.contentRange())
                    .as("part %d", i)
                    .isEqualTo("bytes " + span[0] + "-" + span[1] + "/" + file.size());
            assertThat(part.bytes()).as("part %d", i).isEqualTo(file.bytes(span[0], span[1]));
        }
    }

    /** Checks an answer is the whole file, as if no Range had been sent. */
    private static void assertWhole(Reply r, ServedFile file) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Range")).isNull();
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(file.size()));
        assertThat(r.body()).isEqualTo(file.content());
    }

    private String typeOf(ServedFile file) {
        return server.send("GET " + file.path() + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .header("Content-Type");
    }

    // ---- one range

    @ParameterizedTest(name = "{0} → {1}-{2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bytes=0-0         |    0 |    0",
                "bytes=0-99        |    0 |   99",
                "bytes=1000-1999   | 1000 | 1999",
                "bytes=100-        |  100 |   -1",
                "bytes=-100        | -100 |   -1",
                "bytes=-1          |   -1 |   -1",
                "bytes=5-999999999 |    5 |   -1",
                "bytes=-999999999  |    0 |   -1",
                "bytes=0-,SIZE-    |    0 |   -1",
            })
    void oneRangeIsPartialContentWithContentRange(String range, String first, String last) {
        for (ServedFile file : ServedFile.values()) {
            String span = position(first, file) + "-" + position(last, file);
            assertPartial(send(file, range), file, typeOf(file), spans(span, file));
        }
    }

    // ---- several ranges

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void severalRangesAreMultipartByterangesWithTheExactLength(ServedFile file) {
        try (RawClient c = server.ipv4()) {
            // The request after the multipart one proves that Content-Length counted every byte and no more.
            c.send(get(file.path(), "bytes=0-99,1000-1099,-100") + getNext());
            Reply r = c.read();
            assertPartial(r, file, typeOf(file), spans("0-99,1000-1099,-100--1", file));
            assertThat(c.read().text()).isEqualTo("next\n");
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void eachMultipartResponseHasItsOwnBoundary(ServedFile file) {
        String one = send(file, "bytes=0-0,2-2").header("Content-Type");
        String two = send(file, "bytes=0-0,2-2").header("Content-Type");
        assertThat(one).startsWith("multipart/byteranges; boundary=").isNotEqualTo(two);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bytes=0-9,5-19            | 0-19",
                "bytes=0-9,10-19           | 0-19",
                "bytes=10-19,0-9,5-12      | 0-19",
                "bytes=0-9,0-9             | 0-9",
                "bytes=0-9,2-3             | 0-9",
                "bytes=0-9,11-19           | 0-9,11-19",
                "bytes=0-9, 20-29          | 0-9,20-29",
                "bytes=20-29,0-9           | 0-9,20-29",
                "bytes=50-59,0-9,20-29     | 0-9,20-29,50-59",
                "bytes=-10,0-9             | 0-9,-10--1",
                "bytes=50-59,0-9,55-69,8-8 | 0-9,50-69",
            })
    void rangesAreMergedAndSentInAscendingOrder(String range, String expected) {
        for (ServedFile file : ServedFile.values()) {
            assertPartial(send(file, range), file, typeOf(file), spans(expected, file));
        }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bytes=0-9,SIZE-                 | 0-9",
                "bytes=SIZE-,0-9,SIZE-SIZE       | 0-9",
                "bytes=0-9,SIZE-,20-29           | 0-9,20-29",
                "bytes=0-9,-0,20-29              | 0-9,20-29",
                "bytes=999999999-,20-29,0-9      | 0-9,20-29",
            })
    void unsatisfiableRangesAmongSatisfiableOnesAreDropped(String range, String expected) {
        for (ServedFile file : ServedFile.values()) {
            assertPartial(send(file, range), file, typeOf(file), spans(expected, file));
        }
    }

    // ---- never more than the file

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void rangesAddingUpToMoreThanTheFileBeforeMergingGetTheWholeFile(ServedFile file) {
        int half = file.size() / 2;
        assertWhole(send(file, "bytes=0-,0-"), file);
        assertWhole(send(file, "bytes=0-" + half + "," + (half - 1) + "-"), file);
        assertWhole(send(file, "bytes=-" + (half + 1) + ",0-" + half), file);
        // Exactly the file's size asked for is still a range: merged, the whole file as one 206.
        assertPartial(send(file, "bytes=0-" + (half - 1) + "," + half + "-"), file, typeOf(file), spans("0--1", file));
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void sixteenRangesAreSentAndSeventeenGetTheWholeFile(ServedFile file) {
        List<long[]> sixteen =
                IntStream.range(0, 16).mapToObj(i -> new long[] {2 * i, 2 * i}).toList();
        assertPartial(send(file, disjoint(16)), file, typeOf(file), sixteen);
        assertWhole(send(file, disjoint(17)), file);
        // Eighteen asked, sixteen after merging (30-30, 31-31 and 32-32 are one): the bound counts what is sent.
        var merged = new ArrayList<>(sixteen.subList(0, 15));
        merged.add(new long[] {30, 32});
        assertPartial(send(file, disjoint(17) + ",31-31"), file, typeOf(file), merged);
    }

    /** Apache's "range killer" (CVE-2011-3192) and its kin: many overlapping ranges, each a copy of the file. */
    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void theRangeKillerGetsTheWholeFileOnce(ServedFile file) {
        String classic =
                "bytes=0-," + IntStream.range(0, 1300).mapToObj(i -> "5-" + i).collect(Collectors.joining(","));
        String wholes = "bytes=" + String.join(",", Collections.nCopies(300, "0-"));
        String overlapping = "bytes="
                + IntStream.range(0, 300)
                        .mapToObj(i -> i + "-" + (i + file.size() / 100))
                        .collect(Collectors.joining(","));
        for (String range : List.of(classic, wholes, overlapping)) {
            try (RawClient c = server.ipv4()) {
                c.send(get(file.path(), range) + getNext());
                assertWhole(c.read(), file);
                assertThat(c.read().text()).isEqualTo("next\n");
            }
        }
    }

    // ---- 416

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bytes=SIZE-",
        "bytes=SIZE-SIZE",
        "bytes=999999999-",
        "bytes=-0",
        "'bytes=SIZE-,999999999-1999999999,-0'",
    })
    void noSatisfiableRangeIs416WithTheSize(String range) {
        for (ServedFile file : ServedFile.values()) {
            try (RawClient c = server.ipv4()) {
                c.send(get(file.path(), range.replace("SIZE", String.valueOf(file.size()))) + getNext());
                Reply r = c.read();
                assertThat(r.statusLine()).as("%s", file).isEqualTo("HTTP/1.1 416 Range Not Satisfiable");
                assertThat(r.header("Content-Range")).as("%s", file).isEqualTo("bytes */" + file.size());
                assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
                assertThat(c.read().text()).isEqualTo("next\n");
            }
        }
    }

    // ---- ignored

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "items=0-1",
                "bytes 0-1",
                "bytes0-1",
                "bytes=",
                "bytes=,",
                "bytes=abc",
                "bytes=-",
                "bytes=5-2",
                "bytes=1-2-3",
                "bytes=0-1;2-3",
                "bytes=0-1,x",
                "bytes=0-1,,2-x",
                "bytes=+1-2",
                "bytes=0x10-0x20",
            })
    void anotherUnitOrASyntaxErrorIgnoresTheRange(String range) {
        for (ServedFile file : ServedFile.values()) {
            assertWhole(send(file, range), file);
        }
    }

    // ---- how the bytes travel

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void requestsPipelinedAfterMultipartResponsesAreAnswered(ServedFile file) {
        String type = typeOf(file);
        try (RawClient c = server.ipv6()) {
            c.send(get(file.path(), "bytes=0-9,-10")
                    + get(file.path(), "bytes=100-199,300-399,500-")
                    + "HEAD " + file.path() + " HTTP/1.1\r\nHost: x\r\nRange: bytes=0-0,2-2\r\n\r\n"
                    + get(file.path(), "bytes=2-2")
                    + getNext());
            assertPartial(c.read(), file, type, spans("0-9,-10--1", file));
            assertPartial(c.read(), file, type, spans("100-199,300-399,500--1", file));
            Reply head = c.readHead();
            assertThat(head.status()).isEqualTo(206);
            assertThat(head.header("Content-Type")).startsWith("multipart/byteranges; boundary=");
            assertPartial(c.read(), file, type, spans("2-2", file));
            assertThat(c.read().text()).isEqualTo("next\n");
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void severalRangesWorkOverTls(ServedFile file) {
        try (TestServer tls = start(TestTls::on);
                RawClient c = tls.ipv4()) {
            String type = tls.send("GET " + file.path() + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .header("Content-Type");
            c.send(get(file.path(), "bytes=0-99,1000-1099,-100")
                    + get(file.path(), disjoint(16))
                    + get(file.path(), "bytes=5-9")
                    + getNext());
            assertPartial(c.read(), file, type, spans("0-99,1000-1099,-100--1", file));
            assertPartial(
                    c.read(),
                    file,
                    type,
                    IntStream.range(0, 16)
                            .mapToObj(i -> new long[] {2 * i, 2 * i})
                            .toList());
            assertPartial(c.read(), file, type, spans("5-9", file));
            assertThat(c.read().text()).isEqualTo("next\n");
        }
    }
}
