package sws.http;

/**
 * Reads a request body framed by Content-Length or by the chunked coding (RFC 9112 section 7.1), a few
 * bytes at a time, handing the data to a sink and keeping the body within the size limit.
 */
public final class BodyReader {
    /** Where decoded body bytes go. */
    @FunctionalInterface
    public interface Sink {
        void accept(byte[] buf, int offset, int length);
    }

    /** A sink that drops the body, for requests whose handler has no use for one. */
    public static final Sink DISCARD = (buf, offset, length) -> {};

    private static final int MAX_CHUNK_LINE = 4096;

    private enum State {
        FIXED,
        SIZE_LINE,
        DATA,
        DATA_END,
        TRAILER,
        DONE
    }

    private final long maxBody;
    private State state;
    private long remaining; // of the fixed body, or of the current chunk
    private long total;
    private int lineLength; // bytes of the current size or trailer line seen so far
    private long trailerBytes;
    private HttpError error;
    private final StringBuilder line = new StringBuilder();

    /** A reader for a body of the given length: -1 for chunked, else the Content-Length. */
    public BodyReader(long length, long maxBody) {
        this.maxBody = maxBody;
        if (length < 0) {
            state = State.SIZE_LINE;
        } else {
            state = length == 0 ? State.DONE : State.FIXED;
            remaining = length;
        }
    }

    public boolean done() {
        return state == State.DONE;
    }

    /** The framing error found, or null. */
    public HttpError error() {
        return error;
    }

    /** Consumes body bytes from buf[from, to) and returns how many it took; stops at the body's end. */
    public int read(byte[] buf, int from, int to, Sink sink) {
        int i = from;
        while (i < to && state != State.DONE && error == null) {
            switch (state) {
                case FIXED, DATA -> {
                    int n = (int) Math.min(remaining, to - i);
                    sink.accept(buf, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = state == State.FIXED ? State.DONE : State.DATA_END;
                        lineLength = 0;
                    }
                }
                case SIZE_LINE -> i = sizeLine(buf, i, to);
                case DATA_END -> i = dataEnd(buf, i, to);
                case TRAILER -> i = trailer(buf, i, to);
                case DONE -> {}
            }
        }
        return i - from;
    }

    private int sizeLine(byte[] buf, int i, int to) {
        while (i < to) {
            byte b = buf[i++];
            if (b == '\n') {
                startChunk();
                return i;
            }
            if (++lineLength > MAX_CHUNK_LINE) {
                fail(Status.BAD_REQUEST, "chunk size line too long");
                return i;
            }
            line.append((char) (b & 0xff));
        }
        return i;
    }

    private void startChunk() {
        String text = line.toString();
        line.setLength(0);
        lineLength = 0;
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        int digits = 0;
        while (digits < text.length() && Character.digit(text.charAt(digits), 16) >= 0) {
            digits++;
        }
        long size = Numbers.hex(text.substring(0, digits));
        if (size < 0) {
            fail(Status.BAD_REQUEST, "invalid chunk size");
            return;
        }
        if (!ChunkExtensions.valid(text, digits)) {
            // Parsers that read these differently are how requests are smuggled: refuse, never guess.
            fail(Status.BAD_REQUEST, "malformed chunk extension");
            return;
        }
        for (int k = 0; k < text.length(); k++) {
            if (Chars.isForbiddenInField(text.charAt(k))) {
                fail(Status.BAD_REQUEST, "control character in chunk line");
                return;
            }
        }
        total += size;
        if (total > maxBody) {
            fail(Status.CONTENT_TOO_LARGE, "request body too large");
            return;
        }
        if (size == 0) {
            state = State.TRAILER;
        } else {
            remaining = size;
            state = State.DATA;
        }
    }

    private int dataEnd(byte[] buf, int i, int to) {
        // The CRLF after each chunk's data; a bare LF is tolerated as it is for lines.
        while (i < to) {
            byte b = buf[i++];
            if (b == '\n') {
                state = State.SIZE_LINE;
                lineLength = 0;
                return i;
            }
            if (b != '\r' || ++lineLength > 1) {
                fail(Status.BAD_REQUEST, "chunk data longer than its size");
                return i;
            }
        }
        return i;
    }

    private int trailer(byte[] buf, int i, int to) {
        // Trailer fields are read and dropped: nothing sws does depends on them.
        while (i < to) {
            byte b = buf[i++];
            if (++trailerBytes > 64 * 1024) {
                fail(Status.HEADER_FIELDS_TOO_LARGE, "trailer section too large");
                return i;
            }
            if (b == '\n') {
                if (lineLength == 0) {
                    state = State.DONE;
                    return i;
                }
                lineLength = 0;
            } else if (b != '\r') {
                lineLength++;
            }
        }
        return i;
    }

    private void fail(Status status, String message) {
        error = new HttpError(status, message);
    }
}
