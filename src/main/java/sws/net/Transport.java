package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One connection's bytes in and out, for the session above it, whatever carries them. Every call is
 * non-blocking and made on the connection's event loop.
 */
public interface Transport {
    /** Reads what has arrived into the buffer; the count, 0 when nothing has, or -1 at the end of the input. */
    int read(ByteBuffer into) throws IOException;

    /** Writes as much of the buffers as there is room for, in order; the bytes written. */
    long write(ByteBuffer[] from, int offset, int length) throws IOException;

    /** Sends up to count bytes of the file from position on without copying them through the heap. */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    /** Sends the end of the output: the peer reads the end of its input, and may still send. */
    void shutdownOutput() throws IOException;

    /** What the session waits for next: readable, writable, both, or neither (it will be woken otherwise). */
    void await(boolean readable, boolean writable);

    /** The two ends of the connection. */
    Peer peer();

    /** Closes the connection; calling it again does nothing. */
    void close();
}
