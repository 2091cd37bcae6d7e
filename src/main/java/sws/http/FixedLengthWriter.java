package sws.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import sws.io.Quietly;
import sws.net.Transport;

/**
 * A response whose body is known whole in advance: bytes in memory, regions of files sent by the transport,
 * or a sequence of both (multipart/byteranges), the bytes in memory gathered into as few writes as fit.
 */
final class FixedLengthWriter extends ResponseWriter {
    private final ArrayDeque<Body> pieces = new ArrayDeque<>();
    private final List<FileChannel> files = new ArrayList<>();
    private FileChannel file;
    private long position;
    private long end;

    FixedLengthWriter(ByteBuffer interim, byte[] head, Body body, boolean sendBody) {
        super(interim, head, sendBody);
        if (body instanceof Body.Stream) {
            throw new IllegalArgumentException("a stream is not a body of fixed length");
        }
        if (sendBody) {
            bodyBytes = body.length();
            add(body);
        } else {
            Reply.closeFiles(body);
        }
    }

    private void add(Body body) {
        switch (body) {
            case Body.Parts parts -> parts.parts().forEach(this::add);
            case Body.FileRegion region -> {
                files.add(region.channel());
                pieces.add(region);
            }
            case Body.None none -> {}
            default -> pieces.add(body);
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
        boolean queued = false;
        while (!pieces.isEmpty() && canQueue()) {
            Body piece = pieces.peek();
            if (piece instanceof Body.FileRegion region) {
                if (queued) {
                    break; // what is queued goes out first
                }
                pieces.poll();
                file = region.channel();
                position = region.offset();
                end = region.offset() + region.length();
                return next(transport);
            }
            pieces.poll();
            switch (piece) {
                case Body.Bytes bytes -> queue(ByteBuffer.wrap(bytes.data()));
                case Body.Shared shared -> queue(shared.data().duplicate());
                default -> throw new IllegalStateException("not a piece of a fixed-length body: " + piece);
            }
            queued = true;
        }
        return queued ? null : Progress.DONE;
    }

    @Override
    void release() {
        files.forEach(Quietly::close);
        files.clear();
        file = null;
    }
}
