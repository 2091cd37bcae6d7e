package sws.cgi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A chunked request body gathered before its program starts (CGI wants CONTENT_LENGTH up front), in a
 * temporary file, never in the heap: many large uploads at once cost disk, and a disk that fills up fails
 * the request before its program ever sees a byte of it.
 */
final class GatheredBody {
    private Path file;
    private FileChannel channel;
    private long length;
    private IOException failure;

    void write(byte[] buf, int offset, int count) {
        length += count;
        if (failure != null) {
            return;
        }
        try {
            if (channel == null) {
                file = Files.createTempFile("sws-cgi-body", ".tmp"); // readable by this user only
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            ByteBuffer bytes = ByteBuffer.wrap(buf, offset, count);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            failure = e;
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
            if (channel != null) {
                channel.position(0);
                Channels.newInputStream(channel).transferTo(out);
            }
        } finally {
            discard();
        }
    }

    /** Deletes the temporary file, if any. */
    void discard() {
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
