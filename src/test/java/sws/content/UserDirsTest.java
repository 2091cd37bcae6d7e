package sws.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec section 4 and --userdir: which names are users, and where each user's folder is. */
class UserDirsTest {
    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void realTemp() throws IOException {
        dir = tmp.toRealPath();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"alice", "Alice", "a", "a1", "a.b", "a_b", "a-b", "_svc", "1000", "web-admin.2"})
    void portableUserNamesAreValid(String user) {
        assertThat(UserDirs.validUserName(user)).isTrue();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {
                "",
                ".",
                "..",
                ".alice",
                "-alice",
                "al/ice",
                "al\\ice",
                "al ice",
                "al:ice",
                "al*",
                "*",
                "al%2fice",
                "alicé",
                "al\u0000ice",
                "al\nice",
                "~alice"
            })
    void otherUserNamesAreInvalid(String user) {
        assertThat(UserDirs.validUserName(user)).isFalse();
    }

    @Test
    void userNameLengthIsBounded() {
        assertThat(UserDirs.validUserName("a".repeat(32))).isTrue();
        assertThat(UserDirs.validUserName("a".repeat(1000))).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\" valid: {1}")
    @CsvSource({
        "sws, true",
        "public_html, true",
        "/srv/*/www, true",
        "/home/*, true",
        "'', false",
        "a/b, false",
        "/srv/www, false",
        "., false",
        ".., false"
    })
    void userdirPatternIsAPlainNameOrAPathWithAStar(String pattern, boolean valid) {
        assertThat(UserDirs.validPattern(pattern)).isEqualTo(valid);
    }

    @Test
    void plainNameIsAFolderInTheHomeFromThePasswordFile() throws IOException {
        Path alice = Files.createDirectories(dir.resolve("home/alice/sws"));
        Path passwd = passwd(
                "root:x:0:0:root:/root:/bin/sh", "alice:x:1000:1000:Alice:" + dir.resolve("home/alice") + ":/bin/sh");
        assertThat(new UserDirs("sws", passwd).root("alice")).isEqualTo(alice);
    }

    @Test
    void plainNameUsesTheConfiguredFolderName() throws IOException {
        Path html = Files.createDirectories(dir.resolve("home/alice/public_html"));
        Files.createDirectories(dir.resolve("home/alice/sws"));
        Path passwd = passwd("alice:x:1000:1000::" + dir.resolve("home/alice") + ":/bin/sh");
        assertThat(new UserDirs("public_html", passwd).root("alice")).isEqualTo(html);
    }

    @Test
    void plainNameUnknownUserOrMissingFolderIsNull() throws IOException {
        Files.createDirectories(dir.resolve("home/bob"));
        Files.createDirectories(dir.resolve("home/nobody/sws"));
        Path passwd = passwd(
                "bob:x:1001:1001:Bob:" + dir.resolve("home/bob") + ":/bin/sh",
                "carol:x:1002:1002:Carol::/bin/sh",
                "broken line without fields",
                "dave:x:1003:1003:" + dir.resolve("home/nobody"));
        UserDirs dirs = new UserDirs("sws", passwd);
        assertThat(dirs.root("bob")).as("home without the folder").isNull();
        assertThat(dirs.root("carol")).as("empty home field").isNull();
        assertThat(dirs.root("dave")).as("line with too few fields").isNull();
        assertThat(dirs.root("nobody")).as("not in the password file").isNull();
        assertThat(dirs.root("broken line without fields")).isNull();
    }

    @Test
    void plainNameFolderThatIsAFileIsNull() throws IOException {
        Files.createDirectories(dir.resolve("home/alice"));
        Files.writeString(dir.resolve("home/alice/sws"), "not a folder");
        Path passwd = passwd("alice:x:1000:1000::" + dir.resolve("home/alice") + ":/bin/sh");
        assertThat(new UserDirs("sws", passwd).root("alice")).isNull();
    }

    @Test
    void firstEntryForAUserWins() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first/sws"));
        Files.createDirectories(dir.resolve("second/sws"));
        Path passwd = passwd(
                "alice:x:1000:1000::" + dir.resolve("first") + ":/bin/sh",
                "alice:x:1000:1000::" + dir.resolve("second") + ":/bin/sh");
        assertThat(new UserDirs("sws", passwd).root("alice")).isEqualTo(first);
    }

    @Test
    void passwordFileIsReadAgainWhenItChanges() throws IOException {
        Path alice = Files.createDirectories(dir.resolve("home/alice/sws"));
        Path passwd = passwd("root:x:0:0:root:/root:/bin/sh");
        Files.setLastModifiedTime(passwd, FileTime.fromMillis(1_000_000_000_000L));
        UserDirs dirs = new UserDirs("sws", passwd);
        assertThat(dirs.root("alice")).isNull();

        Files.writeString(passwd, "alice:x:1000:1000::" + dir.resolve("home/alice") + ":/bin/sh\n");
        Files.setLastModifiedTime(passwd, FileTime.fromMillis(1_000_000_060_000L));
        assertThat(dirs.root("alice")).isEqualTo(alice);
    }

    @Test
    void missingPasswordFileFindsNobody() {
        assertThat(new UserDirs("sws", dir.resolve("no-passwd")).root("alice")).isNull();
    }

    @Test
    void invalidUserNameIsNeverLookedUp() throws IOException {
        Files.createDirectories(dir.resolve("home/dot/sws"));
        Path passwd = passwd(".alice:x:1000:1000::" + dir.resolve("home/dot") + ":/bin/sh");
        assertThat(new UserDirs("sws", passwd).root(".alice")).isNull();
    }

    @Test
    void patternPutsTheUserInPlaceOfTheStar() throws IOException {
        Path alice = Files.createDirectories(dir.resolve("users/alice/www"));
        UserDirs dirs = new UserDirs(dir + "/users/*/www", dir.resolve("no-passwd"));
        assertThat(dirs.root("alice")).isEqualTo(alice);
    }

    @Test
    void patternMissingFolderOrFileIsNull() throws IOException {
        Files.createDirectories(dir.resolve("users/bob"));
        Files.createDirectories(dir.resolve("users/carol"));
        Files.writeString(dir.resolve("users/carol/www"), "not a folder");
        UserDirs dirs = new UserDirs(dir + "/users/*/www", dir.resolve("no-passwd"));
        assertThat(dirs.root("bob")).isNull();
        assertThat(dirs.root("carol")).isNull();
        assertThat(dirs.root("nobody")).isNull();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"..", ".", "../users/alice", "*", ".alice", ""})
    void patternNeverTakesAnInvalidName(String user) throws IOException {
        Files.createDirectories(dir.resolve("users/alice/www"));
        Files.createDirectories(dir.resolve("users/.alice/www"));
        Files.createDirectories(dir.resolve("www"));
        Files.createDirectories(dir.resolve("users/*/www"));
        UserDirs dirs = new UserDirs(dir + "/users/*/www", dir.resolve("no-passwd"));
        assertThat(dirs.root(user)).isNull();
    }

    @Test
    void rootIsTheRealPathThroughSymlinks() throws IOException {
        Path real = Files.createDirectories(dir.resolve("storage/alice-site"));
        Files.createDirectories(dir.resolve("users/alice"));
        Files.createSymbolicLink(dir.resolve("users/alice/www"), real);
        UserDirs dirs = new UserDirs(dir + "/users/*/www", dir.resolve("no-passwd"));
        assertThat(dirs.root("alice")).isEqualTo(real);
    }

    private Path passwd(String... lines) throws IOException {
        return Files.write(dir.resolve("passwd"), java.util.List.of(lines));
    }
}
