package sws.testing;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * One file for each way sws sends a file, so a test of spec section 8 can show both behave alike: below the
 * cache's 128 KiB a file is answered from memory, above it by sendfile(2). The bytes are random (seeded), so
 * a wrong offset cannot pass unnoticed.
 */
public enum ServedFile {
    CACHED("cached.bin", 10 * 1024),
    SENDFILE("sendfile.bin", 300 * 1024);

    private final String name;
    private final byte[] content;

    ServedFile(String name, int size) {
        this.name = name;
        this.content = new byte[size];
        new Random(size).nextBytes(content);
    }

    /** The request path of the file in a docroot it was written to. */
    public String path() {
        return "/" + name;
    }

    public int size() {
        return content.length;
    }

    /** The whole file. */
    public byte[] content() {
        return content.clone();
    }

    /** The bytes first to last, both included. */
    public byte[] bytes(long first, long last) {
        return Arrays.copyOfRange(content, (int) first, (int) last + 1);
    }

    /** Writes the file into root with this modification time (epoch seconds). */
    public Path writeTo(Path root, long epochSecond) {
        Path file = TestServer.write(root, name, content);
        TestServer.touch(file, epochSecond);
        return file;
    }
}
