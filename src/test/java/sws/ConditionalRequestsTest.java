package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
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

/**
 * Spec section 8, validators and conditional requests: every file response carries a strong ETag, the
 * conditional fields are evaluated in RFC 9110 section 13.2.2's order, and If-Range decides whether a Range
 * applies. Each case runs on a file answered from the cache and on one sent by sendfile.
 *
 * <p>In the tables, TAG stands for the file's ETag, W/TAG for its weak form, OTHER for a tag the file does
 * not have; BEFORE, MTIME, AFTER and FUTURE for dates a second before the file's Last-Modified, equal to it,
 * later (but past) and in the future. Any other value is sent as written; an empty cell sends no field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionalRequestsTest {
    /** The RFC 9110 example date; every file here carries it as its modification time. */
    private static final long FILE_MTIME = 784111777L;

    private static final String MTIME = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String BEFORE = "Sun, 06 Nov 1994 08:49:36 GMT";
    private static final String AFTER = "Sat, 01 Jan 2000 00:00:00 GMT";
    private static final String FUTURE = "Thu, 01 Jan 2099 00:00:00 GMT";
    private static final String CACHE_CONTROL = "max-age=60";

    private TestServer server;

    @BeforeAll
    void startServer() {
        server = start();
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    private static TestServer start() {
        Path root = TestServer.newDocroot();
        for (ServedFile file : ServedFile.values()) {
            file.writeTo(root, FILE_MTIME);
        }
        TestServer.write(root, "dir/inside.txt", "inside\n");
        TestServer.write(root, "next.txt", "next\n");
        return TestServer.start(root, c -> c.cacheControl(CACHE_CONTROL));
    }

    /** A request head: the request line, the fields that are not null, and the blank line. */
    private static String request(String requestLine, String... fields) {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\nHost: x\r\n");
        for (String field : fields) {
            if (field != null) {
                sb.append(field).append("\r\n");
            }
        }
        return sb.append("\r\n").toString();
    }

    private static String get(String target, String... fields) {
        return request("GET " + target + " HTTP/1.1", fields);
    }

    private static String head(String target, String... fields) {
        return request("HEAD " + target + " HTTP/1.1", fields);
    }

    private static Reply sendHead(TestServer s, String request) {
        try (RawClient c = s.ipv4()) {
            return c.send(request).readHead();
        }
    }

    /** A field with the table's words resolved, or null when the cell is empty. */
    private static String field(String name, String cell, String tag) {
        if (cell == null) {
            return null;
        }
        String value =
                switch (cell) {
                    case "MTIME" -> MTIME;
                    case "BEFORE" -> BEFORE;
                    case "AFTER" -> AFTER;
                    case "FUTURE" -> FUTURE;
                    default -> cell.replace("OTHER", "\"other\"").replace("TAG", tag);
                };
        return name + ": " + value;
    }

    private String tagOf(ServedFile file) {
        return server.send(get(file.path())).header("ETag");
    }

    /** The raw header lines without Date, and with a multipart boundary (random per response) blanked. */
    private static List<String> comparable(Reply r) {
        return r.rawHeaders().stream()
                .filter(h -> !h.startsWith("Date:"))
                .map(h -> h.replaceAll("boundary=\\S+", "boundary=B"))
                .toList();
    }

    // ---- the entity tag

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void everyFileResponseCarriesTheSameStrongTag(ServedFile file) {
        String tag = tagOf(file);
        assertThat(tag).as("a strong tag: a quoted string, no W/").matches("\"[^\"]*\"");
        List<Reply> replies = List.of(
                server.send(get(file.path())),
                sendHead(server, head(file.path())),
                server.send(get(file.path(), "Range: bytes=0-9")),
                server.send(get(file.path(), "Range: bytes=0-9,20-29")),
                server.send(get(file.path(), "If-None-Match: " + tag)),
                sendHead(server, head(file.path(), "If-None-Match: " + tag)));
        assertThat(replies).extracting(Reply::status).containsExactly(200, 200, 206, 206, 304, 304);
        assertThat(replies).extracting(r -> r.header("ETag")).containsOnly(tag);
    }

    @ParameterizedTest
    @CsvSource({"/", "/dir/"})
    void aListingCarriesNoTag(String target) {
        Reply listing = server.send(get(target));
        assertThat(listing.status()).isEqualTo(200);
        assertThat(listing.header("Content-Type")).startsWith("text/html");
        assertThat(listing.header("ETag")).isNull();
        assertThat(sendHead(server, head(target)).header("ETag")).isNull();
    }

    /** A file's tag now, after the change, and proof that conditionals on the old tag see the change. */
    private static void assertTagChanged(TestServer s, ServedFile file, String oldTag, byte[] newContent) {
        Reply now = s.send(get(file.path()));
        assertThat(now.body()).isEqualTo(newContent);
        assertThat(now.header("ETag")).matches("\"[^\"]*\"").isNotEqualTo(oldTag);
        assertThat(s.send(get(file.path(), "If-Match: " + oldTag)).status()).isEqualTo(412);
        assertThat(s.send(get(file.path(), "If-None-Match: " + oldTag)).status())
                .isEqualTo(200);
        assertThat(s.send(get(file.path(), "If-Range: " + oldTag, "Range: bytes=0-0"))
                        .status())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void theTagChangesWhenTheContentChanges(ServedFile file) {
        try (TestServer s = start()) {
            String old = s.send(get(file.path())).header("ETag");
            byte[] changed = file.content();
            changed[0] ^= 1;
            TestServer.write(s.docroot(), file.path().substring(1), changed);
            assertTagChanged(s, file, old, changed);
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void theTagChangesWhenOnlyTheModificationTimeChanges(ServedFile file) {
        try (TestServer s = start()) {
            String old = s.send(get(file.path())).header("ETag");
            TestServer.touch(s.docroot().resolve(file.path().substring(1)), FILE_MTIME + 60);
            assertTagChanged(s, file, old, file.content());
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void theTagChangesWhenTheFileIsReplacedByRenameWithTheSameSizeAndTime(ServedFile file) throws Exception {
        try (TestServer s = start()) {
            Path served = s.docroot().resolve(file.path().substring(1));
            String old = s.send(get(file.path())).header("ETag");
            FileTime time = Files.getLastModifiedTime(served);
            Path fresh = TestServer.write(s.docroot(), "fresh.tmp", file.content());
            Files.setLastModifiedTime(fresh, time);
            Files.move(fresh, served, StandardCopyOption.ATOMIC_MOVE);
            assertTagChanged(s, file, old, file.content());
        }
    }

    // ---- RFC 9110 13.2.2: the order of the conditional fields

    @ParameterizedTest(name = "If-Match {0}, If-Unmodified-Since {1}, If-None-Match {2}, If-Modified-Since {3} → {4}")
    @CsvSource(
            delimiter = '|',
            nullValues = "",
            value = {
                // If-Match alone, compared strongly
                "TAG         |           |             |           | 200",
                "OTHER       |           |             |           | 412",
                "OTHER, TAG  |           |             |           | 200",
                "*           |           |             |           | 200",
                "W/TAG       |           |             |           | 412",
                // If-Match present: If-Unmodified-Since is not evaluated
                "TAG         | BEFORE    |             |           | 200",
                "OTHER       | AFTER     |             |           | 412",
                // If-Unmodified-Since alone; an invalid date is ignored
                "            | BEFORE    |             |           | 412",
                "            | MTIME     |             |           | 200",
                "            | AFTER     |             |           | 200",
                "            | yesterday |             |           | 200",
                // If-None-Match alone, compared weakly
                "            |           | TAG         |           | 304",
                "            |           | W/TAG       |           | 304",
                "            |           | OTHER, W/TAG |          | 304",
                "            |           | *           |           | 304",
                "            |           | OTHER       |           | 200",
                // If-None-Match present: If-Modified-Since is not evaluated
                "            |           | OTHER       | MTIME     | 200",
                "            |           | OTHER       | AFTER     | 200",
                "            |           | TAG         | BEFORE    | 304",
                // If-Modified-Since alone; an invalid or future date is ignored
                "            |           |             | MTIME     | 304",
                "            |           |             | AFTER     | 304",
                "            |           |             | BEFORE    | 200",
                "            |           |             | FUTURE    | 200",
                "            |           |             | yesterday | 200",
                // 412 is decided before 304
                "OTHER       |           | TAG         |           | 412",
                "OTHER       |           | *           | MTIME     | 412",
                "            | BEFORE    | TAG         |           | 412",
                "            | BEFORE    |             | MTIME     | 412",
                "TAG         |           | TAG         |           | 304",
                "*           | BEFORE    | *           |           | 304",
                "            | yesterday |             | MTIME     | 304",
            })
    void conditionalFieldsAreEvaluatedInRfc9110Order(
            String ifMatch, String ifUnmodifiedSince, String ifNoneMatch, String ifModifiedSince, int status) {
        for (ServedFile file : ServedFile.values()) {
            String tag = tagOf(file);
            String[] fields = {
                field("If-Match", ifMatch, tag),
                field("If-Unmodified-Since", ifUnmodifiedSince, tag),
                field("If-None-Match", ifNoneMatch, tag),
                field("If-Modified-Since", ifModifiedSince, tag)
            };
            Reply got = server.send(get(file.path(), fields));
            assertThat(got.status()).as("GET %s", file).isEqualTo(status);
            if (status == 200) {
                assertThat(got.body()).as("GET %s", file).isEqualTo(file.content());
            }
            assertThat(sendHead(server, head(file.path(), fields)).status())
                    .as("HEAD %s", file)
                    .isEqualTo(status);
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void aFailedPreconditionIsAnErrorPage(ServedFile file) {
        Reply r = server.send(get(file.path(), "If-Match: \"other\""));
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 412 Precondition Failed");
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.text()).contains("Precondition Failed");
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
        assertThat(r.header("Cache-Control")).as("not on errors").isNull();
    }

    // ---- 304

    @ParameterizedTest(name = "{0}")
    @CsvSource({"If-None-Match: TAG", "If-None-Match: W/TAG", "If-Modified-Since: MTIME"})
    void notModifiedCarriesTheValidatorsAndCachingFieldsOfTheOkAndNoBody(String condition) {
        for (ServedFile file : ServedFile.values()) {
            Reply ok = server.send(get(file.path()));
            String[] nameAndCell = condition.split(": ", 2);
            String field = field(nameAndCell[0], nameAndCell[1], ok.header("ETag"));
            try (RawClient c = server.ipv4()) {
                // The request after the conditional one proves that the 304 sent no body bytes.
                c.send(get(file.path(), field) + get("/next.txt"));
                Reply notModified = c.read();
                Reply next = c.read();
                assertThat(notModified.statusLine()).as("%s", file).isEqualTo("HTTP/1.1 304 Not Modified");
                assertThat(notModified.header("ETag")).as("%s", file).isEqualTo(ok.header("ETag"));
                assertThat(notModified.header("Last-Modified")).as("%s", file).isEqualTo(MTIME);
                assertThat(notModified.header("Cache-Control")).as("%s", file).isEqualTo(CACHE_CONTROL);
                assertThat(ok.header("Cache-Control")).as("%s", file).isEqualTo(CACHE_CONTROL);
                assertThat(notModified.header("Content-Length")).as("%s", file).isNull();
                assertThat(notModified.header("Transfer-Encoding"))
                        .as("%s", file)
                        .isNull();
                assertThat(next.statusLine()).as("the response after the 304").isEqualTo("HTTP/1.1 200 OK");
                assertThat(next.text()).isEqualTo("next\n");
            }
        }
    }

    // ---- If-Range

    @ParameterizedTest(name = "If-Range {0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "TAG                            | 206",
                "OTHER                          | 200",
                "W/TAG                          | 200",
                "MTIME                          | 206",
                "Sunday, 06-Nov-94 08:49:37 GMT | 206",
                "BEFORE                         | 200",
                "AFTER                          | 200",
                "yesterday                      | 200",
            })
    void ifRangeDecidesWhetherTheRangeApplies(String ifRange, int status) {
        for (ServedFile file : ServedFile.values()) {
            Reply r = server.send(get(file.path(), field("If-Range", ifRange, tagOf(file)), "Range: bytes=0-3"));
            assertThat(r.status()).as("%s", file).isEqualTo(status);
            if (status == 206) {
                assertThat(r.header("Content-Range")).as("%s", file).isEqualTo("bytes 0-3/" + file.size());
                assertThat(r.body()).as("%s", file).isEqualTo(file.bytes(0, 3));
            } else {
                assertThat(r.header("Content-Range")).as("%s", file).isNull();
                assertThat(r.body()).as("%s: the whole file", file).isEqualTo(file.content());
            }
        }
    }

    // ---- HEAD

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "",
            value = {
                "                         |",
                "Range: bytes=0-3         |",
                "Range: bytes=0-3,10-19   |",
                "Range: bytes=0-3         | If-Range: TAG",
                "Range: bytes=0-3         | If-Range: OTHER",
                "If-None-Match: TAG       |",
                "If-Modified-Since: MTIME |",
                "If-Match: OTHER          |",
            })
    void headGetsTheHeadersOfGet(String first, String second) {
        for (ServedFile file : ServedFile.values()) {
            String tag = tagOf(file);
            String[] fields = Stream.of(first, second)
                    .map(f -> f == null ? null : field(f.split(": ", 2)[0], f.split(": ", 2)[1], tag))
                    .toArray(String[]::new);
            try (RawClient c = server.ipv4()) {
                c.send(get(file.path(), fields) + head(file.path(), fields) + get("/next.txt"));
                Reply got = c.read();
                Reply head = c.readHead();
                Reply next = c.read();
                assertThat(head.statusLine()).as("%s", file).isEqualTo(got.statusLine());
                assertThat(comparable(head)).as("%s", file).containsExactlyInAnyOrderElementsOf(comparable(got));
                assertThat(next.text()).as("the response after HEAD").isEqualTo("next\n");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ServedFile.class)
    void lastModifiedIsTheDateTheTablesCallMtime(ServedFile file) {
        assertThat(server.send(get(file.path())).header("Last-Modified")).isEqualTo(MTIME);
    }
}
