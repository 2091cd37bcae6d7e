package sws.cgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A chunked request body gathered before its program starts (CGI wants CONTENT_LENGTH up front): in memory
 * up to 256 KiB, beyond that in a temporary file, so that many large uploads at once cost disk, not heap.
 */
final class GatheredBody {
    private static final int IN_MEMORY = 256 * 1024;

    private final ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private Path file;
    private FileChannel channel;
    private long length;
    private IOException failure;

    void write(byte[] buf, int offset, int count) {
        length += count;
        if (failure != null) {
            return;
        }
        if (channel == null && memory.size() + count <= IN_MEMORY) {
            memory.write(buf, offset, count);
            return;
        }
        try {
            if (channel == null) {
                file = Files.createTempFile("sws-cgi-body", ".tmp"); // readable by this user only
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                writeFully(ByteBuffer.wrap(memory.toByteArray()));
                memory.reset();
            }
            writeFully(ByteBuffer.wrap(buf, offset, count));
        } catch (IOException e) {
            failure = e;
        }
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    long length() {
        return length;
    }

    /** The reason the body could not be kept (a full disk, say), or null. */
    IOException failure() {
        return failure;
    }

    /** Gives the whole body to the program, then lets go of it. */
    void copyTo(OutputStream out) throws IOException {
        try {
            if (channel == null) {
                memory.writeTo(out);
            } else {
                channel.position(0);
                Channels.newInputStream(channel).transferTo(out);
            }
        } finally {
            discard();
        }
    }

    /** Frees the memory and deletes the temporary file, if any. */
    void discard() {
        memory.reset();
        if (channel != null) {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file in the temporary directory: the system cleans it up in the end
            }
        }
    }
}
