package sws.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import sws.http.Body;
import sws.io.Quietly;

/** Where a representation's bytes come from: memory the cache holds, or a file opened for one response. */
sealed interface Source {
    /** The bytes first to first + length - 1 as a body. */
    Body slice(long first, long length);

    /**
     * The same bytes in memory when they are few, so that the parts of a multipart body go out in one
     * gathering write instead of a sendfile(2) each; the slice itself when they are many or cannot be read.
     */
    Body small(long first, long length);

    /** Lets go of what the response will not use. */
    void release();

    /** Bytes in memory, shared by every response; each body is a view of them. */
    record Memory(ByteBuffer data) implements Source {
        @Override
        public Body slice(long first, long length) {
            return new Body.Shared(data.slice((int) first, (int) length));
        }

        @Override
        public Body small(long first, long length) {
            return slice(first, length);
        }

        @Override
        public void release() {}
    }

    /** An open file, sent without reading it; the bodies share the channel and the writer closes it. */
    record Channel(FileChannel channel) implements Source {
        /** The most bytes of a part read into memory rather than sent from the file. */
        static final long COPIED = 16 * 1024;

        @Override
        public Body slice(long first, long length) {
            return new Body.FileRegion(channel, first, length);
        }

        @Override
        public Body small(long first, long length) {
            if (length > COPIED) {
                return slice(first, length);
            }
            ByteBuffer copy = ByteBuffer.allocate((int) length);
            try {
                while (copy.hasRemaining() && channel.read(copy, first + copy.position()) > 0) {
                    // until the part is in
                }
            } catch (IOException e) {
                return slice(first, length);
            }
            // A file that shrank meanwhile: the region lets the writer see it and cut the response.
            return copy.hasRemaining() ? slice(first, length) : new Body.Bytes(copy.array());
        }

        @Override
        public void release() {
            Quietly.close(channel);
        }
    }
}
