package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Spec section 4, /~user/ over real sockets, with --userdir a pattern: each user's folder is a root of
 * its own, held to the same containment and hidden-name rules as the docroot.
 */
class UserDirTest {
    private static final String SECRET = "USER-SECRET-" + UUID.randomUUID();

    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        Path root = TestServer.newDocroot();
        Path scratch = root.getParent();
        Path users = scratch.resolve("users");
        TestServer.write(scratch, "secret", SECRET);
        TestServer.write(users, "alice/private.txt", SECRET);
        TestServer.write(root, "docroot.txt", "docroot\n");
        // A docroot folder named like a user dir: /~ghost/ still means the user, who does not exist.
        TestServer.write(root, "~ghost/f.txt", "docroot\n");

        Path alice = users.resolve("alice/www");
        TestServer.write(alice, "f.txt", "alice's file\n");
        TestServer.write(alice, "sub/g.txt", "alice's sub file\n");
        TestServer.write(alice, ".hidden", SECRET);
        Files.createSymbolicLink(alice.resolve("link-out"), scratch.resolve("secret"));
        Files.createSymbolicLink(alice.resolve("link-up"), Path.of("../private.txt"));
        Files.createSymbolicLink(alice.resolve("link-docroot"), root.resolve("docroot.txt"));
        Files.createSymbolicLink(alice.resolve("link-users"), users);
        Files.createSymbolicLink(alice.resolve("link-in"), Path.of("sub/g.txt"));

        TestServer.write(users, "bob/www/index.html", "bob's index\n");
        Files.createDirectories(users.resolve("carol")); // a user without the folder
        TestServer.write(users, ".alice/www/f.txt", SECRET); // not a valid user name: never reached

        server = TestServer.start(root, c -> c.userdir(users + "/*/www"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void userDirWithoutIndexIsListed() {
        RawClient.Reply r = get("/~alice/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text())
                .contains("<title>")
                .contains("/~alice/")
                .contains("f.txt")
                .contains("sub/");
        assertThat(r.text()).doesNotContain(".hidden").doesNotContain(SECRET);
    }

    @Test
    void userDirWithIndexServesIt() {
        RawClient.Reply r = get("/~bob/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("bob's index\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/~alice/f.txt, alice's file",
        "/~alice/sub/g.txt, alice's sub file",
        "/~alice/sub/../f.txt, alice's file",
        "/~alice/link-in, alice's sub file",
        "/~bob/index.html, bob's index"
    })
    void fileInUserDirIsServed(String target, String body) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body + "\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/~alice, /~alice/",
        "/~alice?x=1, /~alice/?x=1",
        "/~alice/sub, /~alice/sub/",
        "/~alice/sub?y, /~alice/sub/?y"
    })
    void userDirWithoutSlashRedirects(String target, String location) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo(location);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/~nobody/",
        "/~nobody",
        "/~nobody/f.txt",
        "/~ghost/f.txt",
        "/~carol/",
        "/~/",
        "/~.alice/",
        "/~.alice/f.txt",
        "/~%2ealice/f.txt",
        "/~al%2Fice/",
        "/~al%2Fice/f.txt",
        "/~-alice/",
        "/~alice/nope.txt",
        "/~alice/f.txt/",
        "/~alice/.hidden",
        "/~*/f.txt",
        "/~alice*/f.txt"
    })
    void unknownUserOrMissingFileIsNotFound(String target) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).doesNotContain(SECRET);
    }

    static Stream<Arguments> escapesFromAUserDir() {
        return Stream.of(
                Arguments.of("/~alice/../../", Set.of(403)),
                Arguments.of("/~alice/../../secret", Set.of(403)),
                Arguments.of("/~alice/%2e%2e/%2e%2e/secret", Set.of(403)),
                Arguments.of("/~alice/..%2f..%2fsecret", Set.of(403)),
                Arguments.of("/~alice/sub/../../../secret", Set.of(403)),
                Arguments.of("/~alice/..\\private.txt", Set.of(403, 404)),
                Arguments.of("/~alice/%c0%ae%c0%ae/private.txt", Set.of(400)),
                Arguments.of("/~alice/link-out", Set.of(403)),
                Arguments.of("/~alice/link-up", Set.of(403)),
                Arguments.of("/~alice/link-docroot", Set.of(403)),
                Arguments.of("/~alice/link-users/alice/private.txt", Set.of(403)),
                Arguments.of("/~alice/link-users/", Set.of(403)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("escapesFromAUserDir")
    void escapesFromAUserDirAreRefusedAndNeverLeak(String target, Set<Integer> expected) {
        RawClient.Reply r = get(target);
        assertThat(r.status()).isIn(expected);
        assertThat(r.text()).doesNotContain(SECRET).doesNotContain("docroot\n");
    }

    @Test
    void dotSegmentsLeavingTheUserDirReturnToTheDocroot() {
        // "/~alice/.." is "/" once dot segments are removed: the docroot, not alice's parent folder.
        RawClient.Reply r = get("/~alice/../docroot.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("docroot\n");
    }

    private static RawClient.Reply get(String target) {
        return server.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    }
}
