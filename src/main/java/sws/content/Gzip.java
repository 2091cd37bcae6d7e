package sws.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import sws.http.StreamSource;
import sws.io.Quietly;

/**
 * gzip (RFC 1952) with the JDK's Deflater: a whole small file at once, for the cache, or a large one as a
 * stream made on demand on the event loop, a piece per write, so memory stays one buffer per connection.
 */
final class Gzip {
    /** The level of files kept in the cache: compressed once, sent many times. */
    static final int CACHED_LEVEL = Deflater.DEFAULT_COMPRESSION;

    /** The level of files compressed per response: on the loop, so the cheapest that still pays. */
    static final int STREAMED_LEVEL = Deflater.BEST_SPEED;

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final int PIECE = 64 * 1024;

    /** The body of a HEAD of a streamed gzip: the head is the GET's, the body nothing. */
    static final StreamSource EMPTY = new StreamSource() {
        @Override
        public ByteBuffer next() {
            return null;
        }

        @Override
        public boolean ended() {
            return true;
        }

        @Override
        public boolean failed() {
            return false;
        }
    };

    private Gzip() {}

    /** The gzip of data's remaining bytes, in a direct buffer; data itself is not moved. */
    static ByteBuffer compress(ByteBuffer data) {
        ByteBuffer input = data.duplicate();
        CRC32 crc = new CRC32();
        crc.update(input.duplicate());
        Deflater deflater = new Deflater(CACHED_LEVEL, true);
        try {
            deflater.setInput(input);
            deflater.finish();
            ByteBuffer out = ByteBuffer.allocate(HEADER.length + input.remaining() / 2 + 64);
            out.put(HEADER);
            while (!deflater.finished()) {
                if (!out.hasRemaining()) {
                    out = ByteBuffer.allocate(out.capacity() * 2).put(out.flip());
                }
                deflater.deflate(out);
            }
            if (out.remaining() < 8) {
                out = ByteBuffer.allocate(out.capacity() + 8).put(out.flip());
            }
            out.order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).putInt((int) data.remaining());
            out.flip();
            return ByteBuffer.allocateDirect(out.remaining()).put(out).flip();
        } finally {
            deflater.end();
        }
    }

    /** A file's gzip made as it is sent; the file is closed when the response ends. */
    static final class Stream implements StreamSource {
        private final FileChannel file;
        private final long size;
        private final Deflater deflater = new Deflater(STREAMED_LEVEL, true);
        private final CRC32 crc = new CRC32();
        private final ByteBuffer in = ByteBuffer.allocate(PIECE);
        private long position;
        private boolean headerSent;
        private boolean finishing;
        private boolean ended;
        private boolean failed;

        Stream(FileChannel file, long size) {
            this.file = file;
            this.size = size;
        }

        @Override
        public ByteBuffer next() {
            if (ended) {
                return null;
            }
            try {
                ByteBuffer out = ByteBuffer.allocate(PIECE + 64);
                if (!headerSent) {
                    out.put(HEADER);
                    headerSent = true;
                }
                while (true) {
                    if (deflater.needsInput() && !finishing && !read()) {
                        return cut();
                    }
                    deflater.deflate(out);
                    if (deflater.finished()) {
                        if (out.remaining() < 8) {
                            out = ByteBuffer.allocate(out.position() + 8).put(out.flip());
                        }
                        out.order(ByteOrder.LITTLE_ENDIAN)
                                .putInt((int) crc.getValue())
                                .putInt((int) size);
                        ended = true;
                        break;
                    }
                    if (!out.hasRemaining() || (deflater.needsInput() && out.position() > 0)) {
                        break; // a piece is ready; the rest on the next call
                    }
                }
                return out.flip();
            } catch (IOException e) {
                return cut();
            }
        }

        /** The next piece of the file into the deflater; false when the file shrank under us. */
        private boolean read() throws IOException {
            if (position == size) {
                deflater.finish();
                finishing = true;
                return true;
            }
            in.clear().limit((int) Math.min(PIECE, size - position));
            int n = file.read(in, position);
            if (n <= 0) {
                return false;
            }
            position += n;
            in.flip();
            crc.update(in.duplicate());
            deflater.setInput(in);
            return true;
        }

        private ByteBuffer cut() {
            ended = true;
            failed = true;
            return null;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public boolean failed() {
            return failed;
        }

        @Override
        public void release() {
            deflater.end();
            Quietly.close(file);
        }
    }
}
