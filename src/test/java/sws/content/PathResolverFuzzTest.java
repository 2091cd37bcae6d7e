package sws.content;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import sws.http.Limits;
import sws.http.ParseResult;
import sws.http.RequestParser;
import sws.testing.TestServer;

/**
 * Spec section 4, containment: arbitrary paths, decoded or still inside a raw request, never lead outside
 * the root nor to a hidden name (issue 5, fuzzing). Without JAZZER_FUZZ the methods replay their inputs
 * under src/test/resources/sws/content/PathResolverFuzzTestInputs; bin/fuzz runs them in fuzzing mode.
 */
class PathResolverFuzzTest {
    private static Path scratch;
    private static Path root;

    /**
     * A root with files, a hidden file and folder, a sub-folder, and symbolic links that lead out of it
     * (to a file, to a folder, to the root's parent, to a sibling whose name starts with the root's) or
     * inside it to hidden names; next to the root, secrets a resolved path must never reach.
     */
    @BeforeAll
    static void makeRoot() throws IOException {
        scratch = Files.createTempDirectory("sws-fuzz").toRealPath();
        root = Files.createDirectory(scratch.resolve("root"));
        TestServer.write(scratch, "secret", "secret");
        TestServer.write(scratch, "outside/secret", "secret");
        TestServer.write(scratch, "root-evil/secret", "secret");
        TestServer.write(root, "a.txt", "a");
        TestServer.write(root, "dir/b.txt", "b");
        TestServer.write(root, "dir/sub/c.txt", "c");
        TestServer.write(root, "é ü.txt", "d");
        TestServer.write(root, ".hidden", "hidden");
        TestServer.write(root, "dir/.git/config", "hidden");
        Files.createSymbolicLink(root.resolve("out"), scratch.resolve("outside"));
        Files.createSymbolicLink(root.resolve("secret.txt"), Path.of("../secret"));
        Files.createSymbolicLink(root.resolve("dir/up"), Path.of("../.."));
        Files.createSymbolicLink(root.resolve("evil"), Path.of("../root-evil"));
        Files.createSymbolicLink(root.resolve("self"), Path.of("."));
        Files.createSymbolicLink(root.resolve("peek"), Path.of(".hidden"));
        Files.createSymbolicLink(root.resolve("dir/git"), Path.of(".git"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    }

    @AfterAll
    static void removeRoot() {
        TestServer.deleteTree(scratch);
    }

    @DictionaryEntries({
        "/",
        "..",
        ".",
        "/../",
        "/./",
        "//",
        "\\\\",
        "out",
        "secret",
        "secret.txt",
        "dir",
        "up",
        "evil",
        "self",
        "peek",
        "git",
        "config",
        ".hidden",
        ".git",
        "loop",
        "a.txt"
    })
    @FuzzTest
    void decodedPathStaysInsideTheRoot(byte[] input) {
        checkContained(new String(input, StandardCharsets.UTF_8));
    }

    /** The input is a whole request, as a client sends it; a path the parser accepts is resolved. */
    @DictionaryEntries({
        "GET /",
        " HTTP/1.1\\x0d\\x0aHost: x\\x0d\\x0a\\x0d\\x0a",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "%00",
        "%c0%ae",
        "%252e",
        "/../",
        "out",
        "secret.txt",
        "dir/up",
        "evil",
        "self",
        "peek",
        "dir/git",
        ".hidden"
    })
    @FuzzTest
    void requestPathStaysInsideTheRoot(byte[] input) {
        if (new RequestParser(Limits.DEFAULT).parse(input, 0, input.length) instanceof ParseResult.Complete complete) {
            checkContained(complete.request().path());
        }
    }

    /** Segments never climb nor stay put; a file found is a real path below the root without a hidden name. */
    private static void checkContained(String path) {
        PathResolver.Segments segments = PathResolver.segments(path);
        for (String name : segments.names()) {
            assertThat(name).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..").doesNotContain("/");
        }
        if (segments.refusal() != null) {
            return;
        }
        PathResolver.Resolved resolved = PathResolver.resolve(root, segments.names());
        if (resolved.file() == null) {
            assertThat(resolved.refusal()).isNotNull();
            return;
        }
        Path file = resolved.file();
        assertThat(file.startsWith(root)).as("%s is inside %s", file, root).isTrue();
        for (Path part : root.relativize(file)) {
            assertThat(PathResolver.isHidden(part.toString()))
                    .as("%s has a hidden name", file)
                    .isFalse();
        }
        for (String name : segments.names()) {
            assertThat(PathResolver.isHidden(name))
                    .as("%s was asked for by a hidden name", file)
                    .isFalse();
        }
        try {
            assertThat(file.toRealPath()).isEqualTo(file);
        } catch (IOException e) {
            throw new AssertionError("the resolved file " + file + " cannot be found again", e);
        }
    }
}
