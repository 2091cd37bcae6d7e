package sws.http;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/** What follows a response's head: nothing, bytes in memory, or a region of an open file. */
public sealed interface Body {
    /** How many bytes the body holds. */
    long length();

    /** No body at all (and no Content-Length), as for 304. */
    record None() implements Body {
        @Override
        public long length() {
            return 0;
        }
    }

    /** A body held in memory. */
    record Bytes(byte[] data) implements Body {
        @Override
        public long length() {
            return data.length;
        }
    }

    /** A body shared by many responses (a cached file): never changed, each writer takes a duplicate. */
    record Shared(ByteBuffer data) implements Body {
        @Override
        public long length() {
            return data.remaining();
        }
    }

    /** A region of a file, sent without copying it through the heap; the writer closes the channel. */
    record FileRegion(FileChannel channel, long offset, long length) implements Body {}

    /**
     * Bodies sent one after another as one (the parts of multipart/byteranges): bytes in memory and regions
     * of files, which may share one channel; the writer closes every channel once.
     */
    record Parts(List<Body> parts, long length) implements Body {
        public Parts(List<Body> parts) {
            this(List.copyOf(parts), parts.stream().mapToLong(Body::length).sum());
        }
    }

    /**
     * A body streamed as another thread produces it; length is -1 when unknown, and the connection then
     * frames it (chunked for HTTP/1.1, closed for HTTP/1.0).
     */
    record Stream(StreamSource source, long length) implements Body {}

    Body NONE = new None();
}
