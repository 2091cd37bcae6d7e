package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * The cache of small files and listings must never change what a client sees (spec section 4 still
 * holds): a change to a file shows at once, a change of where a path leads within a second, and nothing
 * outside the docroot is ever served from it.
 */
class FileCacheTest {
    private Path root;
    private TestServer server;

    @BeforeEach
    void start() {
        root = TestServer.newDocroot();
        server = TestServer.start(root);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawClient.Reply get(String path) {
        return server.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aFileChangedInPlaceIsServedNewAtOnce() {
        Path f = TestServer.write(root, "page.txt", "first version\n");
        assertThat(get("/page.txt").text()).isEqualTo("first version\n");
        assertThat(get("/page.txt").text()).isEqualTo("first version\n");
        TestServer.write(root, "page.txt", "second, longer version\n");
        assertThat(get("/page.txt").text()).isEqualTo("second, longer version\n");
        // Same length, other bytes: only the modification time tells.
        TestServer.write(root, "page.txt", "second, LONGER version\n");
        TestServer.touch(f, System.currentTimeMillis() / 1000 + 5);
        assertThat(get("/page.txt").text()).isEqualTo("second, LONGER version\n");
    }

    @Test
    void aFileReplacedByRenameIsServedNewAtOnce() throws Exception {
        TestServer.write(root, "page.txt", "old\n");
        assertThat(get("/page.txt").text()).isEqualTo("old\n");
        Path fresh = TestServer.write(root, "fresh.tmp", "new\n");
        Files.move(fresh, root.resolve("page.txt"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(get("/page.txt").text()).isEqualTo("new\n");
    }

    @Test
    void aDeletedFileIs404AtOnce() throws Exception {
        TestServer.write(root, "gone.txt", "here\n");
        assertThat(get("/gone.txt").status()).isEqualTo(200);
        Files.delete(root.resolve("gone.txt"));
        assertThat(get("/gone.txt").status()).isEqualTo(404);
    }

    @Test
    void aPathThatNowLeadsOutsideTheDocrootIsRefusedWithinASecondAndNeverLeaks() throws Exception {
        Path outside = TestServer.write(server.scratch(), "outside/page.txt", "SECRET OUTSIDE\n");
        TestServer.write(root, "dir/page.txt", "inside\n");
        assertThat(get("/dir/page.txt").text()).isEqualTo("inside\n");
        // The directory on the way becomes a link to a folder outside the docroot.
        Path dir = root.resolve("dir");
        Files.move(dir, root.resolve("olddir"));
        Files.createSymbolicLink(dir, outside.getParent());
        boolean refused = Poll.until(Duration.ofSeconds(3), () -> {
            RawClient.Reply r = get("/dir/page.txt");
            assertThat(r.text()).doesNotContain("SECRET");
            return r.status() == 403;
        });
        assertThat(refused).isTrue();
    }

    @Test
    void aNewFileShowsInTheListingAtOnce() {
        TestServer.write(root, "list/a.txt", "a\n");
        assertThat(get("/list/").text()).contains("a.txt").doesNotContain("b.txt");
        TestServer.write(root, "list/b.txt", "b\n");
        assertThat(get("/list/").text()).contains("a.txt").contains("b.txt");
    }

    @Test
    void conditionalAndRangeRequestsOnACachedFileAreAnsweredAsWithout() {
        Path f = TestServer.write(root, "r.txt", "0123456789");
        TestServer.touch(f, 1_000_000_000L);
        assertThat(get("/r.txt").status()).isEqualTo(200); // now cached
        var notModified = server.send("GET /r.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "If-Modified-Since: Sun, 09 Sep 2001 01:46:40 GMT\r\n\r\n");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        var range = server.send("GET /r.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: bytes=2-4\r\n\r\n");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.text()).isEqualTo("234");
        assertThat(range.header("Content-Range")).isEqualTo("bytes 2-4/10");
    }

    @Test
    void headOfACachedFileHasTheHeadersOfGetAndNoBody() {
        TestServer.write(root, "h.txt", "hello\n");
        var get = get("/h.txt");
        try (var c = server.ipv4()) {
            c.send("HEAD /h.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /h.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            var head = c.readHead();
            var next = c.read();
            assertThat(head.header("Content-Length")).isEqualTo(get.header("Content-Length"));
            assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
            assertThat(head.header("Last-Modified")).isEqualTo(get.header("Last-Modified"));
            assertThat(next.text()).isEqualTo("hello\n");
        }
    }

    @Test
    void http10AndHttp11AnswersOfACachedFileAreFramedForEach() {
        TestServer.write(root, "v.txt", "v\n");
        var one = server.send("GET /v.txt HTTP/1.0\r\n\r\n");
        var two = server.send("GET /v.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var three = get("/v.txt");
        assertThat(one.statusLine()).startsWith("HTTP/1.0 200");
        assertThat(one.header("Connection")).isNull();
        assertThat(two.header("Connection")).isEqualTo("keep-alive");
        assertThat(three.statusLine()).startsWith("HTTP/1.1 200");
        assertThat(three.header("Connection")).isEqualTo("close");
        assertThat(one.text()).isEqualTo("v\n");
        assertThat(three.text()).isEqualTo("v\n");
    }
}
