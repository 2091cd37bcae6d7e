package sws.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import sws.content.PathResolver;

/** Path resolution: splitting and normalising the path, and the checked lookup in the file system. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PathResolverBench {
    private Path root;
    private PathResolver.Segments deep;

    @Setup
    public void setUp() throws IOException {
        root = Files.createTempDirectory("sws-jmh").toRealPath();
        Path file = root.resolve("a/b/c/page.html");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "<!DOCTYPE html>\n");
        deep = PathResolver.segments("/a/b/c/page.html");
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.delete(root.resolve("a/b/c/page.html"));
        Files.delete(root.resolve("a/b/c"));
        Files.delete(root.resolve("a/b"));
        Files.delete(root.resolve("a"));
        Files.delete(root);
    }

    @Benchmark
    public PathResolver.Segments segments() {
        return PathResolver.segments("/a/./b/../b/c//page.html");
    }

    @Benchmark
    public PathResolver.Resolved resolve() {
        return PathResolver.resolve(root, deep.names());
    }
}
