package sws.content;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import sws.http.Body;
import sws.io.Quietly;

/** Where a representation's bytes come from: memory the cache holds, or a file opened for one response. */
sealed interface Source {
    /** The bytes first to first + length - 1 as a body. */
    Body slice(long first, long length);

    /** Lets go of what the response will not use. */
    void release();

    /** Bytes in memory, shared by every response; each body is a view of them. */
    record Memory(ByteBuffer data) implements Source {
        @Override
        public Body slice(long first, long length) {
            return new Body.Shared(data.slice((int) first, (int) length));
        }

        @Override
        public void release() {}
    }

    /** An open file, sent without reading it; the bodies share the channel and the writer closes it. */
    record Channel(FileChannel channel) implements Source {
        @Override
        public Body slice(long first, long length) {
            return new Body.FileRegion(channel, first, length);
        }

        @Override
        public void release() {
            Quietly.close(channel);
        }
    }
}
