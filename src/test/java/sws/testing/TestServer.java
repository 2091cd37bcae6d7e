package sws.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import sws.Config;
import sws.Server;

/**
 * A real sws on an ephemeral port over a temporary docroot of the test's own making. Close it to stop
 * the server and delete the docroot.
 */
public final class TestServer implements AutoCloseable {
    private final Path dir;
    private final Path docroot;
    private final Server server;
    private final Config config;

    private TestServer(Path dir, Path docroot, Config config, Server server) {
        this.dir = dir;
        this.docroot = docroot;
        this.config = config;
        this.server = server;
    }

    /** A docroot to fill before starting: a fresh temporary directory. */
    public static Path newDocroot() {
        try {
            Path dir = Files.createTempDirectory("sws-test");
            Path root = dir.resolve("docroot");
            Files.createDirectory(root);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts sws on every address (dual stack), port 0, with default settings over docroot. */
    public static TestServer start(Path docroot) {
        return start(docroot, c -> c);
    }

    /** Starts sws over docroot with settings adjusted by the caller (port 0 unless it sets one). */
    public static TestServer start(Path docroot, UnaryOperator<Config.Builder> adjust) {
        Config config = adjust.apply(Config.builder(docroot).port(0).loops(2)).build();
        try {
            Server server = Server.start(config);
            return new TestServer(docroot.getParent(), docroot, config, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.port();
    }

    public Path docroot() {
        return docroot;
    }

    /** The temporary folder holding the docroot; tests may put other files (logs, user dirs) there. */
    public Path scratch() {
        return dir;
    }

    public Config config() {
        return config;
    }

    public Server server() {
        return server;
    }

    /** A raw client to 127.0.0.1 on this server's port; over TLS when the server speaks it. */
    public RawClient ipv4() {
        return connect(InetAddress.getLoopbackAddress());
    }

    /** A raw client to ::1 on this server's port; over TLS when the server speaks it. */
    public RawClient ipv6() {
        try {
            return connect(InetAddress.getByName("::1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RawClient connect(InetAddress address) {
        return config.tls() == null
                ? RawClient.connect(address, port())
                : RawClient.connectTls(address, port(), TestTls.client());
    }

    /** Sends one request over a new IPv4 connection and reads the one response. */
    public RawClient.Reply send(String request) {
        try (RawClient c = ipv4()) {
            c.send(request);
            return c.read();
        }
    }

    /** Stops the server gracefully and deletes the temporary directory. */
    @Override
    public void close() {
        server.close();
        deleteTree(dir);
    }

    /** Writes a UTF-8 file below root, making parent folders. */
    public static Path write(Path root, String relative, String content) {
        return write(root, relative, content.getBytes(StandardCharsets.UTF_8));
    }

    public static Path write(Path root, String relative, byte[] content) {
        try {
            Path p = root.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a file's modification time, in epoch seconds. */
    public static void touch(Path file, long epochSecond) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(epochSecond * 1000));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
