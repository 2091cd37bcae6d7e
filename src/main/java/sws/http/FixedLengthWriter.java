package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import sws.io.Quietly;
import sws.net.Transport;

/** A response whose body is known whole in advance: bytes in memory, or a region of a file sent by the transport. */
final class FixedLengthWriter extends ResponseWriter {
    private FileChannel file;
    private long position;
    private long end;

    FixedLengthWriter(ByteBuffer interim, byte[] head, Body body, boolean sendBody) {
        super(interim, head, sendBody);
        if (sendBody) {
            bodyBytes = body.length();
        }
        switch (body) {
            case Body.Bytes bytes -> {
                if (sendBody) {
                    queue(ByteBuffer.wrap(bytes.data()));
                }
            }
            case Body.Shared shared -> {
                if (sendBody) {
                    queue(shared.data().duplicate());
                }
            }
            case Body.FileRegion region -> {
                if (sendBody) {
                    file = region.channel();
                    position = region.offset();
                    end = region.offset() + region.length();
                } else {
                    Quietly.close(region.channel());
                }
            }
            case Body.Stream s -> throw new IllegalArgumentException("a stream is not a body of fixed length");
            case Body.None none -> {}
        }
    }

    @Override
    protected Progress next(Transport transport) throws IOException {
        if (file == null || position == end) {
            return Progress.DONE;
        }
        long n = transport.transferFrom(file, position, end - position);
        if (n > 0) {
            position += n;
            countWritten(n);
            return null;
        }
        // The file shrank while it was being sent: the promised length cannot be kept.
        return file.size() < end ? Progress.FAILED : Progress.BLOCKED;
    }

    @Override
    void release() {
        Quietly.close(file);
        file = null;
    }
}
