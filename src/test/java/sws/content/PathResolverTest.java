package sws.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.http.Status;
import sws.testing.TestServer;

/** Spec section 4, containment: dot-segment removal on request paths and symlink-aware resolution. */
class PathResolverTest {
    private Path scratch;
    private Path root;

    @BeforeEach
    void makeRoot() throws IOException {
        scratch = Files.createTempDirectory("sws-resolver").toRealPath();
        root = Files.createDirectory(scratch.resolve("root"));
        TestServer.write(scratch, "secret", "secret");
        TestServer.write(scratch, "root-evil/secret", "secret");
        TestServer.write(scratch, "outside/secret", "secret");
        TestServer.write(root, "a.txt", "a");
        TestServer.write(root, "dir/b.txt", "b");
        TestServer.write(root, ".hidden", "hidden");
        TestServer.write(root, "dir/.git/config", "hidden");
    }

    @AfterEach
    void removeRoot() {
        TestServer.deleteTree(scratch);
    }

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "/            | /",
                "''           | /",
                "/a           | /a",
                "/a/b         | /a/b",
                "/a/b/        | /a/b/",
                "/a/./b       | /a/b",
                "/./a         | /a",
                "/a/.         | /a/",
                "/a/b/.       | /a/b/",
                "/.           | /",
                "/a/../b      | /b",
                "/a/b/..      | /a/",
                "/a/..        | /",
                "/a/b/../../c | /c",
                "/a/./../b/./ | /b/",
                "//a///b//    | /a/b/",
                "//           | /",
                "/a//         | /a/",
                "/...         | /...",
                "/..a/a..     | /..a/a..",
                "/.a          | /.a",
                "/a\\..\\b    | /a\\..\\b"
            })
    void segmentsRemovesDotAndEmptySegments(String path, String normalised) {
        PathResolver.Segments s = PathResolver.segments(path);
        assertThat(s.refusal()).isNull();
        assertThat(s.urlPath()).isEqualTo(normalised);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {"/a/b    | a,b", "//a//b/ | a,b", "/a/../b | b", "/a/b/.. | a", "/...    | ..."})
    void segmentsListsTheRemainingNames(String path, String names) {
        assertThat(PathResolver.segments(path).names()).containsExactlyElementsOf(Arrays.asList(names.split(",")));
    }

    @ParameterizedTest(name = "\"{0}\" trailing slash {1}")
    @CsvSource({"/a, false", "/a/, true", "/a/., true", "/a/b/.., true", "/a//, true", "/, true", "/a/b, false"})
    void segmentsKeepsTheTrailingSlash(String path, boolean trailing) {
        PathResolver.Segments s = PathResolver.segments(path);
        assertThat(s.trailingSlash()).isEqualTo(trailing);
        assertThat(s.urlPath().endsWith("/")).isEqualTo(trailing);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"/..", "/../", "/../a", "/a/../..", "/a/../../b", "/./..", "//..", "/a/b/../../../c", ".."})
    void segmentsRefusesClimbingAboveTheRoot(String path) {
        assertThat(PathResolver.segments(path).refusal()).isEqualTo(Status.FORBIDDEN);
    }

    @Test
    void resolveFindsARegularFile() throws IOException {
        PathResolver.Resolved r = PathResolver.resolve(root, List.of("a.txt"));
        assertThat(r.refusal()).isNull();
        assertThat(r.file()).isEqualTo(root.resolve("a.txt"));
        assertThat(r.attributes().isRegularFile()).isTrue();
    }

    @Test
    void resolveFindsADirectoryAndTheRootItself() {
        assertThat(PathResolver.resolve(root, List.of("dir")).attributes().isDirectory())
                .isTrue();
        assertThat(PathResolver.resolve(root, List.of()).file()).isEqualTo(root);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nope", "dir/nope", "nope/a.txt", "a.txt/x"})
    void resolveMissingIsNotFound(String path) {
        assertRefused(path, Status.NOT_FOUND);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".hidden", "dir/.git/config", "dir/.git", ".nope"})
    void resolveHiddenNameIsNotFound(String path) {
        assertRefused(path, Status.NOT_FOUND);
    }

    @Test
    void resolveSymlinkToAHiddenFileIsNotFound() throws IOException {
        Files.createSymbolicLink(root.resolve("visible"), Path.of(".hidden"));
        assertRefused("visible", Status.NOT_FOUND);
    }

    @Test
    void resolveSymlinkLeavingTheRootIsForbidden() throws IOException {
        Files.createSymbolicLink(root.resolve("abs"), scratch.resolve("secret"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../secret"));
        Files.createSymbolicLink(root.resolve("dir/deep"), Path.of("../../secret"));
        Files.createSymbolicLink(root.resolve("outdir"), scratch.resolve("outside"));
        Files.createSymbolicLink(root.resolve("sibling"), scratch.resolve("root-evil/secret"));
        Files.createSymbolicLink(root.resolve("siblingdir"), scratch.resolve("root-evil"));
        Files.createSymbolicLink(root.resolve("parent"), scratch);
        for (String path : List.of(
                "abs", "rel", "dir/deep", "outdir", "outdir/secret", "sibling", "siblingdir/secret", "parent")) {
            assertRefused(path, Status.FORBIDDEN);
        }
    }

    @Test
    void resolveSymlinkToAnotherFileInTheRootIsFollowed() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), root.resolve("dir/b.txt"));
        Files.createSymbolicLink(root.resolve("dir/up"), Path.of("../a.txt"));
        Files.createSymbolicLink(root.resolve("dirlink"), Path.of("dir"));
        assertThat(PathResolver.resolve(root, List.of("link")).file()).isEqualTo(root.resolve("dir/b.txt"));
        assertThat(PathResolver.resolve(root, List.of("dir", "up")).file()).isEqualTo(root.resolve("a.txt"));
        assertThat(PathResolver.resolve(root, List.of("dirlink", "b.txt")).file())
                .isEqualTo(root.resolve("dir/b.txt"));
    }

    @Test
    void resolveRefusesDotDotNamesEvenWhenGivenDirectly() {
        PathResolver.Resolved r = PathResolver.resolve(root, List.of("..", "secret"));
        assertThat(r.refusal()).isIn(Status.FORBIDDEN, Status.NOT_FOUND);
        assertThat(r.file()).isNull();
    }

    @Test
    void resolveFifoIsForbidden() throws IOException {
        mkfifo(root.resolve("pipe"));
        assertRefused("pipe", Status.FORBIDDEN);
    }

    @Test
    void resolveSymlinkLoopIsRefused() throws IOException {
        Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(root.resolve("loop2"), Path.of("loop1"));
        PathResolver.Resolved r = PathResolver.resolve(root, List.of("loop1"));
        assertThat(r.refusal()).isIn(Status.FORBIDDEN, Status.NOT_FOUND);
    }

    @ParameterizedTest(name = "{0} hidden: {1}")
    @CsvSource({".hidden, true", ".., true", "., true", "a.txt, false", "a., false", "~user, false"})
    void namesBeginningWithADotAreHidden(String name, boolean hidden) {
        assertThat(PathResolver.isHidden(name)).isEqualTo(hidden);
    }

    private static void mkfifo(Path path) throws IOException {
        try {
            int exit = new ProcessBuilder("mkfifo", path.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
            assertThat(exit).as("mkfifo %s", path).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void assertRefused(String path, Status status) {
        PathResolver.Resolved r = PathResolver.resolve(root, List.of(path.split("/")));
        assertThat(r.refusal()).as(path).isEqualTo(status);
        assertThat(r.file()).as(path).isNull();
    }
}
