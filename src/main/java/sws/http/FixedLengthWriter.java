package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import sws.net.Transport;

/**
 * A response whose body is known whole in advance: bytes in memory, a region of a file sent by the
 * transport, or a sequence of both (multipart/byteranges), the bytes in memory gathered into as few writes
 * as fit. A body of one piece, by far the most common, needs no collection.
 */
final class FixedLengthWriter extends ResponseWriter {
    private final Body body;
    private ArrayDeque<Body> pieces; // the parts not yet queued; null for a body of one piece
    private FileChannel file;
    private long position;
    private long end;

    FixedLengthWriter(ByteBuffer interim, byte[] head, Body body, boolean sendBody) {
        super(interim, head, sendBody, body instanceof Body.Parts ? 16 : 4);
        if (body instanceof Body.Stream) {
            throw new IllegalArgumentException("a stream is not a body of fixed length");
        }
        this.body = body;
        if (!sendBody) {
            Reply.closeFiles(body);
            return;
        }
        bodyBytes = body.length();
        if (body instanceof Body.Parts parts) {
            pieces = new ArrayDeque<>(parts.parts());
            queueParts(); // the first parts in memory go in the head's write
        } else {
            start(body); // in the head's write, or the file to send after it
        }
    }

    @Override
    protected Progress next(Transport transport) throws IOException {
        if (file != null && position < end) {
            long n = transport.transferFrom(file, position, end - position);
            if (n > 0) {
                position += n;
                countWritten(n);
                return null;
            }
            // The file shrank while it was being sent: the promised length cannot be kept.
            return file.size() < end ? Progress.FAILED : Progress.BLOCKED;
        }
        file = null;
        if (pieces == null || pieces.isEmpty()) {
            return Progress.DONE;
        }
        if (pieces.peek() instanceof Body.FileRegion) {
            start(pieces.poll());
            return next(transport);
        }
        queueParts();
        return null;
    }

    /** Queues the parts held in memory up to the next file region or the write's last slot. */
    private void queueParts() {
        while (!pieces.isEmpty() && canQueue() && !(pieces.peek() instanceof Body.FileRegion)) {
            start(pieces.poll());
        }
    }

    /** Queues a piece held in memory, or makes a file region the one being sent. */
    private void start(Body piece) {
        switch (piece) {
            case Body.Bytes bytes -> queue(ByteBuffer.wrap(bytes.data()));
            case Body.Shared shared -> queue(shared.data().duplicate());
            case Body.FileRegion region -> {
                file = region.channel();
                position = region.offset();
                end = region.offset() + region.length();
            }
            case Body.None none -> {}
            default -> throw new IllegalStateException("not a piece of a fixed-length body: " + piece);
        }
    }

    @Override
    void release() {
        Reply.closeFiles(body); // every channel the body holds, once the response is over
        file = null;
    }
}
