package sws.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import sws.Server;

/**
 * A short run of sws that does what a start and its first requests do, for the JDK's ahead-of-time cache
 * (JEP 483): bin/sws runs it once per build with {@code -XX:AOTCacheOutput}, and starts sws with the cache
 * it leaves, so that sws's classes and the JDK's it uses come loaded and linked.
 */
public final class Training {
    private static final String[] PATHS = {"/hello.txt", "/", "/sub/", "/sub", "/missing", "/cgi-bin/hello.sh"};

    private Training() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sws-training");
        try {
            Path docroot = Files.createDirectories(dir.resolve("docroot/sub"));
            Files.writeString(dir.resolve("docroot/hello.txt"), "hello\n");
            Files.writeString(docroot.resolve("page.html"), "<!DOCTYPE html><title>t</title>\n");
            Path cgi = Files.createDirectories(dir.resolve("cgi"));
            Path program = Files.writeString(
                    cgi.resolve("hello.sh"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhi\\n'\n");
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
            Options options = Options.parse(
                    "-f",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    "0",
                    "-c",
                    cgi.toString(),
                    dir.resolve("docroot").toString());
            options.check();
            Options.usage();
            try (Server server = Server.start(options.config())) {
                for (int i = 0; i < 40; i++) {
                    for (String path : PATHS) {
                        get(server.port(), path);
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One request over a connection of its own, read to the end. */
    private static void get(int port, String path) throws IOException {
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            c.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: training\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (c.read(in.clear()) >= 0) {
                // until the server closes
            }
        }
    }
}
